// A Stack shut down with connections open: every connection a handler was told of gets on_closed
// exactly once (kShutdown for the open ones), so that per-connection state is freed; each open
// one's peer gets a RST and closes (it would otherwise wait on its own timers); the counters say
// what happened. Inline and worker mode, two stacks over in-memory ports
// on a virtual clock (EAL with --no-huge; needs no root). Also: a second listen is an error.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "api/inline_sink.h"
#include "api/stack.h"
#include "dpdk/mem_port.h"
#include "stats/counters.h"
#include "test_eal.h"

namespace ts {
namespace {

using stats::Counter;

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new ts::testing::TestEal("shut", "512"));

constexpr uint32_t kServerIp = 0xc6120002;  // 198.18.0.2
constexpr uint32_t kClientIp = 0xc6120001;  // 198.18.0.1
constexpr uint16_t kPort = 7;
constexpr int kConns = 24;     // opened by the client, half from each of its two lcores
constexpr int kClosedBy = 4;   // of which the client closes this many before the shutdown

// What the handlers of one side did, over all their threads (workers run beside the test).
struct Tally {
  std::atomic<int> told{0};       // on_accept / connections opened
  std::atomic<int> allocs{0};     // per-connection state allocated
  std::atomic<int> frees{0};      // ... and freed in on_closed
  std::atomic<int> closed{0};     // on_closed calls
  std::atomic<int> shutdown{0};   // ... with CloseReason::kShutdown
  std::atomic<int> stray{0};      // on_closed for a connection with no state: a second call
  std::atomic<int> echoed{0};     // bytes back at the client

  void close(api::Connection& c, tcp::CloseReason why) {
    closed++;
    if (why == tcp::CloseReason::kShutdown) shutdown++;
    auto* s = static_cast<std::string*>(c.user);
    if (!s) return void(stray++);
    delete s;
    c.user = nullptr;
    frees++;
  }
};

// Echo, with a heap string per connection (what a real handler keeps, and would leak).
class ServerHandler : public api::Handler {
 public:
  explicit ServerHandler(Tally& t) : t_(t) {}
  void on_accept(api::Connection& c) override {
    t_.told++;
    c.user = new std::string("server");
    t_.allocs++;
  }
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override { c.send(d, n); }
  void on_closed(api::Connection& c, tcp::CloseReason why) override { t_.close(c, why); }

 private:
  Tally& t_;
};

// Opens kConns / 2 connections from each lcore, sends "ping", and closes the first kClosedBy
// once they are echoed; the rest stay open.
class ClientHandler : public api::Handler {
 public:
  explicit ClientHandler(Tally& t) : t_(t) {}
  void on_poll(api::Poller& p, tcp::Time) override {
    while (opened_ < kConns / 2) {
      api::Connection* c = p.connect(kServerIp, kPort);
      if (!c) break;
      opened_++;
      t_.told++;
      c->user = new std::string();
      t_.allocs++;
    }
  }
  void on_connected(api::Connection& c) override { c.send("ping"); }
  void on_data(api::Connection& c, const uint8_t*, size_t n) override {
    t_.echoed += static_cast<int>(n);
    if (to_close_ > 0) {
      to_close_--;
      c.close();
    }
  }
  void on_closed(api::Connection& c, tcp::CloseReason why) override { t_.close(c, why); }

 private:
  Tally& t_;
  int opened_ = 0;
  int to_close_ = kClosedBy / 2;
};

std::unique_ptr<api::Stack> make_stack(const std::string& name, uint32_t ip, uint8_t mac_last, uint16_t workers,
                                       api::HandlerFactory f, dpdk::MemPort** port) {
  api::StackConfig sc;
  dpdk::DatapathConfig& dc = sc.datapath;
  dc.profile = dpdk::default_profile();
  dc.profile.port.mbufs = 8191;
  dc.profile.stack.connections_per_queue = 1024;
  dc.ip = ip;
  dc.queues = 2;
  dc.name = name;
  dc.make_port = [name, mac_last, port](rte_mempool*, uint16_t queues, std::string* err) {
    auto p = dpdk::MemPort::create(name, queues, wire::Mac{{0x02, 0, 0, 0, 0, mac_last}}, true, err);
    *port = p.get();
    return std::unique_ptr<dpdk::Port>(std::move(p));
  };
  sc.workers = workers;
  std::string err;
  auto s = api::Stack::create(sc, std::move(f), &err);
  EXPECT_TRUE(s) << err;
  return s;
}

class Shutdown : public ::testing::TestWithParam<uint16_t> {  // the server's worker count
 protected:
  void SetUp() override {
    static int serial = 0;
    serial++;
    dpdk::MemPort *sp = nullptr, *cp = nullptr;
    server_ = make_stack("sds" + std::to_string(serial), kServerIp, 2, GetParam(),
                         [this](unsigned) { return std::make_unique<ServerHandler>(srv_); }, &sp);
    client_ = make_stack("sdc" + std::to_string(serial), kClientIp, 1, 0,
                         [this](unsigned) { return std::make_unique<ClientHandler>(cli_); }, &cp);
    ASSERT_TRUE(server_ && client_);
    dpdk::MemPort::connect(*sp, *cp);
    std::string err;
    ASSERT_TRUE(server_->listen(kPort, 64, &err)) << err;
    ASSERT_TRUE(server_->start_workers(stop_, &err)) << err;
  }
  void TearDown() override {
    stop_ = true;
    server_.reset();
    client_.reset();
  }

