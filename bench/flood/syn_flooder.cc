// syn_flooder: a small DPDK SYN flooder for the stack-to-stack flood benchmark. It sits on the
// other end of a net_memif (or any) port from turnstile-server and sends SYNs from spoofed
// sources in 198.19.0.0/16 (off the server's /24, so they go back through its gateway: us) as
// fast as the port takes them, or at --rate. Every --real-every'th SYN is a real client from
// --ip: it answers its SYN-ACK with the ACK that completes the handshake (through the cookie
// when the server sent one), then a RST so that the block is freed at once. It answers ARP for
// --ip and asks for --target's MAC before it starts.
//
//   syn_flooder [EAL options] -- --target 198.18.0.2 --ip 198.18.0.1 [--port 80] [--duration S]
//               [--count N] [--rate PPS] [--real-every N] [--json FILE]
//
// Bounded in time (--duration, at most 600 s) and in count (--count SYNs, 10^9 unless told):
// it stops at whichever comes first.
//
// --target and --ip must lie in 127.0.0.0/8 or 198.18.0.0/15; a bad option is refused in one line
// (exit status 2) before DPDK starts.
//
// Prints one line a second and a JSON summary: SYNs offered (tx_burst accepted) and refused
// (port full: the server is not draining fast enough), SYN-ACKs received, real handshakes done, and
// how many unmaps waited for the flood loop (a departed memif peer's rings: lib/dpdk/pmd_guard.h).
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dpdk/netif.h"
#include "dpdk/pmd_guard.h"
#include "wire/frame.h"

namespace {

using namespace ts;
namespace tf = wire::tcp_flags;

constexpr uint16_t kBurst = 32;
constexpr size_t kMaxUrgent = 4096;
constexpr uint32_t kTestNet = 0xc6120000;   // 198.18.0.0/15: --target and --ip in it, or in 127/8
constexpr uint32_t kSpoofNet = 0xc6130000;  // 198.19.0.0/16: in 198.18.0.0/15, off the server's /24
volatile std::sig_atomic_t g_stop = 0;

struct Options {
  uint32_t target = 0, ip = 0;
  uint16_t port = 80;
  double duration = 10;
  uint64_t count = 1'000'000'000;  // SYNs, real clients' included
  double rate = 0;         // SYNs per second; 0: as fast as the port takes them
  uint32_t real_every = 100;
  std::string json;
};

struct Counts {
  uint64_t syn_sent = 0, syn_refused = 0, synack_in = 0, rst_in = 0, other_in = 0;
  uint64_t real_sent = 0, real_synack = 0, real_acked = 0;
};

// xorshift64*: spoofed addresses, ports and ISNs; no need for quality, only for spread.
struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint64_t next() {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
  }
};

struct Flooder {
  Options o;
  uint16_t port = 0;
  rte_mempool* pool = nullptr;
  wire::Mac mac, target_mac;
  bool have_target = false;
  Rng rng;
  uint16_t real_port = 1024;
  std::vector<rte_mbuf*> urgent;
  Counts n;
  dpdk::pmd_guard::Reader* reader = nullptr;  // passes a point before each receive burst
};

bool parse(int argc, char** argv, Options* o) {
  CLI::App app{"syn_flooder: spoofed SYNs at a Turnstile stack over a DPDK port", "syn_flooder"};
  std::string target, ip;
  app.add_option("--target", target, "the server's address")->required();
  app.add_option("--ip", ip, "our address (the server's gateway, and the real clients')")->required();
  app.add_option("--port", o->port, "the server's port");
  app.add_option("--duration", o->duration, "seconds of flood")->check(CLI::Range(0.1, 600.0));
  app.add_option("--count", o->count, "stop after this many SYNs")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000'000}));
  app.add_option("--rate", o->rate, "SYNs per second (0: as fast as the port takes them)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const double r = std::strtod(v.c_str(), nullptr);
            return r == 0 || (r >= 1 && r <= 1e9) ? "" : "must be 0 (as fast as the port takes them) or 1 to 1e9 SYN/s";
          },
          "0 or 1..1e9"));
  app.add_option("--real-every", o->real_every, "one real client SYN every N SYNs")->check(CLI::Range(1u, 1u << 30));
  app.add_option("--json", o->json, "write the summary here too");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return false;
  }
  auto t = dpdk::parse_ipv4(target), m = dpdk::parse_ipv4(ip);
  if (!t || !m) return std::fprintf(stderr, "syn_flooder: bad --target or --ip\n"), false;
  // A flood aims at test addresses only: loopback, or the benchmarking block (RFC 2544).
  auto test_address = [](uint32_t a) { return (a >> 24) == 127 || (a >> 17) == (kTestNet >> 17); };
  const std::string* off = !test_address(*t) ? &target : !test_address(*m) ? &ip : nullptr;
  if (off)
    return std::fprintf(stderr, "syn_flooder: %s %s is not in 127.0.0.0/8 or 198.18.0.0/15\n",
                        off == &target ? "--target" : "--ip", off->c_str()),
           false;
  if (*t == *m) return std::fprintf(stderr, "syn_flooder: --target and --ip are the same address\n"), false;
  o->target = *t, o->ip = *m;
  return true;
}

