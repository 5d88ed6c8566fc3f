#include "wire/error.h"

namespace ts::wire {

namespace {
// Indexed by the enum; the static_assert below keeps the two in step.
constexpr const char* kNames[] = {
    "ok",
    "eth_truncated",
    "eth_vlan_unsupported",
    "arp_truncated",
    "arp_unsupported",
    "arp_bad_op",
    "ip_truncated",
    "ip_bad_version",
    "ip_bad_ihl",
    "ip_bad_total_length",
    "ip_bad_checksum",
    "ip_fragment",
    "ip_bad_source",
    "icmp_truncated",
    "icmp_bad_checksum",
    "tcp_truncated",
    "tcp_bad_data_offset",
    "tcp_bad_checksum",
    "tcp_option_bad_length",
    "tcp_option_overrun",
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kWireErrorCount);
}  // namespace

const char* to_string(WireError e) {
  auto i = static_cast<unsigned>(e);
  return i < static_cast<unsigned>(kWireErrorCount) ? kNames[i] : "unknown";
}

}  // namespace ts::wire
