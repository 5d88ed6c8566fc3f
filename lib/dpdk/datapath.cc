#include "dpdk/datapath.h"

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include <random>

#include "dpdk/boot_secret.h"
#include "dpdk/ethdev_port.h"
#include "dpdk/mempool.h"
#include "dpdk/pmd_guard.h"

namespace ts::dpdk {

namespace {

uint64_t random64() {
  std::random_device rd;
  return (uint64_t(rd()) << 32) ^ rd();
}

struct LaunchArg {
  Lcore* lcore;
  const std::atomic<bool>* stop;
};

int lcore_main(void* p) {
  auto* a = static_cast<LaunchArg*>(p);
  a->lcore->run(*a->stop);
  return 0;
}

}  // namespace

uint16_t queue_count(const DatapathConfig& cfg) {
  const Profile& p = cfg.profile;
  return cfg.queues ? cfg.queues : p.port.queues ? p.port.queues : static_cast<uint16_t>(rte_lcore_count());
}

std::string lcores_problem(size_t queues) {
  const size_t lcores = rte_lcore_count();
  if (queues <= lcores) return {};
  return std::to_string(queues) + " queues need as many lcores, EAL has " + std::to_string(lcores) +
         " (give more with -l, or fewer queues)";
}

std::unique_ptr<Datapath> Datapath::create(const DatapathConfig& cfg, std::string* err) {
  std::unique_ptr<Datapath> d(new Datapath());
  const Profile& p = cfg.profile;
  const uint16_t queues = queue_count(cfg);
  d->lcore_ids_.push_back(rte_get_main_lcore());
  unsigned id;
  RTE_LCORE_FOREACH_WORKER(id) d->lcore_ids_.push_back(id);
  if (std::string why = lcores_problem(queues); !cfg.make_port && !why.empty()) {
    *err = why;
    return nullptr;
  }
  d->lcore_ids_.resize(queues, rte_get_main_lcore());

  const uint32_t send_buffers = uint32_t(queues) * 8192;
  d->mbufs_ = mbufs_needed(p, queues, cfg.workers, send_buffers, rte_lcore_count());
  d->pool_ = create_pool(cfg.name + "_pool", d->mbufs_, p.port.mbuf_cache, err);
  if (!d->pool_) return nullptr;
  d->port_ = cfg.make_port ? cfg.make_port(d->pool_, queues, err) : EthdevPort::open(p.port, queues, d->pool_, err);
  if (!d->port_) return nullptr;

  Shared& sh = d->shared_;
  sh.netif.ip = cfg.ip;
  sh.netif.prefix_len = cfg.prefix_len;
  sh.netif.gateway = cfg.gateway;
  sh.netif.ip_count = cfg.ip_count ? cfg.ip_count : 1;
  sh.netif.vlan = p.port.vlan;
  sh.time_wait_reuse = cfg.time_wait_reuse;
  sh.netif.mac = d->port_->mac();
  sh.port = d->port_.get();
  sh.pool = d->pool_;
  d->arp_ = std::make_unique<ArpCache>(1024, tcp::Time(p.stack.arp_timeout_s) * tcp::kSec);
  sh.arp = d->arp_.get();
  sh.sink = cfg.sink;
  sh.tcp.app_window = cfg.sink && cfg.sink->reads_later();
  sh.one_queue = queues == 1;
  sh.reta = d->port_->reta_size() ? rss::Reta::from_entries(d->port_->reta(), d->port_->reta_size())
                                  : rss::Reta::round_robin(queues);
  sh.tcp.msl = tcp::Time(p.stack.msl_ms) * tcp::kMsec;
  sh.tcp.mss = static_cast<uint16_t>(d->port_->mtu() - 40);
  sh.tcp.rcv_wnd = p.stack.receive_window;
  sh.tcp.sack_permitted = p.stack.sack;
  sh.tcp.tail_loss_probe = p.stack.tail_loss_probe;
  sh.tcp.syncookies = p.stack.syncookies;
  sh.tcp.max_half_open = p.stack.max_half_open;
  sh.tcp.abort_on_overflow = p.stack.abort_on_overflow;
  sh.tcp.keepalive = p.stack.keepalive;
  sh.tcp.keepalive_idle = tcp::Time(p.stack.keepalive_idle_ms) * tcp::kMsec;
  sh.tcp.keepalive_interval = tcp::Time(p.stack.keepalive_interval_ms) * tcp::kMsec;
  sh.tcp.keepalive_probes = static_cast<uint8_t>(p.stack.keepalive_probes);
  sh.tcp.fin_wait2_timeout = tcp::Time(p.stack.fin_timeout_ms) * tcp::kMsec;
  sh.tcp.syn_retries = static_cast<uint8_t>(p.stack.syn_retries);
  sh.tcp.syn_rto = tcp::Time(p.stack.syn_rto_ms) * tcp::kMsec;
  sh.tcp.synack_retries = static_cast<uint8_t>(p.stack.synack_retries);
  sh.tcp.synack_rto = tcp::Time(p.stack.synack_rto_ms) * tcp::kMsec;
  BootSecret secret = boot_secret();
  sh.isn_key = secret.isn;
  sh.ts_key = secret.ts;
  if (!secret.note.empty()) RTE_LOG(NOTICE, USER1, "%s\n", secret.note.c_str());
  sh.ports = cfg.ports;
  sh.table_seed = random64();
  sh.conns_per_queue = p.stack.connections_per_queue;
  sh.time_wait_per_queue = p.stack.time_wait_per_queue == StackProfile::kAsConnections
                               ? p.stack.connections_per_queue
                               : p.stack.time_wait_per_queue;
  sh.handoff_ring_size = p.stack.rx_ring_size;
  sh.out_of_order_mbufs = p.stack.out_of_order_mbufs;
  sh.send_buffer = p.stack.send_buffer;
  sh.burst = p.port.burst;
  sh.rx_checksum_trusted = p.port.rx_checksum == Offload::kTrust;
  if (sh.rx_checksum_trusted)
    RTE_LOG(NOTICE, USER1, "[port] rx_checksum = trust: received IPv4 and TCP checksums are not verified\n");

  d->stats_ = std::make_unique<stats::Registry>(queues);
  const tcp::Time now = sh.clock.now();
  sh.probe_until = cfg.probe_time ? now + cfg.probe_time : 0;
  for (uint16_t q = 0; q < queues; q++) {
    auto l = Lcore::create(sh, q, d->stats_->slot(q), now, err);
    if (!l) return nullptr;
    sh.lcores.push_back(l.get());
    d->lcores_.push_back(std::move(l));
  }
  return d;
}

Datapath::~Datapath() {
  lcores_.clear();
  port_.reset();  // stops the port: the PMD gives its mbufs back before the pool goes
  if (pool_) rte_mempool_free(pool_);
}

// Every lcore listens on the same ports, so the first refuses a second listen before any changes.
bool Datapath::listen(uint16_t port, uint32_t backlog, std::string* err) {
  if (backlog == 0) {  // an accept queue of none would drop every SYN
    if (err) *err = "a listener's backlog must be at least 1";
    return false;
  }
  for (auto& l : lcores_) {
    if (!l->listen(port, backlog)) {
      if (err) *err = "port " + std::to_string(port) + " is already listened on";
      return false;
    }
  }
  return true;
}

void Datapath::shutdown() {
  const pmd_guard::Section guard;  // the RSTs go out through the PMD's bursts
  for (auto& l : lcores_) l->shutdown();
}

unsigned Datapath::close_port() {
  shutdown();  // after it an lcore has nothing left to send: it never touches the port again
  reclaim_sent();
  port_.reset();
  return rte_mempool_in_use_count(pool_);
}

// The last bursts' frames may still be the driver's: af_xdp frees a sent frame when a later
// burst finds it on its completion ring, which the kernel fills as the frame leaves (on a veth,
// once the peer has taken it). Asked again each millisecond until the pool's count has held
// still for kSteadyMs, at most kMaxMs: without it the count at close moved by the size of the
// last burst from one run to the next, and test veth could not tell a leak from it.
void Datapath::reclaim_sent() {
  constexpr int kSteadyMs = 5, kMaxMs = 200;
  if (!port_) return;
  unsigned last = rte_mempool_in_use_count(pool_);
  for (int ms = 0, steady = 0; ms < kMaxMs && steady < kSteadyMs; ms++) {
    {
      const pmd_guard::Section guard;  // memif's bursts touch its peer's memory
      port_->reclaim_tx();
    }
    rte_delay_us_sleep(1000);
    const unsigned now = rte_mempool_in_use_count(pool_);
    steady = now == last ? steady + 1 : 0;
    last = now;
  }
}

bool Datapath::run(const std::atomic<bool>& stop, std::string* err) {
  if (std::string why = lcores_problem(lcores_.size()); !why.empty()) {
    *err = why;
    return false;
  }
  for (size_t q = 1; q < lcores_.size(); q++) {
    if (rte_eal_get_lcore_state(lcore_ids_[q]) != WAIT) {
      *err = "lcore " + std::to_string(lcore_ids_[q]) + " is busy: queue " + std::to_string(q) + " cannot run";
      return false;
    }
  }
  std::vector<LaunchArg> args(lcores_.size());
  for (size_t q = 0; q < lcores_.size(); q++) args[q] = {lcores_[q].get(), &stop};
  for (size_t q = 1; q < lcores_.size(); q++) rte_eal_remote_launch(lcore_main, &args[q], lcore_ids_[q]);
  lcore_main(&args[0]);
  for (size_t q = 1; q < lcores_.size(); q++) rte_eal_wait_lcore(lcore_ids_[q]);
  return true;
}

}  // namespace ts::dpdk
