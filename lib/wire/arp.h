// ARP for IPv4 over Ethernet (RFC 826), the only kind the stack answers.
#pragma once
#include <cstddef>
#include <cstdint>

#include "wire/error.h"
#include "wire/ether.h"

namespace ts::wire {

inline constexpr size_t kArpLen = 28;
inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;

struct ArpPacket {
  uint16_t op = 0;
  Mac sha;           // sender hardware address
  uint32_t spa = 0;  // sender IPv4 address, host order
  Mac tha;           // target hardware address (zero in a request)
  uint32_t tpa = 0;  // target IPv4 address, host order
};

// p points at the ARP header (after Ethernet). Bytes past the 28 (Ethernet padding) are ignored.
WireError parse_arp(const uint8_t* p, size_t len, ArpPacket& out);

// Writes the 28-byte ARP body; returns 28, or 0 if cap is short.
size_t build_arp(uint8_t* p, size_t cap, const ArpPacket& a);

// Whole Ethernet frames (42 bytes, or 46 with a VLAN tag; the NIC pads to the 60-byte minimum).
// `eth` gives the source MAC and the VLAN tag; its dst and type are filled in here.
// "Who has target_ip? Tell my_ip", to broadcast.
size_t build_arp_request(uint8_t* buf, size_t cap, EtherHeader eth, uint32_t my_ip,
                         uint32_t target_ip);
// The answer to `req`, saying that req.tpa is at eth.src; sent to the requester only.
size_t build_arp_reply(uint8_t* buf, size_t cap, EtherHeader eth, const ArpPacket& req);
// Announces my_ip at eth.src to everyone (a request with sender = target = my_ip, RFC 5227 §3).
size_t build_gratuitous_arp(uint8_t* buf, size_t cap, EtherHeader eth, uint32_t my_ip);

}  // namespace ts::wire
