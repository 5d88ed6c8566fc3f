#include "rss/port_select.h"

namespace ts::rss {

std::optional<uint16_t> choose_local_port(const Toeplitz& hash, const Reta& reta, uint32_t laddr,
                                          uint32_t raddr, uint16_t rport, uint16_t queue,
                                          uint16_t start, PortRange range) {
  // Received packets run remote -> local: the remote address and port are the source.
  return choose_local_port(hash, reta, hash.addr_part(raddr, laddr), rport, queue, start, range);
}

std::optional<uint16_t> choose_local_port(const Toeplitz& hash, const Reta& reta, uint32_t fixed,
                                          uint16_t rport, uint16_t queue, uint16_t start, PortRange range) {
  if (range.lo == 0 || range.lo > range.hi) return std::nullopt;
  const uint32_t span = uint32_t(range.hi) - range.lo + 1;
  const uint32_t first = (start >= range.lo && start <= range.hi) ? start - range.lo : 0;
  for (uint32_t i = 0; i < span; i++) {
    const uint16_t port = static_cast<uint16_t>(range.lo + (first + i) % span);
    if (reta.queue_of(fixed ^ hash.port_part(rport, port)) == queue) return port;
  }
  return std::nullopt;
}

std::optional<uint16_t> choose_local_port(const Toeplitz& hash, uint32_t laddr, uint32_t raddr,
                                          uint16_t rport, uint16_t queue, uint16_t nqueues,
                                          uint16_t start, PortRange range) {
  const Reta reta = Reta::round_robin(nqueues);
  return choose_local_port(hash, reta, laddr, raddr, rport, queue, start, range);
}

}  // namespace ts::rss
