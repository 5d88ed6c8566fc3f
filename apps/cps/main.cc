// turnstile-cps [EAL options] -- --ip A.B.C.D/N --server A.B.C.D:PORT [options]
//
// Opens connections to any TCP server at a target rate or as fast as the concurrency allows,
// each on the lcore its replies hash to, and accounts for every one: completed, failed with a
// reason, or (until the end) in flight. Exit status 0 when the run went through (failures are
// figures, not errors), 1 when it could not run (the server's next hop never answering ARP
// included), 2 on a usage error (the options, the --config file, or what its connection blocks
// cannot hold).
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "api/stack.h"
#include "controller.h"
#include "dpdk/app_start.h"
#include "dpdk/eal.h"
#include "dpdk/ethdev_port.h"
#include "dpdk/netif.h"
#include "dpdk/profile.h"
#include "dpdk/signals.h"
#include "generator.h"
#include "options.h"
#include "plan.h"
#include "report.h"
#include "stats/telemetry.h"

using namespace ts;

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "turnstile-cps: error: %s\n", msg.c_str());
  return 1;
}

// A usage error found past the option parser (in the --config file, against its connection
// blocks): exit 2 as parse_options does, not 1, which says the run could not go.
int usage_error(const std::string& msg) {
  fail(msg);
  return 2;
}

// The --config file read before EAL starts: start_app_eal's failures are EAL's too (not usage).
std::string config_problem(const std::string& config) {
  std::string err;
  dpdk::Profile p;
  if (!config.empty() && !dpdk::load_profile(config, &p, &err)) return err;
  return {};
}

// A memif client needs its server, a NIC its cable: the run's clock starts once the link is up
// (or cannot be known, as a tap's).
bool wait_for_link(dpdk::Port& port, double seconds) {
  const uint64_t end = rte_get_tsc_cycles() + static_cast<uint64_t>(seconds * rte_get_tsc_hz());
  while (dpdk::link_up(port) == 0) {
    if (rte_get_tsc_cycles() >= end || dpdk::stop_flag().load()) return false;
    rte_delay_ms(10);
  }
  return true;
}

// --linger: the lcores are stopped; the port stays open until the peer leaves (link down) or the
// time is up. memif's PMD unmaps a departed peer's rings from its control thread, under any
// rx_burst still running: a side whose lcores stopped first is the safe one to be left.
void linger_for_peer(dpdk::Port& port, double seconds) {
  if (seconds <= 0 || dpdk::link_up(port) < 0) return;
  std::printf("turnstile-cps: lcores stopped; waiting up to %g s for the server to leave (--linger)\n", seconds);
  std::fflush(stdout);
  const uint64_t end = rte_get_tsc_cycles() + static_cast<uint64_t>(seconds * rte_get_tsc_hz());
  while (rte_get_tsc_cycles() < end && dpdk::link_up(port) == 1) rte_delay_ms(10);
}

std::string banner(const cps::Options& o, dpdk::Datapath& dp) {
  return fmt::format("turnstile-cps: {}/{}{} -> {}, {}, request {}, close {}, rate {}, concurrency {}, on {} (mac {}), "
                     "{} lcore(s)",
                     dpdk::ipv4_str(o.ip), o.prefix_len,
                     o.ip_count > 1 ? fmt::format(" (+{} more)", o.ip_count - 1) : std::string(), o.server_str,
                     o.requests && o.duration > 0 ? fmt::format("{} connections or {:g} s, whichever first", o.requests, o.duration)
                     : o.requests ? fmt::format("{} connections", o.requests)
                     : o.duration > 0 ? fmt::format("{:g} s", o.duration) : std::string("until SIGINT"),
                     o.request_name, o.close_name, o.rate > 0 ? fmt::format("{:g}/s", o.rate) : std::string("max"),
                     o.concurrency, dp.port().name(), dpdk::mac_str(dp.port().mac()), dp.queues());
}

std::string plot_script(const cps::Options& o) { return o.plot_script.empty() ? TS_PLOT_SCRIPT : o.plot_script; }

