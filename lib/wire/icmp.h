// ICMP (RFC 792), as far as ping needs: echo request in, echo reply out.
#pragma once
#include <cstddef>
#include <cstdint>

#include "wire/error.h"

namespace ts::wire {

inline constexpr size_t kIcmpHeaderLen = 8;
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpEchoRequest = 8;

struct IcmpHeader {
  uint8_t type = 0;
  uint8_t code = 0;
  uint16_t id = 0;   // echo identifier (the rest-of-header word for other types)
  uint16_t seq = 0;  // echo sequence number
};

// p points at the ICMP header, len is the IP payload length. Verifies the checksum over all of it
// (no NIC offloads ICMP). The echo data is [p + 8, p + len).
WireError parse_icmp(const uint8_t* p, size_t len, IcmpHeader& out);

// Writes an echo reply carrying `data` (which may overlap p + 8, for an in-place reply).
// Returns 8 + data_len, or 0 if it does not fit in cap.
size_t build_icmp_echo_reply(uint8_t* p, size_t cap, uint16_t id, uint16_t seq,
                             const uint8_t* data, size_t data_len);

}  // namespace ts::wire
