// The application's entry point: a TCP stack on one DPDK port, with handlers for its connections.
//
//   auto stack = Stack::create(cfg, [](unsigned) { return std::make_unique<MyHandler>(); }, &err);
//   stack->listen(80, 511);
//   stack->run(stop_flag);          // on the main lcore, until stop_flag turns true
//
// EAL must be running (dpdk/eal.h) before create() and cleaned up after the Stack is destroyed.
//
// Thread safety:
//   create, listen, run, start/stop_workers, shutdown, the destructor: the main thread (the
//   main lcore).
//   stats(): any thread, any time.
//   Handler callbacks and Connection calls: see handler.h and connection.h.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "api/handler.h"
#include "dpdk/datapath.h"

namespace ts::api {

class InlineSink;
class WorkerSet;

struct StackConfig {
  dpdk::DatapathConfig datapath;  // profile, address, queues, port factory (sink is set here)
  uint16_t workers = 0;           // 0: inline mode (handlers on the lcores)
  // True: what on_data hands a handler stays off the connection's receive window until the
  // handler calls Connection::consumed, so a handler that cannot pass data on (an echo whose
  // peer reads slower than it writes) closes its peer's window instead of queueing without
  // bound (tcp::Config::app_window, as worker mode always does). False: data counts as read
  // when on_data returns (the window stays open while the handler keeps up: the fastest way,
  // for handlers that never hold data back). Either mode.
  bool explicit_consume = false;
};

class Stack {
 public:
  static std::unique_ptr<Stack> create(StackConfig cfg, HandlerFactory factory, std::string* err);
  ~Stack();

  // Before run(): accept connections on `port`; each lcore queues at most `backlog` of them.
  // False (and *err, one line) if `port` is already listened on, or backlog is 0.
  bool listen(uint16_t port, uint32_t backlog, std::string* err = nullptr);

  // Starts the workers, polls every queue on its lcore until `stop`, stops the workers.
  bool run(const std::atomic<bool>& stop, std::string* err);

  // For callers that poll the lcores themselves (tests, single-threaded stack-to-stack).
  bool start_workers(const std::atomic<bool>& stop, std::string* err);
  void stop_workers();

  // After run(), or once the caller stopped polling: stops the workers and ends every connection
  // still open. What the application sees:
  //   - each such connection is aborted while the port is up (counted as conn_shutdown): a RST
  //     goes to the peer of those in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 and CLOSE-WAIT
  //     (RFC 9293's ABORT; SYN-SENT, CLOSING, LAST-ACK and TIME-WAIT end without one);
  //   - every connection its handler was told of (on_accept / Poller::connect) gets on_closed
  //     exactly once, with CloseReason::kShutdown unless it ended otherwise first, so handlers
  //     free their per-connection state there as usual; then its Connection object is freed;
  //   - inline: on_closed runs on the calling thread; workers: the events still in a worker's
  //     rings reach its handler on the calling thread first, in order (data included), then
  //     the on_closed calls; sends made from these calls return false, closes go nowhere;
  //     the mbufs of sends still in the command rings are freed (none is left in use).
  // The counters (stats()) include these closes afterwards. Idempotent; the destructor calls it.
  void shutdown();

  dpdk::Datapath& datapath() { return *dp_; }
  stats::Registry& stats() { return dp_->stats(); }
  bool inline_mode() const { return workers_ == nullptr; }

 private:
  Stack() = default;
  std::unique_ptr<InlineSink> inline_;
  std::unique_ptr<WorkerSet> workers_;
  std::unique_ptr<dpdk::Datapath> dp_;
};

}  // namespace ts::api