// `s` as one word to sh (std::system), whatever it holds: in single quotes, where a single quote
// of its own must close them, be escaped, and open them again.
std::string shell_word(const std::string& s) {
  std::string w = "'";
  for (const char c : s) {
    if (c == '\'') w += "'\\''";
    else w += c;
  }
  return w + "'";
}

// What the end of the run writes, checked before it: a run of minutes is not to end in "cannot
// write" or a missing matplotlib. "" when all is well.
std::string outputs_problem(const cps::Options& o) {
  for (const auto& [opt, path] : {std::pair{"--json", o.json}, std::pair{"--plot", o.plot}})
    if (!path.empty())
      if (std::string why = dpdk::unwritable(path); !why.empty()) return std::string(opt) + ": " + why;
  if (o.plot.empty()) return {};
  const std::string script = plot_script(o);
  if (access(script.c_str(), R_OK) != 0) return "--plot: no plotting script " + script + " (give --plot-script)";
  const std::string probe = shell_word(o.python) + " -c 'import matplotlib' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0)
    return "--plot: " + o.python + " does not run or cannot import matplotlib (apt-get install python3-matplotlib, or give --python)";
  return {};
}

int plot(const cps::Options& o, const std::string& json_path) {
  const std::string script = plot_script(o);
  const std::string cmd = shell_word(o.python) + " " + shell_word(script) + " " + shell_word(json_path) + " " + shell_word(o.plot);
  const int rc = std::system(cmd.c_str());
  if (rc != 0) return fail("plotting failed: " + cmd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const dpdk::SplitArgs args = dpdk::split_args(argc, argv);
  cps::Options o;
  int code = 0;
  if (!cps::parse_options(args.app, &o, &code)) return code;
  if (std::string why = outputs_problem(o); !why.empty()) return fail(why);
  if (std::string why = config_problem(o.config); !why.empty()) return usage_error(why);

  std::string err;
  dpdk::install_stop_signals();
  dpdk::Profile profile;
  std::unique_ptr<dpdk::Eal> eal = dpdk::start_app_eal(argv[0], args.eal, o.config, o.verbose, &profile, &err);
  if (!eal) return fail(err);
  if (o.vlan >= 0) profile.port.vlan = static_cast<uint16_t>(o.vlan);

  api::StackConfig sc;
  sc.datapath.profile = profile;
  sc.datapath.ip = o.ip;
  sc.datapath.prefix_len = o.prefix_len;
  sc.datapath.ip_count = o.ip_count;
  sc.datapath.ports = {o.port_lo, o.port_hi};
  sc.datapath.gateway = o.gateway;
  sc.datapath.queues = o.queues;
  sc.datapath.name = "cps";
  if (!o.fault.empty()) sc.datapath.make_port = dpdk::faulty_ethdev(profile.port, o.fault_spec);
  sc.datapath.time_wait_reuse = o.time_wait_reuse < 0 ? tcp::kNever : tcp::Time(o.time_wait_reuse * tcp::kSec);

  // The queue count as Stack::create resolves it, to share the work out. Checked against EAL's
  // lcores before anything starts: Stack::create does only for an ethdev port of its own, and with
  // --fault the port started and the banner came before run() refused.
  const unsigned lcores = dpdk::queue_count(sc.datapath);
  if (std::string why = dpdk::lcores_problem(lcores); !why.empty()) return fail(why);
  const uint32_t blocks = profile.stack.connections_per_queue;
  if (std::string why = cps::sharing_problem(o, lcores, blocks); !why.empty()) return usage_error(why);
  // The default is ours to set: one connection in flight per lcore at least, no more than the
  // blocks hold; the banner and the JSON say what is in force.
  cps::settle_concurrency(&o, lcores, blocks);
  if (std::string why = cps::holding_problem(o, lcores, blocks); !why.empty()) return usage_error(why);
  const std::vector<cps::Plan> plans = cps::make_plans(o, lcores, blocks, rte_get_tsc_hz());
  cps::Control ctl;
  std::vector<cps::Generator*> gens(lcores, nullptr);
  if (!o.fault.empty()) std::printf("turnstile-cps: faulty wire: %s\n", dpdk::to_string(o.fault_spec).c_str());
  auto stack = api::Stack::create(
      sc,
      [&](unsigned i) {
        auto g = std::make_unique<cps::Generator>(plans[i], ctl);
        gens[i] = g.get();
        return g;
      },
      &err);
  if (!stack) return fail(err);
  // Telemetry's /turnstile/* commands read these counters (until the stack goes: its end, or a
  // return before it).
  stats::set_telemetry_source(&stack->stats());
  struct TelemetryRelease {
    ~TelemetryRelease() { stats::set_telemetry_source(nullptr); }
  } telemetry_release;

  dpdk::Datapath& dp = stack->datapath();
  std::printf("%s\n", banner(o, dp).c_str());
  std::fflush(stdout);

  if (!wait_for_link(dp.port(), o.link_wait))
    return fail(std::string(dp.port().name()) + ": link still down after " + std::to_string(o.link_wait) + " s");

  cps::RunInfo ri;
  ri.lcores = dp.queues();
  ri.device = dp.port().name();
  ri.mbufs = dp.mbufs();
  ri.mbufs_in_use_start = rte_mempool_in_use_count(dp.pool());
  ri.eal_args = eal->args();

  std::atomic<bool> stack_stop{false};
  const bool link_known = dpdk::link_up(dp.port()) >= 0;
  cps::Controller ctlr(o, *stack, gens, ctl, stack_stop, cps::arp_wait(o, link_known),
                       cps::stall_limit(o, profile.stack.msl_ms / 1000.0));
  if (!ctlr.start(&err)) return fail(err);
  const bool ran = stack->run(stack_stop, &err);
  stack_stop.store(true);
  ctlr.join();

  ri.warmup = ctlr.warmup();
  ri.opened = ctlr.opened();
  ri.started_unix = ctlr.started_unix();
  ri.elapsed = ctlr.elapsed();
  ri.active = ctlr.active();
  ri.stopped_by = ctlr.stopped_by();
  dp.reclaim_sent();  // what a driver still holds of the frames it sent (af_xdp) is not in use
  ri.mbufs_in_use_end = rte_mempool_in_use_count(dp.pool());
  for (uint16_t q = 0; q < dp.queues(); q++) {
    ri.live_connections.push_back(dp.lcore(q).live_connections());
    ri.live_connections_peak.push_back(dp.lcore(q).live_connections_peak());
    ri.time_wait_entries.push_back(dp.lcore(q).time_wait_entries());
  }
  const cps::Totals t = ctlr.totals();
  ctlr.close_series(t);
  std::printf("%s\n", cps::summary(o, t, ri, ctlr.series()).c_str());
  if (const std::string h = stats::drop_hint(ri.device, t.stack); !h.empty()) std::printf("%s\n", h.c_str());
  std::fflush(stdout);

  int rc = 0;
  std::string json_path = o.json;
  if (json_path.empty() && !o.plot.empty()) json_path = o.plot + ".json";
  if (!json_path.empty()) {
    std::ofstream f(json_path);
    f << cps::report_json(o, t, ri, ctlr.series()).dump(2) << "\n";
    if (!f) rc = fail("cannot write " + json_path);
  }
  linger_for_peer(dp.port(), o.linger);
  stats::set_telemetry_source(nullptr);
  stack.reset();
  eal.reset();
  if (!ran) return fail(err);
  // Not a figure: the run never began (a wrong --server or --gateway, or no link to it).
  if (ctlr.unanswered() && rc == 0)
    rc = fail(fmt::format("{} never answered ARP in {:g} s{}: no connection could open (is the {} right?)",
                          dpdk::ipv4_str(o.gateway ? o.gateway : o.server_ip), cps::arp_wait(o, link_known),
                          link_known ? "" : " (with --link-wait: the link's state cannot be known)",
                          o.gateway ? "--gateway" : "--server"));
  if (rc == 0 && !o.plot.empty()) {
    rc = plot(o, json_path);
    if (o.json.empty()) std::remove(json_path.c_str());
  }
  return rc;
}
