// A running stack on one port: the mempool, the port, the neighbour cache, one Lcore per queue,
// the counters. The application (lib/api) owns one and drives it with run().
//
// Thread safety: create(), listen(), shutdown() and the destructor on the main thread with no
// lcore running; run() on the main lcore; stats() from any thread.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dpdk/arp_cache.h"
#include "dpdk/lcore.h"
#include "dpdk/profile.h"
#include "stats/registry.h"

namespace ts::dpdk {

struct DatapathConfig {
  Profile profile;
  uint32_t ip = 0;            // host order
  uint8_t prefix_len = 24;
  uint32_t gateway = 0;
  uint16_t queues = 0;        // 0: the profile's, or one per EAL lcore
  uint16_t workers = 0;       // application worker threads (for mempool sizing)
  AppSink* sink = nullptr;
  tcp::Time probe_time = 0;   // RFC 5227: probe for our address this long before announcing it
  uint32_t ip_count = 1;      // ip .. ip + ip_count - 1 are ours; active opens use them in turn
  rss::PortRange ports;       // the local ports active opens take (Linux's ip_local_port_range)
  // An active open may take over a TIME-WAIT tuple of ours this long after it entered TIME-WAIT
  // (as Linux's tcp_tw_reuse, which waits 1 s); kNever: such ports are skipped.
  tcp::Time time_wait_reuse = tcp::kNever;
  std::string name = "ts";    // prefix of DPDK object names (rings, pool); unique per process
  // Builds the port given the pool and the queue count; default: EthdevPort per the profile.
  std::function<std::unique_ptr<Port>(rte_mempool*, uint16_t, std::string*)> make_port;
};

// The queues a Datapath of `cfg` has: cfg.queues, else the profile's, else one per EAL lcore.
uint16_t queue_count(const DatapathConfig& cfg);

// "" when EAL has an lcore for each of `queues`, else why not, in one line. run() needs one a
// queue; create() refuses too few for its own ethdev port but not for a make_port one (whose
// caller may poll the lcores itself), so an application that brings its own port and calls run()
// (a faulty wire) checks this before it starts anything.
std::string lcores_problem(size_t queues);

class Datapath {
 public:
  static std::unique_ptr<Datapath> create(const DatapathConfig& cfg, std::string* err);
  ~Datapath();

  // Before run(): accept connections on `port` on every lcore. False (and *err) if `port` is
  // already listened on: a second listen is a mistake, not a way to change the backlog.
  bool listen(uint16_t port, uint32_t backlog, std::string* err = nullptr);

  // Polls queue i on the i-th EAL lcore (the calling main lcore takes queue 0) until `stop`.
  // False (and *err, one line) if EAL has fewer lcores than queues (a port from make_port may
  // have more, for callers that poll the lcores themselves) or one of them is busy.
  bool run(const std::atomic<bool>& stop, std::string* err);
  // After run() (or between polls, for callers that poll the lcores themselves): every lcore ends
  // the connections still open, telling the sink closed(kShutdown) for each (see
  // Lcore::shutdown). The destructor does it too, so the sink must outlive the Datapath.
  void shutdown();
  // After run(), last: shutdown(), then has the driver give back the frames it has sent
  // (reclaim_sent: about 6 ms), then stops and closes the port, which gives back the mbufs most
  // PMDs keep (RX descriptors). Returns the pool's mbufs still in use then: a leak, or what a PMD
  // never gives back (af_xdp keeps its fill ring's; test/integration/veth.sh measures it apart).
  // port() is gone after it.
  unsigned close_port();
  // After run(): has the driver give back the mbufs of frames it has sent and still holds
  // (af_xdp's, until a later burst reads its completion ring), so that the pool's count is ours
  // and the driver's receive buffers only. Bursts every millisecond until the count has held
  // still for 5 ms (at most 200 ms).
  void reclaim_sent();

  uint16_t queues() const { return static_cast<uint16_t>(lcores_.size()); }
  Lcore& lcore(uint16_t q) { return *lcores_[q]; }
  Port& port() { return *port_; }
  const Netif& netif() const { return shared_.netif; }
  stats::Registry& stats() { return *stats_; }
  const ArpCache& arp() const { return *arp_; }
  tcp::Time now() const { return shared_.clock.now(); }
  rte_mempool* pool() const { return pool_; }
  uint32_t mbufs() const { return mbufs_; }
  // The EAL lcore id that polls queue q (valid after create()).
  unsigned lcore_id(uint16_t q) const { return lcore_ids_[q]; }

 private:
  Datapath() = default;

  Shared shared_;
  rte_mempool* pool_ = nullptr;
  uint32_t mbufs_ = 0;
  std::unique_ptr<Port> port_;
  std::unique_ptr<ArpCache> arp_;
  std::unique_ptr<stats::Registry> stats_;
  std::vector<std::unique_ptr<Lcore>> lcores_;
  std::vector<unsigned> lcore_ids_;
};

}  // namespace ts::dpdk
