// DPDK telemetry endpoints, read with `dpdk-telemetry.py -f <file-prefix>`:
//   /turnstile/stats          every counter and gauge, summed over lcores
//   /turnstile/lcore,<index>  the same for one lcore (index of the lcore in the stack, not its id)
//   /turnstile/prometheus     the Prometheus text, TYPE lines included, as an array of its lines
//                             (joined with newlines: jq -r '."/turnstile/prometheus"[]')
//
// Thread safety: the callbacks run on DPDK's telemetry thread and only read the registry.
// set_telemetry_source() may be called from any thread; pass nullptr before the registry dies
// (DPDK 22.11 has no way to unregister a command, so the commands stay and answer empty).
#pragma once
#include "stats/registry.h"

namespace ts::stats {

// Registers the commands once per process (idempotent) and points them at `r`.
void register_telemetry();
void set_telemetry_source(const Registry* r);

}  // namespace ts::stats
