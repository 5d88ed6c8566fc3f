// The packet mempool: one per stack, shared by every queue (received frames, frames we build,
// application send data), with a per-lcore cache.
#pragma once
#include <cstdint>
#include <string>

#include "dpdk/profile.h"

struct rte_mempool;

namespace ts::dpdk {

// Enough mbufs for every RX and TX ring full, every hand-off and application ring full, the
// per-lcore caches (`lcores` of them, and one for control threads), plus `send_buffers` for data
// waiting in send queues. Rounded to 2^n - 1, the size rte_mempool stores best.
uint32_t mbufs_needed(const Profile& p, uint16_t queues, uint16_t workers, uint32_t send_buffers,
                      unsigned lcores);

// nullptr and a one-line reason on failure (the reason says how much memory was asked for).
rte_mempool* create_pool(const std::string& name, uint32_t mbufs, uint16_t cache, std::string* err);

}  // namespace ts::dpdk
