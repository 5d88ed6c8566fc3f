// Two stacks in one process over in-memory ports with a FaultPort on each side's transmit path,
// polled by the test on a virtual clock (as test/integration/stack_to_stack_test.cc), and the
// books a faulty run must balance: connections opened and ended, connection blocks, TIME-WAIT
// entries and mbufs in use back to where they started.
#pragma once
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "api/inline_sink.h"
#include "api/stack.h"
#include "dpdk/fault_port.h"
#include "dpdk/mem_port.h"
#include "handlers.h"
#include "stats/counters.h"

namespace ts::robust {

constexpr uint32_t kServerIp = 0xc6120002;  // 198.18.0.2
constexpr uint32_t kClientIp = 0xc6120001;  // 198.18.0.1
constexpr uint16_t kEchoPort = 7;

// What the client side does: open `to_open` connections, at most `concurrent` at once; on each,
// send `request`, read the echo, close once it is all back.
struct Script {
  int to_open = 0;
  int concurrent = 1;
  int open_now = 0;
  std::string request;
  struct Result {
    bool intact;
    size_t got;
    tcp::CloseReason why;
    tcp::Time took;  // from connect() to the close
  };
  std::vector<Result> results;
  bool done() const { return to_open == 0 && open_now == 0; }
};

class EchoClient : public api::Handler {
 public:
  // `now`: the test's virtual clock, read when a connection opens and closes.
  EchoClient(Script& s, const tcp::Time& now) : s_(s), now_(now) {}
  void on_poll(api::Poller& p, tcp::Time) override {
    while (s_.to_open > 0 && s_.open_now < s_.concurrent) {
      api::Connection* c = p.connect(kServerIp, kEchoPort);
      if (!c) break;
      s_.to_open--;
      s_.open_now++;
      c->user = new Conn{{}, now_};
    }
  }
  void on_connected(api::Connection& c) override { ASSERT_TRUE(c.send(s_.request)); }
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override {
    std::string& got = static_cast<Conn*>(c.user)->got;
    got.append(reinterpret_cast<const char*>(d), n);
    if (got.size() == s_.request.size()) c.close();
  }
  void on_closed(api::Connection& c, tcp::CloseReason why) override {
    auto* conn = static_cast<Conn*>(c.user);
    s_.results.push_back({conn && conn->got == s_.request, conn ? conn->got.size() : 0, why,
                          conn ? now_ - conn->opened : 0});
    delete conn;
    c.user = nullptr;
    s_.open_now--;
  }

 private:
  struct Conn {
    std::string got;
    tcp::Time opened;
  };
  Script& s_;
  const tcp::Time& now_;
};

// One side's ledger, summed over its lcores.
struct Books {
  uint64_t opened = 0;   // active and passive opens (every block ever made)
  uint64_t ended = 0;    // closes, whatever the reason (TIME-WAIT entry counts as a close)
  uint64_t live = 0;     // connection blocks in use
  uint64_t time_wait = 0;
  uint64_t mbufs = 0;    // mbufs of this side's pool in use
  uint64_t closes[tcp::kCloseReasonCount] = {};
};

struct Side {
  std::unique_ptr<api::Stack> stack;
  dpdk::MemPort* wire = nullptr;   // the in-memory port under the faults
  dpdk::FaultPort* faults = nullptr;

  dpdk::Datapath& dp() { return stack->datapath(); }
  stats::Snapshot total() { return stack->stats().total(); }
  Books books() {
    Books b;
    for (uint16_t q = 0; q < dp().queues(); q++) {
      const tcp::Counters& c = dp().lcore(q).tcp_counters();
      b.opened += c.active_opens + c.passive_opens;
      for (int r = 0; r < tcp::kCloseReasonCount; r++) {
        b.ended += c.closes[r];
        b.closes[r] += c.closes[r];
      }
      b.live += dp().lcore(q).live_connections();
      b.time_wait += dp().lcore(q).time_wait_entries();
    }
    b.mbufs = rte_mempool_in_use_count(dp().pool());
    return b;
  }
};

class FaultyWire : public ::testing::Test {
 protected:
  // An echo server and the Script's client, each transmitting through a FaultPort with `spec`
  // (its own seed per side: the two directions fail independently).
  void build(const std::string& spec, uint16_t queues = 1) {
    static int serial = 0;
    serial++;
    server_ = make_side("rs" + std::to_string(serial), kServerIp, 0x02, queues, spec, 1,
                        [](unsigned) { return server::make_handler(server::Mode::kEcho, ""); });
    client_ = make_side("rc" + std::to_string(serial), kClientIp, 0x01, queues, spec, 2,
                        [this](unsigned) { return std::make_unique<EchoClient>(script_, now_); });
    server_.stack->listen(kEchoPort, 511);
    dpdk::MemPort::connect(*server_.wire, *client_.wire);
    start_server_ = server_.books();
    start_client_ = client_.books();
  }

