// The stack's own cost per connection, without a NIC, without idle polling and without a second
// core: turnstile-cps's Generator and turnstile-server's HTTP handler on two stacks in one
// process, wired by MemPorts (mbuf pointers through rings, no copy, software checksums as on
// memif), polled in turn on one thread. The TSC is read around every poll, so each side's figure
// is the time its lcore spent on the connections (empty polls included, which are few at full
// load). Repeatable enough to steer optimisation; `valgrind --tool=callgrind` counts its
// instructions exactly.
//
//   bench_cps_inproc [connections] [concurrency] [client|server|rst] [verify|trust]
//                                 (defaults 200000, 256, client: turnstile-cps's --close, and verify:
//                                 [port] rx_checksum = trust on both stacks with trust; no root needed)
#include <rte_cycles.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/stack.h"
#include "dpdk/eal.h"
#include "dpdk/mem_port.h"
#include "generator.h"
#include "handlers.h"
#include "options.h"

namespace ts {
namespace {

// One name a side, so that a profiler can count them apart:
//   valgrind --tool=callgrind --toggle-collect='ts::(anonymous namespace)::poll_client_side*' ...
[[gnu::noipa]] void poll_client_side(dpdk::Lcore& l) { l.poll(l.shared().clock.now()); }
[[gnu::noipa]] void poll_server_side(dpdk::Lcore& l) { l.poll(l.shared().clock.now()); }

constexpr uint32_t kServerIp = 0xc6120002;  // 198.18.0.2
constexpr uint32_t kClientIp = 0xc6120003;  // 198.18.0.3
dpdk::Offload g_rx_checksum = dpdk::Offload::kAuto;  // both stacks' [port] rx_checksum

std::unique_ptr<api::Stack> make_stack(const char* name, uint32_t ip, uint8_t mac_last, dpdk::MemPort** port,
                                       api::HandlerFactory f, bool explicit_consume = false) {
  api::StackConfig sc;
  sc.explicit_consume = explicit_consume;
  dpdk::DatapathConfig& dc = sc.datapath;
  dc.profile = dpdk::default_profile();
  dc.profile.port.mbufs = 16383;
  dc.profile.port.rx_checksum = g_rx_checksum;
  dc.ip = ip;
  dc.prefix_len = 24;
  dc.queues = 1;
  dc.name = name;
  dc.time_wait_reuse = tcp::kMsec;  // turnstile-cps's default (--time-wait-reuse 0.001)
  dc.make_port = [port, name, mac_last](rte_mempool*, uint16_t, std::string* err) {
    auto p = dpdk::MemPort::create(name, 1, wire::Mac{{0x02, 0, 0, 0, 0, mac_last}}, true, err);
    *port = p.get();
    return std::unique_ptr<dpdk::Port>(std::move(p));
  };
  std::string err;
  auto s = api::Stack::create(sc, std::move(f), &err);
  if (!s) std::fprintf(stderr, "bench_cps_inproc: %s: %s\n", name, err.c_str());
  return s;
}

int run(uint64_t conns, uint32_t concurrency, cps::CloseMode close) {
  cps::Plan plan;
  plan.close = close;
  plan.server_ip = kServerIp;
  plan.concurrency = concurrency;
  plan.quota = conns;
  cps::Options o;  // the request turnstile-cps sends to the server with this close
  o.host = "198.18.0.2";
  o.close = close;
  plan.request = cps::request_bytes(o);
  plan.tsc_hz = rte_get_tsc_hz();
  plan.timeout_cycles = 5 * plan.tsc_hz;
  cps::Control ctl;
  cps::Generator* gen = nullptr;

  dpdk::MemPort *sp = nullptr, *cp = nullptr;
  auto server = make_stack("srv", kServerIp, 2, &sp,
                           [](unsigned) { return server::make_handler(server::Mode::kHttp, "Hello from Turnstile\n"); },
                           server::explicit_consume(server::Mode::kHttp));  // as turnstile-server runs it
  auto client = make_stack("cli", kClientIp, 3, &cp, [&](unsigned) {
    auto g = std::make_unique<cps::Generator>(plan, ctl);
    gen = g.get();
    return g;
  });
  if (!server || !client) return 1;
  if (!server->listen(80, 4096)) return 1;
  dpdk::MemPort::connect(*sp, *cp);
  dpdk::Lcore& sl = server->datapath().lcore(0);
  dpdk::Lcore& cl = client->datapath().lcore(0);

  uint64_t server_cycles = 0, client_cycles = 0, polls = 0;
  const uint64_t limit = rte_get_tsc_cycles() + 10 * plan.tsc_hz;
  const cps::GenCounters& gc = gen->counters();
  auto ended = [&gc] {
    uint64_t n = gc.completed;
    for (uint64_t f : gc.failed) n += f;
    return n;
  };
  while (ended() < conns) {
    const uint64_t t0 = rte_rdtsc();
    poll_client_side(cl);
    const uint64_t t1 = rte_rdtsc();
    poll_server_side(sl);
    const uint64_t t2 = rte_rdtsc();
    client_cycles += t1 - t0;
    server_cycles += t2 - t1;
    polls++;
    if (t2 > limit) {
      std::fprintf(stderr, "bench_cps_inproc: not done in 120 s: attempted %llu connected %llu completed %llu\n",
                   (unsigned long long)gc.attempted, (unsigned long long)gc.connected,
                   (unsigned long long)gc.completed);
      return 1;
    }
  }
  uint64_t failed = 0;
  for (uint64_t f : gc.failed) failed += f;
  const double ns = 1e9 / static_cast<double>(plan.tsc_hz) / static_cast<double>(conns);
  const double cns = static_cast<double>(client_cycles) * ns, sns = static_cast<double>(server_cycles) * ns;
  std::printf("connections %llu  completed %llu  failed %llu  concurrency %u  polls per side %llu\n",
              (unsigned long long)conns, (unsigned long long)gc.completed, (unsigned long long)failed, concurrency,
              (unsigned long long)polls);
  std::printf("ns per connection: client %.0f  server %.0f  (one core to each side: %.0f CPS)\n", cns, sns,
              1e9 / std::max(cns, sns));
  using stats::Counter;
  const stats::Snapshot c = client->stats().total(), s = server->stats().total();
  const auto per = [conns](uint64_t v) { return static_cast<double>(v) / static_cast<double>(conns); };
  std::printf("segments per connection: client in %.2f out %.2f  server in %.2f out %.2f  (client frames in %.2f)\n",
              per(c[Counter::tcp_segs_in]), per(c[Counter::tcp_segs_out]), per(s[Counter::tcp_segs_in]),
              per(s[Counter::tcp_segs_out]), per(c[Counter::rx_packets]));
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace ts

namespace {

constexpr const char* kUsage =
    "usage: bench_cps_inproc [connections] [concurrency] [client|server|rst] [verify|trust]\n"
    "  connections 1 to 100000000 (default 200000), concurrency 1 to 4096 (default 256),\n"
    "  the close as turnstile-cps's --close (default client), received checksums verified\n"
    "  (default) or trusted ([port] rx_checksum = trust on both stacks)\n";

// A whole decimal number in [lo, hi], or false.
bool parse_count(const char* s, uint64_t lo, uint64_t hi, uint64_t* v) {
  char* end = nullptr;
  if (*s < '0' || *s > '9') return false;
  errno = 0;
  *v = std::strtoull(s, &end, 10);
  return errno == 0 && *end == '\0' && *v >= lo && *v <= hi;
}

int usage_error(const std::string& what) {
  std::fprintf(stderr, "bench_cps_inproc: %s\n%s", what.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc > 5) return usage_error("too many arguments");
  uint64_t conns = 200000, conc = 256;
  if (argc > 1 && !parse_count(argv[1], 1, 100000000, &conns))
    return usage_error(std::string("connections must be 1 to 100000000, not '") + argv[1] + "'");
  // The profile's connection blocks (and MemPort's rings) bound what may be in flight.
  if (argc > 2 && !parse_count(argv[2], 1, 4096, &conc))
    return usage_error(std::string("concurrency must be 1 to 4096, not '") + argv[2] + "'");
  const std::string close = argc > 3 ? argv[3] : "client";
  if (close != "client" && close != "server" && close != "rst")
    return usage_error("the close mode is client, server or rst, not '" + close + "'");
  const std::string sums = argc > 4 ? argv[4] : "verify";
  if (sums != "verify" && sums != "trust")
    return usage_error("received checksums are verify or trust, not '" + sums + "'");
  if (sums == "trust") ts::g_rx_checksum = ts::dpdk::Offload::kTrust;
  const std::string prefix = "--file-prefix=ts_bcps" + std::to_string(getpid());
  ts::dpdk::EalOptions o;
  o.user = {"--no-huge", "-m", "1024", "--no-shconf", "--no-pci", "--no-telemetry", "-l", "0", prefix};
  std::string err;
  auto eal = ts::dpdk::Eal::start("bench_cps_inproc", o, &err);
  if (!eal) {
    std::fprintf(stderr, "bench_cps_inproc: %s\n", err.c_str());
    return 1;
  }
  using ts::cps::CloseMode;
  return ts::run(conns, static_cast<uint32_t>(conc), close == "rst" ? CloseMode::kRst : close == "server" ? CloseMode::kServer : CloseMode::kClient);
}
