// Worker mode: connections are dealt round robin to N application threads; each lcore-worker
// pair has an event ring (lcore -> worker) and a command ring (worker -> lcore), both SPSC.
//
// Thread safety:
//   AppSink calls (accepted, data, ..., poll): on the owning lcore, as dpdk/app_sink.h says.
//   ConnDriver calls (Connection::send/close/abort): on the worker that owns the connection.
//   start()/stop(), drain() and the destructor: on the main thread; stop() before the Datapath
//   dies.
// Back-pressure: data a handler has not been through yet stays off the connection's receive
// window (the worker reports each data event done with kConsumed; with explicit_consume, the
// handler's Connection::consumed does), so a slow worker slows its
// peers, and what waits for it is bounded by their windows. The data mbufs a pair's worker holds
// are bounded as well, by the ring size the mempool was sized for (room_for_data): windows alone
// would let many connections, or tiny segments, empty the pool. A full event ring parks events
// in a per-pair overflow list on the lcore (never dropping data, which the stack has already
// acknowledged); a full command ring makes the worker wait. Workers are DPDK control threads, so
// they stay off the lcores' CPUs.
#pragma once
#include <pthread.h>

#include <atomic>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "api/handler.h"
#include "api/messages.h"
#include "dpdk/datapath.h"

namespace ts::api {

class WorkerSet final : public dpdk::AppSink, public ConnDriver {
 public:
  // send_buffer: bytes a connection may have sent and not yet acknowledged ([stack] send_buffer).
  // explicit_consume: StackConfig's; the handlers' Connection::consumed then gives received bytes
  // back to the window, instead of each data event's end.
  WorkerSet(HandlerFactory factory, uint16_t lcores, uint16_t workers, uint32_t ring_size, uint32_t send_buffer,
            bool explicit_consume = false);
  ~WorkerSet() override;
  void attach(dpdk::Datapath& dp);

  // Starts the worker threads; they run until stop() (or `stop` turns true).
  bool start(const std::atomic<bool>& stop, std::string* err);
  void stop();
  // After stop(), before the mempool goes: frees the mbufs still travelling in the rings.
  void release_mbufs();
  // After stop() and Datapath::shutdown(), before the mempool goes, on the main thread: each
  // worker's handler gets the events still in its rings, in order, as its thread would have
  // (every connection's on_closed among them: kShutdown for those the lcores ended), and the
  // Connection objects are freed. A connection no lcore reported closed gets
  // on_closed(kShutdown) too (none once the Datapath shut down). The destructor calls it again.
  void drain();

  // AppSink (lcore side).
  void accepted(dpdk::Lcore& l, dpdk::ConnRef c, const tcp::FourTuple& t) override;
  void connected(dpdk::Lcore& l, dpdk::ConnRef c, const tcp::FourTuple& t) override;
  void data(dpdk::Lcore& l, dpdk::ConnRef c, rte_mbuf* m, const uint8_t* p, uint32_t len) override;
  void peer_closed(dpdk::Lcore& l, dpdk::ConnRef c) override;
  void send_space(dpdk::Lcore& l, dpdk::ConnRef c, uint32_t freed) override;
  void closed(dpdk::Lcore& l, dpdk::ConnRef c, tcp::CloseReason why) override;
  void poll(dpdk::Lcore& l, tcp::Time now) override;
  bool reads_later() const override { return true; }
  bool room_for_data(dpdk::Lcore& l, dpdk::ConnRef c) override;

  // ConnDriver (worker side).
  bool send(Connection& c, const void* data, size_t len) override;
  void close(Connection& c) override;
  void abort(Connection& c) override;
  void keepalive(Connection& c, bool on) override;
  void consumed(Connection& c, size_t bytes) override;
  uint32_t unacked(const Connection& c) const override { return c.unacked_; }

  uint16_t workers() const { return static_cast<uint16_t>(w_.size()); }
  // Events parked because a ring was full, summed over pairs (read after stop()).
  uint64_t overflowed() const;

 private:
  // A count the worker keeps (one writer) and the lcore adds to its own counters in poll().
  struct WorkerTally {
    std::atomic<uint64_t> n{0};
    uint64_t counted = 0;  // lcore side: of n, added already
    void bump() { n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
    void publish(dpdk::Lcore& l, stats::Counter k);
  };
  struct Pair {
    std::unique_ptr<EventRing> ev;
    std::unique_ptr<CommandRing> cmd;
    std::deque<Event> overflow;  // lcore side only
    uint64_t overflowed = 0;
    uint64_t data_out = 0;       // lcore side: data mbufs handed to the worker
    alignas(64) std::atomic<uint64_t> data_back{0};  // worker side: those it has freed
    WorkerTally send_full;   // sends the send buffer refused (app_send_full)
    WorkerTally no_mbuf;     // sends the mempool had no mbufs for (drop_no_mbuf)
  };
  struct Worker {
    std::unique_ptr<Handler> h;
    std::unordered_map<uint64_t, std::unique_ptr<Connection>> conns;
    pthread_t thread{};
    bool running = false;
    WorkerSet* set = nullptr;
    uint16_t index = 0;
  };

  Pair& pair(uint16_t lcore, uint16_t worker) { return pairs_[size_t(lcore) * w_.size() + worker]; }
  void push(dpdk::Lcore& l, uint16_t worker, const Event& e);
  uint16_t worker_of(dpdk::Lcore& l, dpdk::ConnRef c) const;
  void command(const Connection& c, const Command& cmd);
  static void* thread_main(void* arg);
  void worker_loop(Worker& w);
  bool handle(Worker& w, const Event& e);
  void data_done(uint16_t worker, const Event& e);
  static uint64_t key(dpdk::ConnRef r) { return uint64_t(r.lcore) << 48 ^ uint64_t(r.gen & 0xffff) << 32 ^ r.slot; }

  std::vector<Pair> pairs_;
  std::vector<Worker> w_;
  std::vector<uint16_t> rr_;  // per lcore: next worker
  std::vector<dpdk::Lcore*> lcores_;
  uint32_t data_bound_;  // data mbufs a pair's worker may hold: the ring size the mempool counts
  uint32_t send_buffer_;
  bool explicit_consume_;
  rte_mempool* pool_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  std::atomic<bool> quit_{false};
};

}  // namespace ts::api