bool port_init(Flooder& f) {
  if (rte_eth_dev_count_avail() == 0) return std::fprintf(stderr, "syn_flooder: no port (give --vdev)\n"), false;
  f.pool = rte_pktmbuf_pool_create("flood_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  rte_eth_conf conf{};
  if (!f.pool || rte_eth_dev_configure(f.port, 1, 1, &conf) != 0 ||
      rte_eth_rx_queue_setup(f.port, 0, 1024, rte_eth_dev_socket_id(f.port), nullptr, f.pool) != 0 ||
      rte_eth_tx_queue_setup(f.port, 0, 1024, rte_eth_dev_socket_id(f.port), nullptr) != 0 ||
      rte_eth_dev_start(f.port) != 0)
    return std::fprintf(stderr, "syn_flooder: cannot set up port %u\n", f.port), false;
  rte_ether_addr a;
  rte_eth_macaddr_get(f.port, &a);
  std::memcpy(f.mac.b, a.addr_bytes, 6);
  return true;
}

bool wait_link(uint16_t port, double seconds) {
  const uint64_t end = rte_get_tsc_cycles() + static_cast<uint64_t>(seconds * rte_get_tsc_hz());
  while (rte_get_tsc_cycles() < end && !g_stop) {
    rte_eth_link l;
    if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status) return true;
    rte_delay_ms(10);
  }
  return false;
}

// Frames that must not be lost to a full port (ARP, the real clients' ACK and RST) wait here
// and leave before the next burst of SYNs, as a real client's ACK would be retransmitted.
void flush_urgent(Flooder& f) {
  if (f.urgent.empty()) return;
  const uint16_t sent = rte_eth_tx_burst(f.port, 0, f.urgent.data(), static_cast<uint16_t>(std::min<size_t>(f.urgent.size(), kBurst)));
  f.urgent.erase(f.urgent.begin(), f.urgent.begin() + sent);
}

// Queues one frame built by `build` (which returns its length, 0 on failure) as urgent.
template <typename Build>
bool send_one(Flooder& f, Build build) {
  if (f.urgent.size() >= kMaxUrgent) return false;
  rte_mbuf* m = rte_pktmbuf_alloc(f.pool);
  if (!m) return false;
  const size_t len = build(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_tailroom(m));
  if (len == 0) return rte_pktmbuf_free(m), false;
  m->data_len = m->pkt_len = static_cast<uint32_t>(std::max<size_t>(len, 60));
  f.urgent.push_back(m);
  flush_urgent(f);
  return true;
}

wire::TcpFrameSpec spec_to_target(const Flooder& f) {
  wire::TcpFrameSpec s;
  s.src_mac = f.mac;
  s.dst_mac = f.target_mac;
  s.dst_ip = f.o.target;
  s.dport = f.o.port;
  s.window = 64240;
  return s;
}

// The real client's half: ACK the SYN-ACK (completing the handshake), then RST the connection.
void answer_synack(Flooder& f, const wire::Frame& in) {
  f.n.real_synack++;
  wire::TcpFrameSpec s = spec_to_target(f);
  s.src_ip = f.o.ip;
  s.sport = in.tcp.dport;
  s.seq = in.tcp.ack;
  s.ack = in.tcp.seq + 1;
  s.flags = tf::kAck;
  if (!send_one(f, [&](uint8_t* b, size_t cap) { return wire::build_tcp_frame(b, cap, s); })) return;
  f.n.real_acked++;
  s.flags = tf::kRst;
  s.ack = 0;
  send_one(f, [&](uint8_t* b, size_t cap) { return wire::build_tcp_frame(b, cap, s); });
}

