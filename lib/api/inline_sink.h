// Inline mode: the handlers run on the lcores, inside the poll loop, with no ring in between.
//
// Thread safety: each lcore calls only into its own handler; nothing is shared between lcores.
// At shutdown (Lcore::shutdown, on the main thread once the lcores stopped) every connection still
// open comes through closed(kShutdown) like any other close: the handler's on_closed, then the
// Connection goes back to the spares, which the destructor frees.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "api/handler.h"
#include "dpdk/app_sink.h"
#include "dpdk/datapath.h"

namespace ts::api {

class InlineSink;

// Handed to Handler::on_poll in inline mode: what a handler may do on its lcore besides
// answering its connections.
class Poller {
 public:
  // Opens a connection from this lcore (a local port whose replies land on it). The Connection
  // gets on_connected, or on_closed if the open fails. nullptr when no port or slot is free.
  Connection* connect(uint32_t raddr, uint16_t rport);
  uint16_t lcore() const;
  dpdk::Lcore& raw() { return l_; }

 private:
  friend class InlineSink;
  Poller(InlineSink& s, dpdk::Lcore& l) : s_(s), l_(l) {}
  InlineSink& s_;
  dpdk::Lcore& l_;
};

class InlineSink final : public dpdk::AppSink, public ConnDriver {
 public:
  // explicit_consume: StackConfig's; the lcores then run in app_window mode (reads_later).
  InlineSink(HandlerFactory factory, uint16_t lcores, bool explicit_consume = false);
  ~InlineSink() override;
  void attach(dpdk::Datapath& dp);

  void accepted(dpdk::Lcore& l, dpdk::ConnRef c, const tcp::FourTuple& t) override;
  void connected(dpdk::Lcore& l, dpdk::ConnRef c, const tcp::FourTuple& t) override;
  void data(dpdk::Lcore& l, dpdk::ConnRef c, rte_mbuf* m, const uint8_t* p, uint32_t len) override;
  void peer_closed(dpdk::Lcore& l, dpdk::ConnRef c) override;
  void send_space(dpdk::Lcore& l, dpdk::ConnRef c, uint32_t freed) override;
  void closed(dpdk::Lcore& l, dpdk::ConnRef c, tcp::CloseReason why) override;
  void poll(dpdk::Lcore& l, tcp::Time now) override;
  // Inline data is copied by the handler if kept: no mbuf is held, so room_for_data stays true.
  bool reads_later() const override { return explicit_consume_; }

  bool send(Connection& c, const void* data, size_t len) override;
  void close(Connection& c) override;
  void abort(Connection& c) override;
  void keepalive(Connection& c, bool on) override;
  void consumed(Connection& c, size_t bytes) override;
  uint32_t unacked(const Connection& c) const override;

 private:
  friend class Poller;
  // A cache line each: `spare` changes with every connection, and with two lcores' entries on
  // one line each lcore's calls here waited for the other's writes (perf on 16 vCPUs: these
  // calls cost 4 to 27 times as much with 8 lcores in one process as in 8 processes, and 8
  // queues ran 15% faster with this; bench/README.md, "Multi-core scaling").
  struct alignas(64) PerLcore {
    std::unique_ptr<Handler> h;
    std::vector<Connection*> spare;  // recycled Connection objects
  };
  Connection* make(dpdk::Lcore& l, dpdk::ConnRef ref, const tcp::FourTuple& t);
  void drop(uint16_t q, Connection* c);
  // Only inside an AppSink call about ref (see Lcore::sink_user).
  Connection* conn(dpdk::Lcore& l, dpdk::ConnRef ref) { return static_cast<Connection*>(l.sink_user(ref)); }

  std::vector<PerLcore> per_;
  std::vector<dpdk::Lcore*> lcores_;
  bool explicit_consume_;
};

}  // namespace ts::api
