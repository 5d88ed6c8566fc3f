#include "plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace ts::cps {

uint64_t share(uint64_t total, unsigned n, unsigned i) { return total / n + (i < total % n ? 1 : 0); }

std::string sharing_problem(const Options& o, unsigned lcores, uint32_t blocks) {
  if (!o.concurrency_given) return {};
  // Each lcore has at least one connection in flight: fewer in all would be a limit we break.
  if (o.concurrency < lcores)
    return fmt::format("--concurrency {} is below the {} lcores: each lcore keeps at least one connection in "
                       "flight; give --concurrency {} or more, or fewer lcores",
                       o.concurrency, lcores, lcores);
  if (share(o.concurrency, lcores, 0) > blocks)
    return fmt::format("--concurrency {} needs {} connection blocks per lcore; the profile gives {} "
                       "([stack] connections_per_queue): give a --config with more, or more lcores",
                       o.concurrency, share(o.concurrency, lcores, 0), blocks);
  return {};
}

std::vector<Plan> make_plans(const Options& o, unsigned lcores, uint32_t blocks, uint64_t tsc_hz) {
  std::vector<Plan> plans(lcores);
  for (unsigned i = 0; i < lcores; i++) {
    Plan& p = plans[i];
    p.server_ip = o.server_ip;
    p.server_port = o.server_port;
    p.rate = o.rate / lcores;
    // The default concurrency may be more than the blocks hold: then as many as they do.
    p.concurrency = static_cast<uint32_t>(std::clamp<uint64_t>(share(o.concurrency, lcores, i), 1, blocks));
    p.quota = o.requests ? share(o.requests, lcores, i) : kNoQuota;
    p.request = request_bytes(o);
    p.kind = o.request;
    p.close = o.close;
    p.tsc_hz = tsc_hz;
    p.timeout_cycles = static_cast<uint64_t>(o.timeout * static_cast<double>(tsc_hz));
    p.hold_cycles = o.hold_to_end ? kHoldToEnd : static_cast<uint64_t>(o.hold * static_cast<double>(tsc_hz));
  }
  return plans;
}

}  // namespace ts::cps
