// What the NIC already verified on receive, passed to the parsers so they skip that work.
// Bits of the `flags` argument of parse_ipv4, parse_tcp and parse_frame.
#pragma once
#include <cstdint>

namespace ts::wire {

inline constexpr uint32_t kRxIpChecksumOk = 1u << 0;  // IPv4 header checksum is good
inline constexpr uint32_t kRxL4ChecksumOk = 1u << 1;  // TCP checksum is good

}  // namespace ts::wire