void on_arp(Flooder& f, const wire::Frame& in) {
  if (in.arp.op == wire::kArpOpReply && in.arp.spa == f.o.target) {
    f.target_mac = in.arp.sha;
    f.have_target = true;
  } else if (in.arp.op == wire::kArpOpRequest && in.arp.tpa == f.o.ip) {
    wire::EtherHeader eth;
    eth.src = f.mac;
    send_one(f, [&](uint8_t* b, size_t cap) { return wire::build_arp_reply(b, cap, eth, in.arp); });
  }
}

void on_frame(Flooder& f, rte_mbuf* m) {
  wire::Frame in;
  if (wire::parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), rte_pktmbuf_data_len(m), 0, in) != wire::WireError::kOk)
    return void(f.n.other_in++);
  if (in.kind == wire::FrameKind::kArp) return on_arp(f, in);
  if (in.kind != wire::FrameKind::kIpv4Tcp) return void(f.n.other_in++);
  const uint8_t fl = in.tcp.flags;
  if ((fl & (tf::kSyn | tf::kAck)) == (tf::kSyn | tf::kAck)) {
    f.n.synack_in++;
    if (in.ip.dst == f.o.ip) answer_synack(f, in);
  } else if (fl & tf::kRst) {
    f.n.rst_in++;
  } else {
    f.n.other_in++;
  }
}

uint16_t poll_rx(Flooder& f) {
  if (f.reader) f.reader->pass();  // outside any burst: a peer's departure may unmap its rings now
  rte_mbuf* rx[kBurst];
  const uint16_t got = rte_eth_rx_burst(f.port, 0, rx, kBurst);
  for (uint16_t i = 0; i < got; i++) {
    on_frame(f, rx[i]);
    rte_pktmbuf_free(rx[i]);
  }
  return got;
}

bool resolve_target(Flooder& f, double seconds) {
  const uint64_t hz = rte_get_tsc_hz(), end = rte_get_tsc_cycles() + static_cast<uint64_t>(seconds * hz);
  uint64_t next_ask = 0;
  while (!f.have_target && !g_stop && rte_get_tsc_cycles() < end) {
    flush_urgent(f);
    if (rte_get_tsc_cycles() >= next_ask) {
      wire::EtherHeader eth;
      eth.src = f.mac;
      send_one(f, [&](uint8_t* b, size_t cap) { return wire::build_arp_request(b, cap, eth, f.o.ip, f.o.target); });
      next_ask = rte_get_tsc_cycles() + hz / 10;
    }
    poll_rx(f);
  }
  return f.have_target;
}

// One burst of SYNs; the real client's SYN comes from --ip with a port of its own.
uint16_t send_syns(Flooder& f, uint16_t want) {
  rte_mbuf* tx[kBurst];
  if (rte_pktmbuf_alloc_bulk(f.pool, tx, want) != 0) return 0;
  wire::TcpFrameSpec s = spec_to_target(f);
  s.flags = tf::kSyn;
  bool real_at[kBurst];
  for (uint16_t i = 0; i < want; i++) {
    const uint64_t r = f.rng.next();
    const bool real = (f.n.syn_sent + i) % f.o.real_every == 0;
    real_at[i] = real;
    s.src_ip = real ? f.o.ip : kSpoofNet | static_cast<uint32_t>(r & 0xffff);
    s.sport = real ? f.real_port++ : static_cast<uint16_t>(1024 + ((r >> 16) % 64512));
    if (real && f.real_port == 0) f.real_port = 1024;
    s.seq = static_cast<uint32_t>(r >> 32);
    const size_t len = wire::build_tcp_frame(rte_pktmbuf_mtod(tx[i], uint8_t*), rte_pktmbuf_tailroom(tx[i]), s);
    tx[i]->data_len = tx[i]->pkt_len = static_cast<uint32_t>(std::max<size_t>(len, 60));
  }
  const uint16_t sent = rte_eth_tx_burst(f.port, 0, tx, want);
  for (uint16_t i = sent; i < want; i++) rte_pktmbuf_free(tx[i]);
  for (uint16_t i = 0; i < sent; i++) f.n.real_sent += real_at[i];
  f.n.syn_sent += sent;
  f.n.syn_refused += want - sent;
  return sent;
}

