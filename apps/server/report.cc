#include "report.h"

#include <rte_lcore.h>
#include <rte_mempool.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "dpdk/ethdev_port.h"
#include "dpdk/fault_port.h"
#include "dpdk/netif.h"
#include "stats/format.h"

namespace ts::server {

using stats::Counter;
using Clock = std::chrono::steady_clock;

Reporter::Reporter(const Options& o, api::Stack& s, std::atomic<bool>& stop) : o_(o), s_(s), stop_(stop) {}

bool Reporter::start(std::string* err) {
  if (int rc = rte_ctrl_thread_create(&thread_, "ts-report", nullptr, main, this); rc != 0) {
    *err = std::string("cannot start the report thread: ") + strerror(rc);
    return false;
  }
  started_ = true;
  return true;
}

void Reporter::join() {
  if (started_) pthread_join(thread_, nullptr);
  started_ = false;
}

void* Reporter::main(void* arg) {
  static_cast<Reporter*>(arg)->loop();
  return nullptr;
}

void Reporter::loop() {
  const auto t0 = Clock::now();
  auto secs = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  next_ = o_.stats_interval;
  double next_hint = 1;
  prev_ = s_.stats().total();
  bool dad_pending = o_.dad_ms > 0;
  while (!stop_.load()) {
    std::this_thread::sleep_for(kReportTick);
    const double t = secs();
    elapsed_ = t;
    if (dad_pending && s_.stats().total()[Counter::arp_conflicts] > 0) {
      conflict_ = true;
      stop_.store(true);
      break;
    }
    if (dad_pending && t * 1000 >= o_.dad_ms) dad_pending = false;
    if (t >= next_hint) {  // once a second, whatever --stats-interval: a hint is for the waiting user
      hint_.check(s_.datapath().port().name(), s_.stats().total());
      watch_link();
      next_hint = t + 1;
    }
    // Before the line: the line of the interval that --duration ends is final_line()'s, after the
    // shutdown, rather than this one and a sliver after it.
    if (o_.duration > 0 && t >= o_.duration) {
      by_duration_ = true;
      stop_.store(true);
      break;
    }
    if (o_.stats_interval > 0 && t >= next_) {
      stats::Snapshot now = s_.stats().total();
      std::printf("%s\n", stats::stats_line(now, prev_, t - last_, t).c_str());
      std::fflush(stdout);
      prev_ = now;
      last_ = t;
      next_ += o_.stats_interval;
      // Held up past an interval (a stopped process, a busy machine): the next line one interval
      // from this one, not at once after it (a line of a sliver's rates for each interval missed).
      if (next_ <= t) next_ = t + o_.stats_interval;
    }
  }
  elapsed_ = secs();
}

void Reporter::final_line(const stats::Snapshot& end) {
  const double dt = elapsed_ - last_;
  if (o_.stats_interval <= 0 || dt <= 0) return;
  const std::string line = stats::stats_line(end, prev_, dt, elapsed_);
  if (elapsed_ >= next_)  // the run lasted to the line's time (--duration of whole intervals)
    std::printf("%s\n", line.c_str());
  else
    std::printf("%s | partial: the last %.3f s\n", line.c_str(), dt);
  prev_ = end;
  last_ = elapsed_;
}

// A server on a down link serves nothing: without this line it would say nothing either.
void Reporter::watch_link() {
  const int up = dpdk::link_up(s_.datapath().port());
  if (up < 0 || up == link_said_) return;
  link_said_ = up;
  const char* name = s_.datapath().port().name();
  if (up)
    std::fprintf(stderr, "turnstile-server: link up on %s\n", name);
  else
    std::fprintf(stderr,
                 "turnstile-server: link down on %s: nothing arrives or leaves until it is up "
                 "(a memif server waits for its client; a NIC for its cable and its peer)\n",
                 name);
}

std::string summary(const stats::Snapshot& s, double elapsed) {
  using C = Counter;
  const uint64_t ended =
      s[C::conn_closed] + s[C::conn_reset] + s[C::conn_aborted] + s[C::conn_timed_out] + s[C::conn_shutdown];
  return fmt::format(
      "summary after {:.1f} s\n"
      "  frames      rx {} ({} bytes)  tx {} ({} bytes)  dropped {}\n"
      "  tcp         segments in {} out {}  retransmits {}  RST in {} out {}\n"
      "  connections accepted {} opened {} ended {} (normal {}, reset {}, aborted {}, timed out {}, at shutdown {})"
      "  accept-queue overflows {}\n"
      "  closes      passive: close-wait {} last-ack {}   active: fin-wait-1 {} fin-wait-2 {} time-wait {}\n"
      "  arp         requests in {} out {}  replies in {} out {}  conflicts {}   icmp echo in {} out {}\n"
      "  lcores      busy {:.1f}% of the poll loop, {:.0f} ns busy per connection accepted or opened",
      elapsed, s[C::rx_packets], s[C::rx_bytes], s[C::tx_packets], s[C::tx_bytes], s.drops(), s[C::tcp_segs_in],
      s[C::tcp_segs_out], s[C::tcp_retransmits], s[C::tcp_rst_in], s[C::tcp_rst_out], s[C::conn_accepted],
      s[C::conn_opened], ended, s[C::conn_closed], s[C::conn_reset], s[C::conn_aborted], s[C::conn_timed_out],
      s[C::conn_shutdown], s[C::accept_overflow], s[C::enter_close_wait], s[C::enter_last_ack], s[C::enter_fin_wait_1],
      s[C::enter_fin_wait_2], s[C::enter_time_wait], s[C::arp_requests_in], s[C::arp_requests_out],
      s[C::arp_replies_in], s[C::arp_replies_out], s[C::arp_conflicts], s[C::icmp_echo_in], s[C::icmp_echo_out],
      stats::busy_percent(s[C::poll_busy_ns], s[C::poll_idle_ns]),
      s[C::conn_accepted] + s[C::conn_opened]
          ? static_cast<double>(s[C::poll_busy_ns]) / static_cast<double>(s[C::conn_accepted] + s[C::conn_opened])
          : 0.0);
}

nlohmann::json report_json(const Options& o, api::Stack& s, const std::vector<std::string>& eal_args,
                           double elapsed, const std::string& stopped_by, unsigned mbufs_in_use_start) {
  dpdk::Datapath& dp = s.datapath();
  nlohmann::json j = stats::to_json(dp.stats().total());
  j["elapsed_s"] = elapsed;
  j["stopped_by"] = stopped_by;
  j["config"] = {{"ip", dpdk::ipv4_str(o.ip) + "/" + std::to_string(o.prefix_len)},
                 {"port", o.port},
                 {"mode", o.mode_name},
                 {"backlog", o.backlog},
                 {"queues", dp.queues()},
                 {"workers", o.workers},
                 {"read_delay_us", o.read_delay_us},
                 {"device", dp.port().name()},
                 {"mac", dpdk::mac_str(dp.port().mac())},
                 {"hardware_rss", dp.port().caps().rss},
                 {"tx_checksum_offload", dp.port().caps().tx_tcp_checksum},
                 {"mbufs", dp.mbufs()},
                 {"eal_args", eal_args}};
  nlohmann::json lcores = nlohmann::json::array();
  nlohmann::json reasons = nlohmann::json::object();
  for (uint16_t q = 0; q < dp.queues(); q++) {
    nlohmann::json l = stats::to_json(dp.stats().of(q));
    l["queue"] = q;
    l["lcore_id"] = dp.lcore_id(q);
    l["live_connections"] = dp.lcore(q).live_connections();
    l["live_connections_peak"] = dp.lcore(q).live_connections_peak();
    l["time_wait_entries"] = dp.lcore(q).time_wait_entries();
    lcores.push_back(l);
    const tcp::Counters& tc = dp.lcore(q).tcp_counters();
    for (int r = 1; r < tcp::kCloseReasonCount; r++) {
      const char* name = tcp::close_reason_name(static_cast<tcp::CloseReason>(r));
      reasons[name] = reasons.value(name, uint64_t{0}) + tc.closes[r];
    }
  }
  j["lcores"] = lcores;
  nlohmann::json neigh = nlohmann::json::array();
  const tcp::Time now = dp.now();
  dp.arp().for_each([&](uint32_t ip, const wire::Mac& mac, tcp::Time expires) {
    neigh.push_back({{"ip", dpdk::ipv4_str(ip)}, {"mac", dpdk::mac_str(mac)}, {"valid", now < expires}});
  });
  j["neighbours"] = neigh;
  j["close_reasons"] = reasons;
  // After the lcores stopped and freed their send queues: what is left is the port's own (RX
  // descriptors a PMD keeps filled) or a leak.
  j["mbufs_in_use_end"] = rte_mempool_in_use_count(dp.pool());
  j["mbufs_in_use_start"] = mbufs_in_use_start;
  if (auto* fp = dynamic_cast<dpdk::FaultPort*>(&dp.port())) {
    auto dir = [&](dpdk::FaultPort::Dir d) -> nlohmann::json {
      const dpdk::FaultCounters f = fp->counters(d);
      return {{"frames", f.frames},       {"dropped", f.dropped},     {"duplicated", f.duplicated},
              {"corrupted", f.corrupted}, {"reordered", f.reordered}, {"delayed", f.delayed},
              {"overflow", f.overflow},   {"refused", f.refused},     {"no_mbuf", f.no_mbuf}};
    };
    j["fault"] = {{"spec", dpdk::to_string(fp->spec())}, {"held", fp->held()},
                  {"rx", dir(dpdk::FaultPort::kRx)}, {"tx", dir(dpdk::FaultPort::kTx)}};
  }
  return j;
}

}  // namespace ts::server