  Side make_side(const std::string& name, uint32_t ip, uint8_t mac_last, uint16_t queues,
                 const std::string& spec_text, uint64_t seed, api::HandlerFactory f) {
    Side s;
    dpdk::FaultSpec spec;
    std::string err;
    EXPECT_TRUE(dpdk::parse_fault_spec(spec_text, &spec, &err)) << err;
    spec.seed = spec.seed * 1000 + seed;
    spec.rx = false;  // each side spoils what it sends: every frame meets the faults once
    api::StackConfig sc;
    dpdk::DatapathConfig& dc = sc.datapath;
    dc.profile = dpdk::default_profile();
    dc.profile.port.mbufs = 32767;
    dc.profile.stack.connections_per_queue = 4096;
    stack_(dc.profile.stack);
    dc.ip = ip;
    dc.prefix_len = 24;
    dc.queues = queues;
    dc.name = name;
    dc.make_port = [this, &s, name, queues, mac_last, spec](rte_mempool*, uint16_t, std::string* e) {
      auto p = dpdk::MemPort::create(name, queues, wire::Mac{{0x02, 0, 0, 0, 0, mac_last}}, true, e);
      if (!p) return std::unique_ptr<dpdk::Port>();
      s.wire = p.get();
      auto fp = dpdk::FaultPort::wrap(std::move(p), spec, [this] { return now_; });
      s.faults = fp.get();
      return std::unique_ptr<dpdk::Port>(std::move(fp));
    };
    s.stack = api::Stack::create(sc, std::move(f), &err);
    EXPECT_TRUE(s.stack) << err;
    return s;
  }

  // Frames in flight sit in the receiving port's rings but belong to the sender's pool: they go
  // back before either stack (and its pool) does.
  void TearDown() override { drain(); }
  void drain() {
    for (Side* s : {&server_, &client_}) {
      if (!s->wire) continue;
      rte_mbuf* m[32];
      for (uint16_t q = 0; q < s->wire->queues(); q++)
        while (uint16_t n = s->wire->rx_burst(q, m, 32)) rte_pktmbuf_free_bulk(m, n);
    }
  }
  // Both stacks gone, for a second build() in the same test.
  void tear_down_stacks() {
    drain();
    server_ = {};
    client_ = {};
    script_ = {};
  }

  // Polls every lcore of both stacks once at the current virtual time; frames received.
  unsigned poll_once() {
    unsigned work = 0;
    for (Side* s : {&server_, &client_})
      for (uint16_t q = 0; q < s->dp().queues(); q++) work += s->dp().lcore(q).poll(now_);
    return work;
  }

  // Polls, advancing the virtual clock 20 us per busy round and 1 ms per idle one, until `done`
  // holds (true) or `limit` of virtual time has passed (false).
  bool run_until(const std::function<bool()>& done, tcp::Time limit) {
    const tcp::Time end = now_ + limit;
    while (now_ < end) {
      const unsigned work = poll_once();
      if (done()) return true;
      now_ += work ? 20 * tcp::kUsec : tcp::kMsec;
    }
    return false;
  }

  // Lets `span` of virtual time pass in 10 ms steps (timers fire, held frames leave).
  void idle(tcp::Time span) {
    for (const tcp::Time end = now_ + span; now_ < end; now_ += 10 * tcp::kMsec) poll_once();
    poll_once();
  }

  static std::string random_bytes(size_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(g());
    return s;
  }

  tcp::Time now_ = 10 * tcp::kSec;  // after both stacks' creation time, as their clocks see it
  Script script_;
  std::function<void(dpdk::StackProfile&)> stack_ = [](dpdk::StackProfile&) {};  // both sides'
  Side server_, client_;
  Books start_server_, start_client_;
};

}  // namespace ts::robust
