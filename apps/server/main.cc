// turnstile-server [EAL options] -- --ip A.B.C.D/N [--port 80] [--mode http|echo|discard] ...
//
// Every failure ends with one line on stderr naming the problem and a non-zero exit, after
// whatever was set up is torn down again (port closed, so a tap interface disappears; EAL
// cleaned up and this prefix's hugepage files removed).
#include <rte_mempool.h>

#include <csignal>
#include <cstdio>
#include <fstream>

#include "api/stack.h"
#include "dpdk/app_start.h"
#include "dpdk/eal.h"
#include "dpdk/ethdev_port.h"
#include "dpdk/fault_port.h"
#include "dpdk/netif.h"
#include "dpdk/profile.h"
#include "dpdk/signals.h"
#include "stats/telemetry.h"
#include "handlers.h"
#include "options.h"
#include "report.h"

using namespace ts;

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "turnstile-server: error: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const dpdk::SplitArgs args = dpdk::split_args(argc, argv);
  server::Options o;
  int code = 0;
  if (!server::parse_options(args.app, &o, &code)) return code;
  if (!o.json.empty())
    if (std::string why = dpdk::unwritable(o.json); !why.empty()) return fail("--json: " + why);

  std::string err;
  std::atomic<bool>& stop = dpdk::install_stop_signals();
  dpdk::Profile profile;
  std::unique_ptr<dpdk::Eal> eal = dpdk::start_app_eal(argv[0], args.eal, o.config, o.verbose, &profile, &err);
  if (!eal) return fail(err);
  if (o.vlan >= 0) profile.port.vlan = static_cast<uint16_t>(o.vlan);

  api::StackConfig sc;
  sc.datapath.profile = profile;
  sc.datapath.ip = o.ip;
  sc.datapath.prefix_len = o.prefix_len;
  sc.datapath.gateway = o.gateway;
  sc.datapath.queues = o.queues;
  sc.datapath.probe_time = tcp::Time(o.dad_ms) * tcp::kMsec;
  sc.workers = o.workers;
  sc.explicit_consume = server::explicit_consume(o.mode);
  // Such a handler queues at most a receive window of echo: a smaller send buffer would refuse
  // the echo of a full window, and the connection would be reset.
  if (o.mode == server::Mode::kEcho && profile.stack.send_buffer < profile.stack.receive_window)
    return fail("--mode echo needs [stack] send_buffer (" + std::to_string(profile.stack.send_buffer) +
                ") at least [stack] receive_window (" + std::to_string(profile.stack.receive_window) + ")");
  if (!o.fault.empty()) sc.datapath.make_port = dpdk::faulty_ethdev(profile.port, o.fault_spec);
  // Before anything starts: Stack::create checks this only for an ethdev port of its own, and with
  // --fault the port started and the banner came before run() refused.
  if (std::string why = dpdk::lcores_problem(dpdk::queue_count(sc.datapath)); !why.empty()) return fail(why);
  const server::Mode mode = o.mode;
  const std::string body = o.body;
  const uint32_t delay = o.read_delay_us;
  auto stack = api::Stack::create(sc, [&](unsigned) {
    auto h = server::make_handler(mode, body);
    if (delay) h = server::make_slow_reader(std::move(h), delay);
    return h;
  }, &err);
  if (!stack) return fail(err);
  if (!stack->listen(o.port, o.backlog, &err)) return fail(err);
  stats::set_telemetry_source(&stack->stats());
  // Whichever way main returns, telemetry lets go of the counters before the stack frees them.
  struct TelemetryRelease {
    ~TelemetryRelease() { stats::set_telemetry_source(nullptr); }
  } telemetry_release;

  dpdk::Datapath& dp = stack->datapath();
  const dpdk::PortCaps& caps = dp.port().caps();
  std::printf("turnstile-server: %s/%u port %u, mode %s, on %s (mac %s), %u queue(s), %s RSS, %s checksums, %s%s\n",
              dpdk::ipv4_str(o.ip).c_str(), o.prefix_len, o.port, o.mode_name.c_str(), dp.port().name(),
              dpdk::mac_str(dp.port().mac()).c_str(), dp.queues(), caps.rss ? "hardware" : "software",
              caps.tx_tcp_checksum ? "offloaded" : "software",
              o.workers ? (std::to_string(o.workers) + " worker thread(s)").c_str() : "handlers inline",
              eal->pdump_enabled() ? ", dpdk-dumpcap ready" : "");
  if (!o.fault.empty()) std::printf("turnstile-server: faulty wire: %s\n", dpdk::to_string(o.fault_spec).c_str());
  std::fflush(stdout);

  // A PMD may keep RX buffers of the pool filled from its start (af_xdp's fill ring, a NIC's RX
  // descriptors): what is in use before any traffic is the baseline a leak is measured from.
  const unsigned mbufs_start = rte_mempool_in_use_count(dp.pool());
  server::Reporter rep(o, *stack, stop);
  if (!rep.start(&err)) return fail(err);
  const bool ran = stack->run(stop, &err);
  stop.store(true);
  rep.join();
  stack->shutdown();  // connections still open end here: the summary counts them (conn_shutdown)
  stats::set_telemetry_source(nullptr);
  rep.final_line(stack->stats().total());

  const int sig = dpdk::stop_signal();
  const std::string by = rep.conflict() ? "address conflict"
                         : rep.duration_reached() ? "duration"
                         : sig == SIGINT ? "SIGINT"
                         : sig == SIGTERM ? "SIGTERM" : "error";
  std::printf("%s\n", server::summary(stack->stats().total(), rep.elapsed()).c_str());
  if (const std::string h = stats::drop_hint(stack->datapath().port().name(), stack->stats().total()); !h.empty())
    std::printf("%s\n", h.c_str());
  int rc = 0;
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    nlohmann::json j = server::report_json(o, *stack, eal->args(), rep.elapsed(), by, mbufs_start);
    j["mbufs_in_use_after_close"] = stack->datapath().close_port();
    f << j.dump(2) << "\n";
    if (!f) rc = fail("cannot write " + o.json);
  }
  stack.reset();
  eal.reset();
  if (!ran) return fail(err);
  if (rep.conflict())
    return fail("address " + dpdk::ipv4_str(o.ip) + " is already in use on the link (an ARP conflict during --dad-ms)");
  return rc;
}