nlohmann::json summary(const Flooder& f, double secs) {
  const Counts& n = f.n;
  return {{"elapsed_s", secs}, {"syn_sent", n.syn_sent}, {"syn_refused", n.syn_refused},
          {"synack_in", n.synack_in}, {"rst_in", n.rst_in}, {"other_in", n.other_in},
          {"real_sent", n.real_sent}, {"real_synack", n.real_synack}, {"real_acked", n.real_acked},
          {"syn_per_s", n.syn_sent / secs}, {"synack_per_s", n.synack_in / secs},
          {"unmap_waits", dpdk::pmd_guard::waits()}};
}

void flood(Flooder& f) {
  const uint64_t hz = rte_get_tsc_hz(), t0 = rte_get_tsc_cycles();
  const uint64_t end = t0 + static_cast<uint64_t>(f.o.duration * hz);
  const uint64_t gap = f.o.rate > 0 ? static_cast<uint64_t>(hz * kBurst / f.o.rate) : 0;
  uint64_t next_burst = t0, next_line = t0 + hz;
  Counts last = f.n;
  for (uint64_t now = t0; now < end && !g_stop; now = rte_get_tsc_cycles()) {
    flush_urgent(f);
    if (f.n.syn_sent >= f.o.count) break;
    if (now >= next_burst && f.urgent.empty()) {
      send_syns(f, static_cast<uint16_t>(std::min<uint64_t>(kBurst, f.o.count - f.n.syn_sent)));
      next_burst = gap ? next_burst + gap : now;
    }
    poll_rx(f);
    if (now >= next_line) {
      std::printf("[%5.1fs] syn %lu/s (refused %lu/s)  syn-ack %lu/s  real %lu/%lu\n",
                  static_cast<double>(now - t0) / hz, f.n.syn_sent - last.syn_sent,
                  f.n.syn_refused - last.syn_refused, f.n.synack_in - last.synack_in, f.n.real_acked,
                  f.n.real_sent);
      std::fflush(stdout);
      last = f.n;
      next_line += hz;
    }
  }
  // The answers still in flight: a loaded server can be well behind the last SYN, so the drain
  // ends once nothing has come for 200 ms (at most 5 s), not at a fixed time.
  uint64_t quiet_until = rte_get_tsc_cycles() + hz / 5;
  for (const uint64_t limit = rte_get_tsc_cycles() + 5 * hz;;) {
    const uint64_t now = rte_get_tsc_cycles();
    if (now >= quiet_until || now >= limit) break;
    flush_urgent(f);
    if (poll_rx(f)) quiet_until = now + hz / 5;
  }
  for (rte_mbuf* m : f.urgent) rte_pktmbuf_free(m);
  f.urgent.clear();
}

}  // namespace

int main(int argc, char** argv) {
  // Our options (after "--") first: a bad one is refused before EAL takes a core, memory, files.
  int sep = 1;
  while (sep < argc && std::strcmp(argv[sep], "--") != 0) sep++;
  Flooder f;
  std::vector<char*> ours{argv[0]};
  for (int i = sep + 1; i < argc; i++) ours.push_back(argv[i]);
  if (!parse(static_cast<int>(ours.size()), ours.data(), &f.o)) return 2;
  if (rte_eal_init(sep, argv) < 0) return std::fprintf(stderr, "syn_flooder: EAL init failed\n"), 1;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  if (!port_init(f)) return 1;
  if (!wait_link(f.port, 10)) return std::fprintf(stderr, "syn_flooder: link did not come up\n"), 1;
  double secs = 0;
  {
    // A server that leaves first has memif unmap its rings under our bursts (lib/dpdk/pmd_guard.h):
    // the unmap waits for this loop's next point.
    const dpdk::pmd_guard::Section guard;
    f.reader = guard.reader();
    if (!resolve_target(f, 10)) return std::fprintf(stderr, "syn_flooder: no ARP answer from the target\n"), 1;
    const uint64_t t0 = rte_get_tsc_cycles();
    flood(f);
    secs = static_cast<double>(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz();
    f.reader = nullptr;
  }
  const nlohmann::json j = summary(f, secs);
  std::printf("%s\n", j.dump().c_str());
  if (!f.o.json.empty()) std::ofstream(f.o.json) << j.dump(2) << "\n";
  rte_eth_dev_stop(f.port);
  rte_eth_dev_close(f.port);
  rte_eal_cleanup();
  return 0;
}
