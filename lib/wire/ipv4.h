// IPv4 headers (RFC 791): validation on receive, a plain 20-byte header on send.
#pragma once
#include <cstddef>
#include <cstdint>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/error.h"
#include "wire/rx_flags.h"

namespace ts::wire {

inline constexpr size_t kIpv4HeaderLen = 20;   // without options; the stack never sends options
inline constexpr uint8_t kIpv4DefaultTtl = 64;
inline constexpr uint16_t kIpv4FlagDf = 0x4000;

struct Ipv4Header {
  uint32_t src = 0;        // host order
  uint32_t dst = 0;
  uint16_t total_len = 0;  // header + payload; bytes past it in the frame are link padding
  uint16_t id = 0;
  uint8_t header_len = 0;  // IHL * 4, options included
  uint8_t tos = 0;
  uint8_t ttl = 0;
  uint8_t proto = 0;
  bool df = false;

  uint16_t payload_len() const { return total_len - header_len; }
};

// p points at the IP header; len is what the frame holds from there. Checks, in this order:
// truncation, version, IHL, total length, checksum (unless flags has kRxIpChecksumOk), TTL,
// fragments, source address. On kOk the header and its payload lie within [p, p + len).
WireError parse_ipv4(const uint8_t* p, size_t len, uint32_t flags, Ipv4Header& out);

struct Ipv4Spec {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint16_t payload_len = 0;
  uint8_t proto = 0;
  uint8_t ttl = kIpv4DefaultTtl;
  uint8_t tos = 0;
  uint16_t id = 0;
  bool df = true;                 // the stack does PMTU the way Linux does: DF on
  bool checksum = true;           // false leaves 0, as NICs with TX IP checksum offload want it
};

// Writes a 20-byte header; returns 20, or 0 if cap is short or the total exceeds 65535.
size_t build_ipv4(uint8_t* p, size_t cap, const Ipv4Spec& s);

// build_ipv4 without the checks, for builders that have checked the whole frame already. Inline
// so that the spec stays in registers: the checksum is summed from the values, never re-read
// from the bytes just stored (that would stall on store forwarding).
// addr_sum: the addresses' sum (ipv4_addr_sum), for a caller that keeps it.
inline void write_ipv4_header(uint8_t* p, const Ipv4Spec& s, uint32_t addr_sum) {
  uint16_t w0 = static_cast<uint16_t>(0x4500 | s.tos);
  uint16_t total = static_cast<uint16_t>(kIpv4HeaderLen + s.payload_len);
  uint16_t frag = s.df ? kIpv4FlagDf : 0;
  uint16_t ttl_proto = static_cast<uint16_t>((s.ttl << 8) | s.proto);
  store_be16(p, w0);
  store_be16(p + 2, total);
  store_be16(p + 4, s.id);
  store_be16(p + 6, frag);
  store_be16(p + 8, ttl_proto);
  store_be32(p + 12, s.src);
  store_be32(p + 16, s.dst);
  uint32_t sum = uint32_t{w0} + total + s.id + frag + ttl_proto + addr_sum;
  store_be16(p + 10, s.checksum ? checksum_finish(sum) : 0);
}

inline void write_ipv4_header(uint8_t* p, const Ipv4Spec& s) {
  write_ipv4_header(p, s, ipv4_addr_sum(s.src, s.dst));
}

// 224.0.0.0/4 or 255.255.255.255: a destination no RST or echo reply answers (RFC 1122
// §4.2.3.10, §3.2.2.6).
constexpr bool ipv4_is_multicast_or_broadcast(uint32_t a) {
  return (a >> 28) == 0xe || a == 0xffffffffu;
}

// Never a valid source (RFC 1122 §3.2.1.3, Linux's martians): "this network" 0.0.0.0/8,
// loopback 127.0.0.0/8 (off the loopback interface), multicast 224.0.0.0/4, and 240.0.0.0/4
// with the limited broadcast 255.255.255.255. A host must drop such datagrams silently; an
// answer would go to no one, or to everyone.
constexpr bool ipv4_is_martian_source(uint32_t a) {
  const uint32_t top = a >> 24;
  return top == 0 || top == 127 || top >= 224;
}

}  // namespace ts::wire