  // Polls both stacks on a virtual clock until `done`; worker threads answer in real time, so
  // the bound is real time too.
  template <class F>
  bool run_until(F done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < end) {
      for (api::Stack* s : {server_.get(), client_.get()})
        for (uint16_t q = 0; q < s->datapath().queues(); q++) s->datapath().lcore(q).poll(now_);
      if (done()) return true;
      now_ += 10 * tcp::kUsec;
    }
    return false;
  }
  // The same for the client's lcores alone (the server's stack gone).
  void settle_client() {
    for (tcp::Time until = now_ + 3 * tcp::kMsec; now_ < until; now_ += 10 * tcp::kUsec)
      for (uint16_t q = 0; q < client_->datapath().queues(); q++) client_->datapath().lcore(q).poll(now_);
  }
  // A few milliseconds of virtual time: the lcores publish their counters once a tick.
  void settle() {
    run_until([this, until = now_ + 3 * tcp::kMsec] { return now_ >= until; });
  }

  Tally srv_, cli_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<api::Stack> server_, client_;
  tcp::Time now_ = tcp::kSec;
};

TEST_P(Shutdown, EveryOpenConnectionIsClosedOnceAndItsStateFreed) {
  ASSERT_TRUE(run_until([this] { return cli_.echoed == 4 * kConns && srv_.closed == kClosedBy; }))
      << "echoed " << cli_.echoed << " server closed " << srv_.closed;
  settle();
  ASSERT_EQ(srv_.told, kConns);
  const stats::Snapshot before = server_->stats().total();
  EXPECT_EQ(before[Counter::conn_closed], uint64_t(kClosedBy));

  server_->shutdown();
  const stats::Snapshot after = server_->stats().total();
  EXPECT_EQ(srv_.closed, kConns);
  EXPECT_EQ(srv_.shutdown, kConns - kClosedBy);
  EXPECT_EQ(srv_.stray, 0);
  EXPECT_EQ(srv_.frees, srv_.allocs.load());
  EXPECT_EQ(after[Counter::conn_shutdown], uint64_t(kConns - kClosedBy));
  EXPECT_EQ(after[Counter::tx_packets], before[Counter::tx_packets] + kConns - kClosedBy) << "a RST each, nothing else";
  EXPECT_EQ(after[Counter::tcp_rst_out], before[Counter::tcp_rst_out] + kConns - kClosedBy);
  uint64_t by_reason = 0;
  for (uint16_t q = 0; q < server_->datapath().queues(); q++) {
    EXPECT_EQ(server_->datapath().lcore(q).live_connections(), 0u);
    by_reason += server_->datapath().lcore(q).tcp_counters().closed(tcp::CloseReason::kShutdown);
  }
  EXPECT_EQ(by_reason, uint64_t(kConns - kClosedBy));

  // Again (and the destructor once more): nothing is closed twice, nothing more sent.
  server_->shutdown();
  EXPECT_EQ(server_->stats().total()[Counter::tx_packets], after[Counter::tx_packets]);

  // The client takes the RSTs (the server's port still holds them): every connection it still
  // had is reset, none left for its own shutdown.
  for (int i = 0; i < 1000 && cli_.closed < kConns; i++) {
    for (uint16_t q = 0; q < client_->datapath().queues(); q++) client_->datapath().lcore(q).poll(now_);
    now_ += 10 * tcp::kUsec;
    if (GetParam()) std::this_thread::sleep_for(std::chrono::microseconds(100));  // workers run on_closed
  }
  EXPECT_EQ(cli_.closed, kConns);
  server_.reset();
  EXPECT_EQ(srv_.closed, kConns);
  EXPECT_EQ(srv_.stray, 0);
  settle_client();
  EXPECT_EQ(client_->stats().total()[Counter::tcp_rst_in], uint64_t(kConns - kClosedBy));
  EXPECT_EQ(cli_.told, kConns);
  client_.reset();
  EXPECT_EQ(cli_.closed, kConns);
  EXPECT_EQ(cli_.shutdown, 0);
  EXPECT_EQ(cli_.stray, 0);
  EXPECT_EQ(cli_.frees, cli_.allocs.load());
}

TEST_P(Shutdown, SecondListenOnAPortIsAnError) {
  std::string err;
  EXPECT_FALSE(server_->listen(kPort, 128, &err));
  EXPECT_EQ(err, "port 7 is already listened on");
  EXPECT_FALSE(server_->datapath().listen(kPort, 128));
  EXPECT_TRUE(server_->listen(kPort + 1, 128, &err));
  EXPECT_FALSE(server_->listen(kPort + 1, 16, &err));
}

INSTANTIATE_TEST_SUITE_P(Modes, Shutdown, ::testing::Values(uint16_t{0}, uint16_t{2}),
                         [](const auto& i) { return i.param ? std::string("Workers") : std::string("Inline"); });

}  // namespace
}  // namespace ts
