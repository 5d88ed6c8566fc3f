#include "stats/format.h"

#include <fmt/format.h>

namespace ts::stats {

namespace {

double rate(const Snapshot& now, const Snapshot& prev, Counter k, double s) {
  return s > 0 ? static_cast<double>(now[k] - prev[k]) / s : 0.0;
}

// Whole numbers from 1 a second up; two significant digits below, so that a retransmit or a drop
// in a long interval shows as 0.1/s instead of rounding to 0 (a total since start showed it).
std::string per_s(double r) { return r == 0 || r >= 1 ? fmt::format("{:.0f}/s", r) : fmt::format("{:.2g}/s", r); }

std::string per_s(const Snapshot& now, const Snapshot& prev, Counter k, double s) { return per_s(rate(now, prev, k, s)); }

}  // namespace

// Every count a rate over the interval, as a user reading a line a second expects: RSTs,
// retransmits, drops, cookies, half-open drops and overflows were totals since start beside the
// rates, unmarked. Totals are the summary's and the JSON's.
std::string stats_line(const Snapshot& now, const Snapshot& prev, double interval_s, double elapsed_s) {
  using C = Counter;
  using G = Gauge;
  const double drops = interval_s > 0 ? static_cast<double>(now.drops() - prev.drops()) / interval_s : 0.0;
  return fmt::format(
      "[{:7.1f}s] rx {:.0f} pps tx {:.0f} pps | accepted {:.0f}/s closed {:.0f}/s | "
      "est {} syn-rcvd {} close-wait {} last-ack {} fin-wait {} time-wait {} | "
      "syn {:.0f}/s cookies {:.0f}/s ok {} bad {} half-open drops {} accept ovf {} | "
      "rst in {} out {} retx {} drops {} | busy {:.0f}%",
      elapsed_s, rate(now, prev, C::rx_packets, interval_s), rate(now, prev, C::tx_packets, interval_s),
      rate(now, prev, C::conn_accepted, interval_s),
      rate(now, prev, C::conn_closed, interval_s) + rate(now, prev, C::conn_reset, interval_s) +
          rate(now, prev, C::conn_aborted, interval_s) + rate(now, prev, C::conn_timed_out, interval_s),
      now[G::established], now[G::syn_received], now[G::close_wait], now[G::last_ack],
      now[G::fin_wait_1] + now[G::fin_wait_2], now[G::time_wait], rate(now, prev, C::tcp_syn_in, interval_s),
      rate(now, prev, C::syncookies_sent, interval_s), per_s(now, prev, C::syncookies_ok, interval_s),
      per_s(now, prev, C::syncookies_bad, interval_s), per_s(now, prev, C::half_open_drops, interval_s),
      per_s(now, prev, C::accept_overflow, interval_s), per_s(now, prev, C::tcp_rst_in, interval_s),
      per_s(now, prev, C::tcp_rst_out, interval_s), per_s(now, prev, C::tcp_retransmits, interval_s), per_s(drops),
      busy_percent(now[C::poll_busy_ns] - prev[C::poll_busy_ns], now[C::poll_idle_ns] - prev[C::poll_idle_ns]));
}

double busy_percent(uint64_t busy_ns, uint64_t idle_ns) {
  return busy_ns + idle_ns ? 100.0 * static_cast<double>(busy_ns) / static_cast<double>(busy_ns + idle_ns) : 0.0;
}

nlohmann::json to_json(const Snapshot& s) {
  nlohmann::json counters = nlohmann::json::object();
  for (size_t i = 0; i < kNumCounters; i++) counters[counter_name(static_cast<Counter>(i))] = s.c[i];
  nlohmann::json gauges = nlohmann::json::object();
  for (size_t i = 0; i < kNumGauges; i++) gauges[gauge_name(static_cast<Gauge>(i))] = s.g[i];
  return {{"counters", counters}, {"connections", gauges}, {"drops", s.drops()}};
}

std::string to_prometheus(const Snapshot& s, bool with_help) {
  std::string out;
  for (size_t i = 0; i < kNumCounters; i++) {
    auto k = static_cast<Counter>(i);
    if (with_help) out += fmt::format("# HELP turnstile_{}_total {}\n", counter_name(k), counter_help(k));
    out += fmt::format("# TYPE turnstile_{0}_total counter\nturnstile_{0}_total {1}\n", counter_name(k), s.c[i]);
  }
  if (with_help) out += "# HELP turnstile_connections connections currently in each TCP state\n";
  out += "# TYPE turnstile_connections gauge\n";
  for (size_t i = 0; i < kNumGauges; i++)
    out += fmt::format("turnstile_connections{{state=\"{}\"}} {}\n", gauge_name(static_cast<Gauge>(i)), s.g[i]);
  return out;
}

}  // namespace ts::stats
