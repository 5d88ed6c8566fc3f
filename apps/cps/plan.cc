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

void settle_concurrency(Options* o, unsigned lcores, uint32_t blocks) {
  if (o->concurrency_given) return;
  const uint64_t most = uint64_t(blocks) * lcores;
  o->concurrency = static_cast<uint32_t>(std::min<uint64_t>(std::max(o->concurrency, lcores), most));
  if (!o->drain_given) o->drain = default_drain(*o);
}

std::string holding_problem(const Options& o, unsigned lcores, uint32_t blocks) {
  if (!o.hold_to_end || !o.requests || o.duration > 0) return {};
  const uint64_t tuples = uint64_t(o.ip_count) * (o.port_hi - o.port_lo + 1u);
  if (o.requests > tuples)
    return fmt::format("--hold end with --requests {} would never end: it keeps {} connections open at once, and "
                       "--ip-range {} with --port-range {}-{} gives {} local tuples; give fewer --requests, more "
                       "addresses or ports, or --duration",
                       o.requests, o.requests, o.ip_count, o.port_lo, o.port_hi, tuples);
  if (share(o.requests, lcores, 0) > blocks)
    return fmt::format("--hold end with --requests {} would never end: it keeps {} connections open at once on an "
                       "lcore, and the profile gives {} connection blocks per lcore ([stack] connections_per_queue); "
                       "give fewer --requests, a --config with more, more lcores, or --duration",
                       o.requests, share(o.requests, lcores, 0), blocks);
  if (o.requests > o.concurrency)
    return fmt::format("--hold end with --requests {} above --concurrency {} would never end: raise --concurrency, "
                       "or give --duration", o.requests, o.concurrency);
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
