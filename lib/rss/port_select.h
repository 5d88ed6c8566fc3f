// Shard-aware active opens: pick a local port whose replies the NIC steers to our own queue.
//
// A connection lives on the lcore whose RX queue its packets hash to. For a connection we open,
// the packets we receive travel remote -> local, so the NIC hashes (raddr, laddr, rport, lport);
// only lport is ours to choose. As in Seastar's connect(), we walk the port range from a starting
// point until the return tuple's hash lands on the wanted queue. With nqueues queues about one port
// in nqueues qualifies, so the walk is short; the address part of the hash is computed once.
#pragma once
#include <cstdint>
#include <optional>

#include "rss/reta.h"
#include "rss/toeplitz.h"

namespace ts::rss {

struct PortRange {
  uint16_t lo = 32768;  // Linux's default ip_local_port_range
  uint16_t hi = 60999;
};

// The first port at or after `start` (wrapping once within `range`) for which a packet from
// (raddr, rport) to (laddr, port) lands on `queue`; nullopt when no port of the range does.
// Addresses and ports in host byte order.
std::optional<uint16_t> choose_local_port(const Toeplitz& hash, const Reta& reta, uint32_t laddr,
                                          uint32_t raddr, uint16_t rport, uint16_t queue,
                                          uint16_t start, PortRange range = {});

// The same with the address half of the return hash, Toeplitz::addr_part(raddr, laddr), computed
// by the caller (who may keep it for the next search). The hash of the chosen return tuple is
// `addr_part ^ hash.port_part(rport, port)`.
std::optional<uint16_t> choose_local_port(const Toeplitz& hash, const Reta& reta, uint32_t addr_part,
                                          uint16_t rport, uint16_t queue, uint16_t start, PortRange range = {});

// The same against the PMDs' default table: 128 entries filled round robin over nqueues.
std::optional<uint16_t> choose_local_port(const Toeplitz& hash, uint32_t laddr, uint32_t raddr,
                                          uint16_t rport, uint16_t queue, uint16_t nqueues,
                                          uint16_t start, PortRange range = {});

}  // namespace ts::rss
