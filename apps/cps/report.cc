#include "report.h"

#include <algorithm>

#include <fmt/format.h>

#include "cpu.h"
#include "dpdk/netif.h"
#include "stats/format.h"

namespace ts::cps {

using stats::Counter;

uint64_t Totals::failures() const {
  uint64_t n = 0;
  for (uint64_t f : failed) n += f;
  return n;
}

Totals gather(const std::vector<Generator*>& gens, const stats::Snapshot& stack) {
  Totals t;
  for (const Generator* g : gens) {
    const GenCounters& c = g->counters();
    t.attempted += GenCounters::read(c.attempted);
    t.connected += GenCounters::read(c.connected);
    t.completed += GenCounters::read(c.completed);
    for (int i = 0; i < kFailCount; i++) t.failed[i] += GenCounters::read(c.failed[i]);
    t.stalls += GenCounters::read(c.stalls);
    t.in_flight += GenCounters::read(c.in_flight);
    t.in_flight_peak_lcores.push_back(GenCounters::read(c.in_flight_peak));
    t.ready += GenCounters::read(c.ready) ? 1 : 0;
    t.hist.add(g->histogram().snapshot());
  }
  t.stack = stack;
  return t;
}

void read_cpu(Totals& t, int watch_pid) {
  t.cpu_self = process_cpu_seconds(0);
  if (watch_pid) t.cpu_watch = process_cpu_seconds(watch_pid);
}

Interval interval(const Totals& now, const Totals& prev, double t, double seconds) {
  Interval i;
  i.t = t;
  i.seconds = seconds;
  i.completed = now.completed - prev.completed;
  i.attempted = now.attempted - prev.attempted;
  for (int k = 0; k < kFailCount; k++) i.failed[k] = now.failed[k] - prev.failed[k];
  i.in_flight = now.in_flight;
  i.retransmits = now.stack[Counter::tcp_retransmits] - prev.stack[Counter::tcp_retransmits];
  i.busy_ns = now.stack[Counter::poll_busy_ns] - prev.stack[Counter::poll_busy_ns];
  i.idle_ns = now.stack[Counter::poll_idle_ns] - prev.stack[Counter::poll_idle_ns];
  const Histogram::Snapshot h = now.hist.minus(prev.hist);
  i.connects = h.total;
  i.p50_ns = h.percentile(0.50);
  i.p99_ns = h.percentile(0.99);
  i.p999_ns = h.percentile(0.999);
  if (now.cpu_self >= 0 && prev.cpu_self >= 0) i.cpu_self = now.cpu_self - prev.cpu_self;
  if (now.cpu_watch >= 0 && prev.cpu_watch >= 0) i.cpu_watch = now.cpu_watch - prev.cpu_watch;
  return i;
}

namespace {

std::string us(uint64_t ns) { return ns < 10000 ? fmt::format("{:.1f}", ns / 1e3) : fmt::format("{:.0f}", ns / 1e3); }

// An interval's percentile, or "-" when it has no sample: 0.0 would read as a connect time.
std::string us_of(const Interval& i, uint64_t ns) { return i.connects ? us(ns) : "-"; }
nlohmann::json us_json(const Interval& i, uint64_t ns) { return i.connects ? nlohmann::json(ns / 1e3) : nlohmann::json(nullptr); }

std::string median_text(const std::optional<double>& m) { return m ? fmt::format("{:.0f}/s", *m) : "-"; }

}  // namespace

// A sliver (the last interval, cut short by the end) is left out: its rate is noise. Relative to
// the step, not fixed: with --stats-interval 0.5 or less a fixed 0.5 s left out every interval.
// An interval that ends after opening stopped holds drain, whose rate falls with what is left in
// flight (half the steady rate and less): leaving out only the series' last kept the rest in.
std::optional<double> median_cps(const std::vector<Interval>& s, double step, double opened) {
  auto steady = [&](const Interval& i) { return i.t <= opened && i.seconds > step / 2; };
  std::vector<double> v;
  for (const Interval& i : s)
    if (steady(i)) v.push_back(i.cps());
  // The first (the ramp-up) when others remain; in time order, it is v's first when it counts.
  if (v.size() > 1 && steady(s.front())) v.erase(v.begin());
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string interval_line(const Interval& i) {
  return fmt::format(
      "[{:7.1f}s] cps {:>8.0f} | in flight {:>6} | connect p50 {} p99 {} p99.9 {} us | "
      "fail timeout {} rst {} refused {} bad {} local {} | retx {} | busy {:.0f}%{}",
      i.t, i.cps(), i.in_flight, us_of(i, i.p50_ns), us_of(i, i.p99_ns), us_of(i, i.p999_ns), i.failed[0], i.failed[1],
      i.failed[2], i.failed[3], i.failed[4], i.retransmits, stats::busy_percent(i.busy_ns, i.idle_ns),
      i.partial ? fmt::format(" | partial: the last {:.3f} s", i.seconds) : std::string());
}

std::string summary(const Options& o, const Totals& t, const RunInfo& r, const std::vector<Interval>& series) {
  const stats::Snapshot& s = t.stack;
  return fmt::format(
      "summary after {:.1f} s ({}; stopped by {})\n"
      "  connections  attempted {}  completed {}  failed {} (timeout {}, rst {}, refused {}, bad reply {}, "
      "local {})  in flight {} (peak {})\n"
      "  rate         {:.0f} completed/s over {:.2f} s active, median of intervals {}{}\n"
      "  connect time p50 {} us  p90 {} us  p99 {} us  p99.9 {} us  max {} us  mean {} us ({} samples)\n"
      "  stack        segments in {} out {}  retransmits {}  RST in {} out {}  drops {}  "
      "time-wait now {} (taken over {})  stalls {}\n"
      "  lcores       busy {:.1f}% of the poll loop, {:.0f} ns busy per completed connection",
      r.elapsed, r.device, r.stopped_by, t.attempted, t.completed, t.failures(), t.failed[0], t.failed[1],
      t.failed[2], t.failed[3], t.failed[4], t.in_flight, t.in_flight_peak, r.active > 0 ? t.completed / r.active : 0.0, r.active,
      median_text(median_cps(series, series_step(o), r.opened)), o.rate > 0 ? fmt::format(" (target {:.0f}/s)", o.rate) : std::string(),
      us(t.hist.percentile(0.5)), us(t.hist.percentile(0.9)), us(t.hist.percentile(0.99)),
      us(t.hist.percentile(0.999)), us(t.hist.max), us(static_cast<uint64_t>(t.hist.mean())), t.hist.total,
      s[Counter::tcp_segs_in], s[Counter::tcp_segs_out], s[Counter::tcp_retransmits], s[Counter::tcp_rst_in],
      s[Counter::tcp_rst_out], s.drops(), s[stats::Gauge::time_wait], s[Counter::time_wait_reused], t.stalls,
      stats::busy_percent(s[Counter::poll_busy_ns], s[Counter::poll_idle_ns]), busy_ns_per_conn(t));
}

double busy_ns_per_conn(const Totals& t) {
  return t.completed ? static_cast<double>(t.stack[Counter::poll_busy_ns]) / static_cast<double>(t.completed) : 0.0;
}

nlohmann::json report_json(const Options& o, const Totals& t, const RunInfo& r, const std::vector<Interval>& series) {
  using nlohmann::json;
  json fails = json::object();
  for (int k = 0; k < kFailCount; k++) fails[fail_name(static_cast<Fail>(k))] = t.failed[k];
  json pct = json::object();
  for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}})
    pct[name] = t.hist.percentile(q) / 1e3;
  pct["max"] = t.hist.max / 1e3;
  pct["mean"] = t.hist.mean() / 1e3;
  json hist = json::array();
  for (int i = 0; i < Histogram::kBuckets; i++)
    if (t.hist.counts[i])
      hist.push_back({{"from_ns", Histogram::lowest(i)}, {"to_ns", Histogram::highest(i)}, {"count", t.hist.counts[i]}});
  json ser = json::array();
  for (const Interval& i : series) {
    json f = json::object();
    for (int k = 0; k < kFailCount; k++) f[fail_name(static_cast<Fail>(k))] = i.failed[k];
    ser.push_back({{"t", i.t}, {"seconds", i.seconds}, {"completed", i.completed}, {"attempted", i.attempted},
                   {"cps", i.cps()}, {"in_flight", i.in_flight}, {"failed", f}, {"retransmits", i.retransmits},
                   {"connect_p50_us", us_json(i, i.p50_ns)}, {"connect_p99_us", us_json(i, i.p99_ns)},
                   {"connect_p999_us", us_json(i, i.p999_ns)}, {"cpu_s", i.cpu_self},
                   {"watched_cpu_s", i.cpu_watch >= 0 ? json(i.cpu_watch) : json(nullptr)},
                   {"busy_ns", i.busy_ns}, {"idle_ns", i.idle_ns}, {"partial", i.partial}});
  }
  const char* req[] = {"http", "echo", "none"};
  const char* cls[] = {"client", "server", "rst"};
  json j;
  j["config"] = {{"ip", dpdk::ipv4_str(o.ip) + "/" + std::to_string(o.prefix_len)},
                 {"ip_range", o.ip_count},
                 {"port_range", std::to_string(o.port_lo) + "-" + std::to_string(o.port_hi)},
                 {"server", dpdk::ipv4_str(o.server_ip) + ":" + std::to_string(o.server_port)},
                 {"rate", o.rate > 0 ? json(o.rate) : json("max")},
                 {"concurrency", o.concurrency},
                 {"duration_s", o.duration},
                 {"requests", o.requests},
                 {"request", req[static_cast<int>(o.request)]},
                 {"close", cls[static_cast<int>(o.close)]},
                 {"timeout_s", o.timeout},
                 {"hold_s", o.hold_to_end ? json("end") : json(o.hold)},
                 {"time_wait_reuse_s", o.time_wait_reuse},
                 {"lcores", r.lcores},
                 {"device", r.device},
                 {"eal_args", r.eal_args}};
  j["warmup_s"] = r.warmup;
  j["started_unix_s"] = r.started_unix;
  j["elapsed_s"] = r.elapsed;
  j["active_s"] = r.active;
  j["stopped_by"] = r.stopped_by;
  j["attempted"] = t.attempted;
  j["connected"] = t.connected;
  j["completed"] = t.completed;
  j["failed"] = fails;
  j["failures"] = t.failures();
  j["in_flight"] = t.in_flight;
  j["in_flight_peak"] = t.in_flight_peak;
  j["in_flight_peak_per_lcore"] = t.in_flight_peak_lcores;
  j["stalls"] = t.stalls;
  j["cps"] = r.active > 0 ? t.completed / r.active : 0.0;
  const std::optional<double> median = median_cps(series, series_step(o), r.opened);
  j["cps_median"] = median ? json(*median) : json(nullptr);
  j["connect_time_us"] = pct;
  j["busy_ns_per_conn"] = busy_ns_per_conn(t);
  j["histogram"] = hist;
  j["series"] = ser;
  json stack = stats::to_json(t.stack);
  stack["live_connections"] = r.live_connections;
  stack["live_connections_peak"] = r.live_connections_peak;
  stack["time_wait_entries"] = r.time_wait_entries;
  stack["mbufs"] = r.mbufs;
  stack["mbufs_in_use_start"] = r.mbufs_in_use_start;
  stack["mbufs_in_use_end"] = r.mbufs_in_use_end;
  j["stack"] = stack;
  return j;
}

}  // namespace ts::cps
