// How a run's work is shared out among the generator lcores: each one's rate, concurrency and
// quota (its Plan), and what cannot be shared out at all. No DPDK calls: the unit tests use it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "options.h"

namespace ts::cps {

inline constexpr uint64_t kHoldToEnd = UINT64_MAX;
inline constexpr uint64_t kNoQuota = UINT64_MAX;

// One lcore's share of the work.
struct Plan {
  uint32_t server_ip = 0;
  uint16_t server_port = 80;
  double rate = 0;              // per second, this lcore; 0: no rate limit
  uint32_t concurrency = 1;     // in flight at most, this lcore
  uint64_t quota = kNoQuota;    // connections to open in all: 0 is none (a share of --requests
                                // may be); kNoQuota, no bound
  std::string request;          // bytes sent once connected (may be empty)
  Request kind = Request::kHttp;
  CloseMode close = CloseMode::kClient;
  uint64_t timeout_cycles = 0;  // TSC cycles
  uint64_t hold_cycles = 0;     // --hold: kept open this long after the reply, then closed
                                // (kHoldToEnd: until opening stops)
  uint64_t tsc_hz = 0;
};

// Splits `total` over n lcores, the remainder to the first ones.
uint64_t share(uint64_t total, unsigned n, unsigned i);

// Why `o` cannot be shared over `lcores` lcores of `blocks` connection blocks each ("" when it
// can): a --concurrency too large for the blocks, or too small to give every lcore one.
std::string sharing_problem(const Options& o, unsigned lcores, uint32_t blocks);

// The default --concurrency made what the run can have: at least one per lcore, at most the
// blocks of all lcores (make_plans would cap each share anyway, and the banner and the JSON then
// said 10,000 for 100). --drain's default, which follows the population held, follows it. A
// --concurrency given is left as it is (sharing_problem has passed it).
void settle_concurrency(Options* o, unsigned lcores, uint32_t blocks);

// Why --hold end with --requests N and no --duration could never end ("" when it can): its N
// connections are all open at once, and need N local tuples and N connection blocks. After
// settle_concurrency. What only the run can show (an lcore that RSS gives no port) the
// controller stops on (stalled).
std::string holding_problem(const Options& o, unsigned lcores, uint32_t blocks);

// Each lcore's Plan. `o` has passed sharing_problem.
std::vector<Plan> make_plans(const Options& o, unsigned lcores, uint32_t blocks, uint64_t tsc_hz);

}  // namespace ts::cps
