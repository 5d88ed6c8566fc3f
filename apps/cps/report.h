// What turnstile-cps reports: the generators' tallies summed, one line per interval, the final
// summary and the JSON (config, totals, connect-time percentiles and histogram, the per-interval
// series, the stack's counters).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generator.h"
#include "histogram.h"
#include "options.h"
#include "stats/counters.h"

namespace ts::cps {

// The generators summed, with the stack's counters, at one moment.
struct Totals {
  uint64_t attempted = 0;
  uint64_t connected = 0;
  uint64_t completed = 0;
  uint64_t failed[kFailCount] = {};
  uint64_t stalls = 0;
  uint64_t in_flight = 0;
  uint64_t in_flight_peak = 0;              // the most in flight at once, all lcores, as far as
                                            // known: the control thread's 5-ms samples, and no
                                            // less than any lcore's own peak (Controller::totals())
  std::vector<uint64_t> in_flight_peak_lcores;  // each lcore's own peak, exact
  unsigned ready = 0;        // generators past their warm-up
  Histogram::Snapshot hist;
  stats::Snapshot stack;
  double cpu_self = -1;      // CPU seconds of this process so far
  double cpu_watch = -1;     // of --watch-pid's

  uint64_t failures() const;
};
Totals gather(const std::vector<Generator*>& gens, const stats::Snapshot& stack);
// Adds the CPU times (two reads of /proc: at interval ends only).
void read_cpu(Totals& t, int watch_pid);

// One interval: what happened between two Totals.
struct Interval {
  double t = 0;          // seconds since the start, at the interval's end
  double seconds = 0;    // its length
  uint64_t completed = 0;
  uint64_t attempted = 0;
  uint64_t failed[kFailCount] = {};
  uint64_t in_flight = 0;
  uint64_t retransmits = 0;
  uint64_t connects = 0;  // connect-time samples: with none, the percentiles below are no figures
  uint64_t p50_ns = 0, p99_ns = 0, p999_ns = 0;
  double cpu_self = -1;   // CPU seconds used in the interval: this process, the --watch-pid one
  double cpu_watch = -1;
  uint64_t busy_ns = 0;   // the generator lcores' busy and idle poll time (stats: poll_*_ns)
  uint64_t idle_ns = 0;
  bool partial = false;   // cut short by the run's end (Series::close): its line says so

  double cps() const { return seconds > 0 ? double(completed) / seconds : 0; }
};
Interval interval(const Totals& now, const Totals& prev, double t, double seconds);
// One line; a partial interval's ends with "| partial: the last S s".
std::string interval_line(const Interval& i);

// The series' step: --stats-interval, or 1 s when no lines are shown.
inline double series_step(const Options& o) { return o.stats_interval > 0 ? o.stats_interval : 1.0; }
// The median of the per-interval rates of a series of `step`-second intervals: those that end by
// `opened` (the series' time when opening stopped; the drain's come after), the first left out
// (ramp up) when others remain, slivers shorter than half a step too. None when no interval
// qualifies (a run shorter than one interval).
std::optional<double> median_cps(const std::vector<Interval>& series, double step, double opened);

struct RunInfo {
  double warmup = 0;         // until the server's MAC was known (not in elapsed)
  double started_unix = 0;   // the wall clock at the series' t = 0
  double elapsed = 0;        // start to stop
  double active = 0;         // first open to the last connection's end
  double opened = 0;         // when opening stopped, on the series' clock (0: it never began)
  std::string stopped_by;
  uint16_t lcores = 0;
  std::string device;
  uint32_t mbufs = 0;
  uint32_t mbufs_in_use_start = 0;
  uint32_t mbufs_in_use_end = 0;
  std::vector<uint32_t> live_connections;   // per lcore, at the end
  std::vector<uint32_t> live_connections_peak;  // per lcore, the most connection blocks in use at once
  std::vector<uint32_t> time_wait_entries;  // per lcore, at the end
  std::vector<std::string> eal_args;
};

// The generator lcores' busy poll time per completed connection: their CPU cost with the idle
// polling left out (a poll-mode lcore shows 100% CPU to /proc whatever its load).
double busy_ns_per_conn(const Totals& t);
std::string summary(const Options& o, const Totals& t, const RunInfo& r, const std::vector<Interval>& series);
nlohmann::json report_json(const Options& o, const Totals& t, const RunInfo& r, const std::vector<Interval>& series);

}  // namespace ts::cps
