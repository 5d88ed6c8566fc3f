// Ways to print a snapshot: one human line per interval, JSON, Prometheus text exposition.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "stats/counters.h"

namespace ts::stats {

// One line: rates over `interval_s` from `prev` to `now`, gauges as of `now`.
std::string stats_line(const Snapshot& now, const Snapshot& prev, double interval_s, double elapsed_s);

// The busy share of a poll loop, in percent, from poll_busy_ns and poll_idle_ns deltas.
double busy_percent(uint64_t busy_ns, uint64_t idle_ns);

// {"counters": {name: value...}, "gauges": {state: value...}, "drops": n}
nlohmann::json to_json(const Snapshot& s);

// Prometheus text format 0.0.4, counters as turnstile_<name>_total, gauges as
// turnstile_connections{state="..."}, each family after its # TYPE line.
// `with_help` adds # HELP lines (some are past a telemetry array string's 127 characters).
std::string to_prometheus(const Snapshot& s, bool with_help = true);

}  // namespace ts::stats
