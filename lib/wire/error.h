// Why a frame was not accepted. One value per distinct defect, so that the datapath can keep a
// counter per value (indexed by the enum) and an operator can tell a bad NIC from an attack.
#pragma once
#include <cstdint>

namespace ts::wire {

enum class WireError : uint8_t {
  kOk = 0,
  kEthTruncated,          // fewer bytes than the Ethernet (and VLAN) header
  kEthVlanUnsupported,    // QinQ (0x88a8) or a second 802.1Q tag
  kArpTruncated,
  kArpUnsupported,        // not Ethernet hardware / IPv4 protocol with 6- and 4-byte addresses
  kArpBadOp,              // neither request nor reply
  kIpTruncated,           // header or total length runs past the frame
  kIpBadVersion,
  kIpBadIhl,              // IHL < 5
  kIpBadTotalLength,      // total length smaller than the header
  kIpBadChecksum,
  kIpFragment,            // MF set or non-zero offset; the stack does not reassemble
  kIpBadSource,           // a martian source: 0/8, 127/8, multicast, 240/4 (ipv4.h)
  kIcmpTruncated,
  kIcmpBadChecksum,
  kTcpTruncated,          // segment shorter than the 20-byte fixed header
  kTcpBadDataOffset,      // data offset < 5 or past the end of the segment
  kTcpBadChecksum,
  kTcpOptionBadLength,    // option length 0 or 1
  kTcpOptionOverrun,      // option (or its length byte) runs past the TCP header
  kCount
};

inline constexpr int kWireErrorCount = static_cast<int>(WireError::kCount);

// A stable lower_snake_case name, for counters and logs; "unknown" outside the enum.
const char* to_string(WireError e);

}  // namespace ts::wire
