#include "stats/hints.h"

#include <cstdio>

#include <fmt/format.h>

namespace ts::stats {

std::string drop_hint(std::string_view device, const Snapshot& s) {
  const uint64_t bad = s[Counter::drop_tcp_checksum];
  // A Linux peer on a veth (or the host's own stack on the same interface) leaves the TCP
  // checksum to an offload that never runs: its segments carry the pseudo-header sum only, and
  // af_packet and af_xdp pass them on without the kernel's "checksum not ready" mark.
  const bool kernel_socket = device.starts_with("net_af_packet") || device.starts_with("net_af_xdp");
  if (!bad || !kernel_socket) return "";
  return fmt::format(
      "hint: {} TCP segment(s) dropped for their checksum on {}: a Linux peer on a veth sends partial "
      "checksums while its checksum offload is on; turn it off on the peer (ethtool -K PEER tx off; "
      "scripts/netns veth does)",
      bad, device);
}

void HintOnce::check(std::string_view device, const Snapshot& s) {
  if (said_) return;
  const std::string h = drop_hint(device, s);
  if (h.empty()) return;
  said_ = true;
  std::fprintf(stderr, "%s\n", h.c_str());
  std::fflush(stderr);
}

}  // namespace ts::stats
