// Two Turnstile stacks in one process, wired by in-memory ports, polled by the test on a virtual
// clock: every scenario of the kernel tests, stack to stack, deterministic and without root.
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/inline_sink.h"
#include "api/stack.h"
#include "dpdk/mem_port.h"
#include "rss/port_select.h"
#include "handlers.h"
#include "http_date_check.h"
#include "stats/counters.h"
#include "wire/frame.h"
#include "test_eal.h"

namespace ts {
namespace {

using stats::Counter;

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new ts::testing::TestEal("s2s", "512"));

constexpr uint32_t kServerIp = 0xc6120002;  // 198.18.0.2
constexpr uint32_t kClientIp = 0xc6120001;  // 198.18.0.1

// What the client side is asked to do, shared by its per-lcore handlers (one thread polls all).
struct Script {
  int to_open = 0;          // connections still to open
  int concurrent = 1;       // at most this many at once
  int open_now = 0;
  uint16_t lcores = 1;      // client lcores take turns opening, so both shards get connections
  uint16_t turn = 0;
  uint16_t rport = 80;
  std::string request;
  bool close_when_echoed = false;  // client-first close once the whole request came back
  std::string close_after;         // client-first close once exactly this came back
  bool close_with_request = false; // close() right after send() in the connected callback
  std::string request_tail;        // sent from the next on_poll: a second segment
  bool check_sink_user = false;    // each on_poll: Lcore::sink_user agrees with app_user (below)
  std::set<api::Connection*> open; // with check_sink_user: connected or connecting, not closed
  struct Result {
    std::string got;
    tcp::CloseReason why;
    uint16_t lcore;
  };
  std::vector<Result> results;
  bool done() const { return to_open == 0 && open_now == 0; }
};

class ClientHandler : public api::Handler {
 public:
  explicit ClientHandler(Script& s) : s_(s) {}
  void on_poll(api::Poller& p, tcp::Time) override {
    for (api::Connection* c : tail_due_) ASSERT_TRUE(c->send(s_.request_tail));
    tail_due_.clear();
    while (s_.to_open > 0 && s_.open_now < s_.concurrent && s_.turn == p.lcore()) {
      api::Connection* c = p.connect(kServerIp, s_.rport);
      if (!c) break;
      s_.to_open--;
      s_.open_now++;
      s_.turn = static_cast<uint16_t>((s_.turn + 1) % s_.lcores);
      c->user = new std::string();
      if (s_.check_sink_user) s_.open.insert(c);
    }
    // The unchecked lookup the inline sink makes inside its calls names the same Connection as
    // the checked one, for every connection open on this lcore, whatever its state.
    for (api::Connection* c : s_.open) {
      if (c->lcore() != p.lcore()) continue;
      EXPECT_EQ(p.raw().app_user(c->ref()), c);
      EXPECT_EQ(p.raw().sink_user(c->ref()), c);
    }
  }
  void on_connected(api::Connection& c) override {
    ASSERT_TRUE(c.send(s_.request));
    if (!s_.request_tail.empty()) tail_due_.push_back(&c);
    if (s_.close_with_request) c.close();
  }
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override {
    auto* got = static_cast<std::string*>(c.user);
    got->append(reinterpret_cast<const char*>(d), n);
    if (s_.close_when_echoed && got->size() == s_.request.size()) c.close();
    if (!s_.close_after.empty() && test::undated(*got) == s_.close_after) c.close();
  }
  void on_closed(api::Connection& c, tcp::CloseReason why) override {
    auto* got = static_cast<std::string*>(c.user);
    // Replies are kept with their Date's value checked and replaced (http_date_check.h).
    s_.results.push_back({got ? test::undated(*got) : std::string(), why, c.lcore()});
    delete got;
    c.user = nullptr;
    s_.open_now--;
    s_.open.erase(&c);
  }

 private:
  Script& s_;
  std::vector<api::Connection*> tail_due_;  // connected, request_tail not sent yet
};

// One TCP segment on the wire: who sent it, at which poll call of the test, and what it was.
struct Seen {
  char side;       // 'c' client, 's' server
  bool out;        // transmitted by `side` (else received)
  uint64_t poll;   // the test's poll call during which it happened
  uint8_t flags;
  uint16_t len;
  uint16_t window;  // as on the wire, unscaled
  uint32_t seq = 0, ack = 0;
  uint8_t sacks = 0;           // SACK blocks
  wire::SackBlock sack0;       // the first
  bool timestamps = false;     // the timestamps option, and its values
  uint32_t ts_val = 0, ts_ecr = 0;
};

// A MemPort that notes every TCP segment it sends and receives into a shared log.
class RecordingPort final : public dpdk::Port {
 public:
  RecordingPort(std::unique_ptr<dpdk::MemPort> inner, char side, std::vector<Seen>* log, const uint64_t* poll)
      : in_(std::move(inner)), side_(side), log_(log), poll_(poll) {}
  dpdk::MemPort& inner() { return *in_; }

  const char* name() const override { return in_->name(); }
  uint16_t queues() const override { return in_->queues(); }
  wire::Mac mac() const override { return in_->mac(); }
  const dpdk::PortCaps& caps() const override { return in_->caps(); }
  uint16_t mtu() const override { return in_->mtu(); }
  const uint16_t* reta() const override { return in_->reta(); }
  uint32_t reta_size() const override { return in_->reta_size(); }
  uint16_t rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override {
    const uint16_t got = in_->rx_burst(q, pkts, n);
    for (uint16_t i = 0; i < got; i++) note(pkts[i], false);
    return got;
  }
  uint16_t tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override {
    // Read before they go: once sent, the frames are the peer's.
    std::vector<size_t> end(n + 1, log_->size());  // end[i]: the log's size before frame i
    for (uint16_t i = 0; i < n; i++) {
      note(pkts[i], true);
      end[i + 1] = log_->size();
    }
    const uint16_t sent = in_->tx_burst(q, pkts, n);
    log_->resize(end[sent]);  // the refused ones were not sent
    return sent;
  }

 private:
  void note(const rte_mbuf* m, bool out) {
    wire::Frame f;
    const uint32_t trust = wire::kRxIpChecksumOk | wire::kRxL4ChecksumOk;  // offload leaves them unset
    if (wire::parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, trust, f) == wire::WireError::kOk &&
        f.kind == wire::FrameKind::kIpv4Tcp)
      log_->push_back({side_, out, *poll_, f.tcp.flags, f.payload_len, f.tcp.window, f.tcp.seq, f.tcp.ack,
                       f.tcp.opts.sack_count, f.tcp.opts.sack[0], f.tcp.opts.has_timestamps,
                       f.tcp.opts.ts_val, f.tcp.opts.ts_ecr});
  }

  std::unique_ptr<dpdk::MemPort> in_;
  char side_;
  std::vector<Seen>* log_;
  const uint64_t* poll_;
};

struct Side {
  std::unique_ptr<api::Stack> stack;
  dpdk::MemPort* port = nullptr;
  rte_mempool* pool = nullptr;  // the stack's own, which its segments are built in
  stats::Snapshot total() { return stack->stats().total(); }
  stats::Snapshot of(uint16_t q) { return stack->stats().of(q); }
};

// A server stack (turnstile-server's handlers) and a client stack (the Script), connected.
class StackToStack : public ::testing::Test {
 protected:
  void build(uint16_t queues, bool rss, server::Mode mode, uint16_t port = 80) {
    static int serial = 0;
    serial++;
    server_consume_ = server::explicit_consume(mode);  // as turnstile-server runs it
    server_ = make_side("srv" + std::to_string(serial), kServerIp, 0x02, queues, rss,
                        [mode](unsigned) { return server::make_handler(mode, "Hello from Turnstile\n"); });
    client_ = make_side("cli" + std::to_string(serial), kClientIp, 0x01, queues, rss,
                        [this](unsigned) { return std::make_unique<ClientHandler>(script_); });
    server_.stack->listen(port, 511);
    dpdk::MemPort::connect(*server_.port, *client_.port);
    script_.lcores = queues;
  }

  Side make_side(const std::string& name, uint32_t ip, uint8_t mac_last, uint16_t queues, bool rss,
                 api::HandlerFactory f) {
    Side s;
    api::StackConfig sc;
    if (mac_last == 0x02) sc.workers = server_workers_;
    sc.explicit_consume = mac_last == 0x02 ? server_consume_ : client_consume_;
    dpdk::DatapathConfig& dc = sc.datapath;
    dc.profile = dpdk::default_profile();
    dc.profile.port.mbufs = 16383;
    dc.profile.stack.connections_per_queue = 16384;
    dc.profile.stack.syncookies = syncookies_;
    if (mac_last == 0x02) server_stack_(dc.profile.stack);
    else client_stack_(dc.profile.stack);
    dc.ip = ip;
    dc.ip_count = mac_last == 0x01 ? client_ip_count_ : 1;
    if (mac_last == 0x01) dc.ports = client_ports_;
    dc.prefix_len = 24;
    dc.queues = queues;
    dc.name = name;
    dc.make_port = [this, &s, name, queues, rss, mac_last](rte_mempool* pool, uint16_t, std::string* err) {
      s.pool = pool;
      auto p = dpdk::MemPort::create(name, queues, wire::Mac{{0x02, 0, 0, 0, 0, mac_last}}, rss, err);
      if (!p) return std::unique_ptr<dpdk::Port>();
      s.port = p.get();
      const char side = mac_last == 0x02 ? 's' : 'c';
      return std::unique_ptr<dpdk::Port>(std::make_unique<RecordingPort>(std::move(p), side, &wire_, &polls_));
    };
    std::string err;
    s.stack = api::Stack::create(sc, std::move(f), &err);
    EXPECT_TRUE(s.stack) << err;
    return s;
  }

  // Polls every lcore of both stacks, advancing the virtual clock: 20 us per busy round, 1 ms per
  // idle one. True when `done` holds before `limit` of virtual time has passed.
  bool run_until(const std::function<bool()>& done, tcp::Time limit = 120 * tcp::kSec) {
    const tcp::Time end = now_ + limit;
    while (now_ < end) {
      const unsigned work = poll_all();
      if (done()) return settle();
      now_ += work ? 20 * tcp::kUsec : tcp::kMsec;
    }
    return false;
  }

  // One poll of every lcore of both stacks at now_; the frames they took in.
  unsigned poll_all() {
    unsigned work = 0;
    for (Side* s : {&server_, &client_})
      for (uint16_t q = 0; q < s->stack->datapath().queues(); q++) {
        polls_++;
        work += s->stack->datapath().lcore(q).poll(now_);
      }
    return work;
  }

  // A few more milliseconds, so that the lcores publish their protocol counters (once a tick).
  bool settle() {
    for (int i = 0; i < 3; i++) {
      now_ += tcp::kMsec;
      for (Side* s : {&server_, &client_})
        for (uint16_t q = 0; q < s->stack->datapath().queues(); q++) {
          polls_++;
          s->stack->datapath().lcore(q).poll(now_);
        }
    }
    return true;
  }

  // The segments sent, in order, packetdrill-like: "c:S s:S. c:P.59" (side, flags, payload bytes).
  std::string trace() const {
    std::string t;
    for (const Seen& x : wire_) {
      if (!x.out) continue;
      if (!t.empty()) t += ' ';
      t += x.side;
      t += ':';
      if (x.flags & tcp::kSyn) t += 'S';
      if (x.flags & tcp::kFin) t += 'F';
      if (x.flags & tcp::kRst) t += 'R';
      if (x.flags & tcp::kPsh) t += 'P';
      if (x.flags & tcp::kAck) t += '.';
      if (x.len) t += std::to_string(x.len);
    }
    return t;
  }
  uint64_t sent_by(char side) const {
    uint64_t n = 0;
    for (const Seen& x : wire_) n += x.out && x.side == side;
    return n;
  }

  void expect_all_ok(size_t n, const std::string& want) {
    ASSERT_EQ(script_.results.size(), n);
    size_t bad = 0;
    for (const auto& r : script_.results) bad += r.got != want || r.why != tcp::CloseReason::kNormal;
    EXPECT_EQ(bad, 0u);
  }

  static std::string http_close_request() { return "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"; }
  static std::string http_reply() {
    return "HTTP/1.1 200 OK\r\nServer: turnstile\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
           "Content-Type: text/plain\r\nContent-Length: 21\r\nConnection: close\r\n\r\nHello from Turnstile\n";
  }
  static std::string http_keep_alive_request() { return "GET / HTTP/1.1\r\nHost: x\r\n\r\n"; }
  static std::string http_keep_alive_reply() {
    return "HTTP/1.1 200 OK\r\nServer: turnstile\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
           "Content-Type: text/plain\r\nContent-Length: 21\r\n\r\nHello from Turnstile\n";
  }
  static std::string random_bytes(size_t n) {
    std::mt19937 g(42);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(g());
    return s;
  }

  tcp::Time now_ = 10 * tcp::kSec;  // after both stacks' creation time, as their clocks see it
  tcp::CookieMode syncookies_ = tcp::CookieMode::kAuto;
  uint32_t client_ip_count_ = 1;  // local addresses of the client stack
  rss::PortRange client_ports_;    // the local ports its active opens take
  std::vector<Seen> wire_;           // every TCP segment either side sent or received
  uint64_t polls_ = 0;               // lcore poll calls so far
  Script script_;
  uint16_t server_workers_ = 0;      // application threads of the server stack (0: inline)
  std::function<void(dpdk::StackProfile&)> server_stack_ = [](dpdk::StackProfile&) {};
  std::function<void(dpdk::StackProfile&)> client_stack_ = [](dpdk::StackProfile&) {};
  bool server_consume_ = false;      // the stacks' StackConfig::explicit_consume
  bool client_consume_ = false;
  Side server_, client_;
};

TEST_F(StackToStack, http_get_gets_200_and_the_body_then_server_closes_first) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, http_reply());
  const auto s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::enter_fin_wait_1], 1u);
  EXPECT_EQ(s[Counter::enter_time_wait], 1u);   // the server closed first
  EXPECT_EQ(c[Counter::enter_close_wait], 1u);  // the client closed second
  EXPECT_EQ(c[Counter::enter_last_ack], 1u);
  EXPECT_EQ(s[Counter::arp_replies_out], 1u);   // the client had to resolve the server first
  EXPECT_EQ(c[Counter::conn_opened], 1u);
}

// An lcore takes the mbufs of the segments it sends 32 at a time, and a bulk get is all or
// nothing: with 5 left in the pool, 10 SYNs at once must still give 5 SYNs on the wire and 5
// drop_no_mbuf (the other 5 go again at their RTO), and once idle the lcore keeps none aside.
TEST_F(StackToStack, a_pool_with_fewer_mbufs_than_the_transmit_stash_takes_still_sends_one_segment_for_each) {
  build(1, false, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));  // the server's MAC known: no ARP below
  rte_mempool* pool = client_.pool;
  ASSERT_NE(pool, nullptr);
  const unsigned in_use = rte_mempool_in_use_count(pool);
  std::vector<rte_mbuf*> taken;
  while (rte_mbuf* m = rte_pktmbuf_alloc(pool)) taken.push_back(m);
  for (int i = 0; i < 5; i++) {
    rte_pktmbuf_free(taken.back());
    taken.pop_back();
  }
  const uint64_t sent = sent_by('c');
  const uint64_t drops = client_.total()[Counter::drop_no_mbuf];
  script_.to_open = 10;
  script_.concurrent = 10;
  dpdk::Lcore& client = client_.stack->datapath().lcore(0);
  client.poll(now_);  // the client alone: no answer comes back to give mbufs back
  EXPECT_EQ(sent_by('c') - sent, 5u);
  for (int i = 0; i < 3; i++) client.poll(now_ += tcp::kMsec);  // a tick publishes the counters
  EXPECT_EQ(client_.total()[Counter::drop_no_mbuf] - drops, 5u);

  for (rte_mbuf* m : taken) rte_pktmbuf_free(m);
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(11, http_reply());
  EXPECT_EQ(rte_mempool_in_use_count(pool), in_use);
}

// Lcore::sink_user (the inline sink's lookup, unchecked) against app_user, on connections in
// every state of their life, many at once on two lcores; and the replies each got their own.
TEST_F(StackToStack, sink_user_names_the_connection_app_user_names_on_many_at_once) {
  build(2, true, server::Mode::kHttp);
  script_.to_open = 64;
  script_.concurrent = 16;
  script_.check_sink_user = true;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(64, http_reply());
  EXPECT_TRUE(script_.open.empty());
}

// The server parses from each segment and keeps only what a segment leaves unfinished: here the
// first segment holds one whole request and the start of a second, the next one the rest.
TEST_F(StackToStack, http_requests_split_and_pipelined_across_segments_each_get_their_answer) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  const std::string whole = http_keep_alive_request() + http_close_request();
  const size_t cut = http_keep_alive_request().size() + 9;  // inside the second request line
  script_.request = whole.substr(0, cut);
  script_.request_tail = whole.substr(cut);
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, http_keep_alive_reply() + http_reply());
  std::vector<uint16_t> client_data;  // payload lengths the client sent, in order
  for (const Seen& x : wire_)
    if (x.out && x.side == 'c' && x.len) client_data.push_back(x.len);
  EXPECT_EQ(client_data, (std::vector<uint16_t>{uint16_t(cut), uint16_t(whole.size() - cut)}));
  EXPECT_EQ(server_.total()[Counter::enter_fin_wait_1], 1u);  // the second request asked to close
}

// The server answers a GET that comes alone with the same bytes as the last one without parsing
// it again (handlers.cc): the same request gets the same answer, any other is read anew.
TEST_F(StackToStack, http_server_answers_a_repeated_request_as_the_first_and_reads_a_new_one) {
  build(1, true, server::Mode::kHttp);
  auto phase = [&](const std::string& request, const std::string& close_after, int n) {
    script_.request = request;
    script_.close_after = close_after;
    script_.to_open = n;
    ASSERT_TRUE(run_until([&] { return script_.done(); }));
  };
  phase(http_keep_alive_request(), http_keep_alive_reply(), 2);
  phase(http_close_request(), "", 1);  // after the keep-alive one: read, and the server closes
  phase(http_keep_alive_request(), http_keep_alive_reply(), 1);
  phase("GET / HTTP/1.0\r\nHost: x\r\n\r\n", "", 1);  // 1.0 without keep-alive: closed too
  ASSERT_EQ(script_.results.size(), 5u);
  EXPECT_EQ(script_.results[0].got, http_keep_alive_reply());
  EXPECT_EQ(script_.results[1].got, http_keep_alive_reply());
  EXPECT_EQ(script_.results[2].got, http_reply());
  EXPECT_EQ(script_.results[3].got, http_keep_alive_reply());
  EXPECT_EQ(script_.results[4].got.substr(0, 15), "HTTP/1.0 200 OK");
  EXPECT_EQ(server_.total()[Counter::enter_fin_wait_1], 2u);  // it closed the two that asked
}

// The memo stands for one request: a segment of two pipelined requests is read anew on every
// connection, and each request gets its answer (the memo once answered the second connection's
// pair with one reply, and it waited for ever).
TEST_F(StackToStack, http_pipelined_requests_in_one_segment_get_every_answer_on_every_connection) {
  build(1, true, server::Mode::kHttp);
  script_.request = http_keep_alive_request() + http_close_request();
  script_.to_open = 3;
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(3, http_keep_alive_reply() + http_reply());
}

// Segments per connection, what a CPS run pays for: the request rides on the handshake's last
// ACK, a reply sent with close() carries the FIN, and a FIN sent from the callback that delivered
// the peer's FIN carries its ACK.
TEST_F(StackToStack, server_first_close_takes_six_segments) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, http_reply());
  const std::string req = std::to_string(http_close_request().size());
  const std::string rep = std::to_string(http_reply().size());
  EXPECT_EQ(trace(), "c:S s:S. c:P." + req + " s:FP." + rep + " c:F. s:.");
  EXPECT_EQ(client_.total()[Counter::tcp_segs_out], 3u);
  EXPECT_EQ(server_.total()[Counter::tcp_segs_out], 3u);
}

TEST_F(StackToStack, client_first_close_after_a_keep_alive_reply_takes_seven_segments) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = http_keep_alive_request();
  script_.close_after = http_keep_alive_reply();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, http_keep_alive_reply());
  const std::string req = std::to_string(http_keep_alive_request().size());
  const std::string rep = std::to_string(http_keep_alive_reply().size());
  EXPECT_EQ(trace(), "c:S s:S. c:P." + req + " s:P." + rep + " c:F. s:F. c:.");
  EXPECT_EQ(client_.total()[Counter::enter_time_wait], 1u);
  EXPECT_EQ(server_.total()[Counter::enter_last_ack], 1u);
}

TEST_F(StackToStack, request_and_close_in_one_callback_take_five_segments) {
  // Our FIN rides on the request; the reply carries theirs and acknowledges ours, which takes us
  // from FIN-WAIT-1 straight to TIME-WAIT: that ACK must go at once (no block is left to hold it).
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = http_close_request();
  script_.close_with_request = true;
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, http_reply());
  const std::string req = std::to_string(http_close_request().size());
  const std::string rep = std::to_string(http_reply().size());
  EXPECT_EQ(trace(), "c:S s:S. c:FP." + req + " s:FP." + rep + " c:.");
  EXPECT_EQ(server_.total()[Counter::conn_closed], 1u);  // LAST-ACK ended by that ACK
  EXPECT_EQ(server_.total()[Counter::tcp_retransmits] + client_.total()[Counter::tcp_retransmits], 0u);
}

TEST_F(StackToStack, handshake_ack_leaves_in_the_same_poll_when_the_application_sends_nothing) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.request = "";
  ASSERT_TRUE(run_until([&] { return sent_by('c') == 2; }, tcp::kSec));
  EXPECT_EQ(trace(), "c:S s:S. c:.");
  Seen syn_ack{}, ack{};
  for (const Seen& x : wire_) {
    if (x.side == 'c' && !x.out && x.flags == (tcp::kSyn | tcp::kAck)) syn_ack = x;
    if (x.side == 'c' && x.out && x.flags == tcp::kAck) ack = x;
  }
  EXPECT_NE(syn_ack.poll, 0u);
  EXPECT_EQ(ack.poll, syn_ack.poll);  // held until the end of that poll, not later
  // Held back, it still goes out as built when the SYN-ACK came: acknowledging it, echoing its
  // timestamp (RFC 7323 §4.3).
  EXPECT_EQ(ack.ack, syn_ack.seq + 1);
  EXPECT_EQ(ack.seq, syn_ack.ack);
  ASSERT_TRUE(syn_ack.timestamps && ack.timestamps);
  EXPECT_EQ(ack.ts_ecr, syn_ack.ts_val);
  EXPECT_EQ(server_.total()[Counter::conn_accepted], 1u);
}

TEST_F(StackToStack, one_mebibyte_through_echo_comes_back_intact_and_client_closes_first) {
  build(1, true, server::Mode::kEcho, 7);
  script_.to_open = 1;
  script_.rport = 7;
  script_.request = random_bytes(1 << 20);
  script_.close_when_echoed = true;
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1, script_.request);
  const auto s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::tcp_payload_in], 1u << 20);
  EXPECT_EQ(s[Counter::enter_close_wait], 1u);
  EXPECT_EQ(s[Counter::enter_last_ack], 1u);
  EXPECT_EQ(c[Counter::enter_time_wait], 1u);
  EXPECT_EQ(s[Counter::tcp_retransmits] + c[Counter::tcp_retransmits], 0u);
}

TEST_F(StackToStack, connection_to_a_closed_port_is_refused_by_rst) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.rport = 81;
  script_.request = "x";
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kRefused);
  EXPECT_EQ(server_.total()[Counter::tcp_rst_out], 1u);
  EXPECT_EQ(server_.total()[Counter::conn_accepted], 0u);
}

// Pipelined requests whose replies pass [stack] send_buffer before the client acknowledges any:
// the replies that do not fit wait for the client's acknowledgements (on_send_space), and every
// request gets its answer, in order, with no reset. Before, the handler reset the connection.
TEST_F(StackToStack, http_replies_past_the_send_buffer_wait_for_the_clients_acknowledgements) {
  server_stack_ = [](dpdk::StackProfile& p) { p.send_buffer = 1024; };
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  for (int i = 0; i < 20; i++) {
    script_.request += http_keep_alive_request();
    script_.close_after += http_keep_alive_reply();
  }
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
  EXPECT_EQ(script_.results[0].got, script_.close_after);
  const auto s = server_.total();
  EXPECT_GE(s[Counter::app_send_full], 1u);  // a reply did find the buffer full, and waited
  EXPECT_EQ(s[Counter::conn_aborted], 0u);
  EXPECT_EQ(s[Counter::tcp_rst_out] + client_.total()[Counter::tcp_rst_out], 0u);
}

// The same, the client's FIN right behind its requests: it comes while replies wait, and the
// server closes only once every request has its answer (as nginx answers what it read before EOF).
TEST_F(StackToStack, http_replies_that_wait_for_send_space_still_go_when_the_client_has_closed) {
  server_stack_ = [](dpdk::StackProfile& p) { p.send_buffer = 1024; };
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1;
  script_.close_with_request = true;
  std::string replies;
  for (int i = 0; i < 20; i++) {
    script_.request += http_keep_alive_request();
    replies += http_keep_alive_reply();
  }
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
  EXPECT_EQ(script_.results[0].got, replies);
  const auto s = server_.total();
  EXPECT_GE(s[Counter::app_send_full], 1u);
  EXPECT_EQ(s[Counter::conn_aborted], 0u);
  EXPECT_EQ(s[Counter::tcp_rst_out] + client_.total()[Counter::tcp_rst_out], 0u);
}

// A listener with room for no connection would drop every SYN: refused when asked for.
TEST_F(StackToStack, listen_refuses_a_backlog_of_zero) {
  build(1, true, server::Mode::kEcho);
  std::string err;
  EXPECT_FALSE(server_.stack->listen(7, 0, &err));
  EXPECT_EQ(err, "a listener's backlog must be at least 1");
  EXPECT_TRUE(server_.stack->listen(7, 1, &err)) << err;
}

TEST_F(StackToStack, ten_thousand_short_connections_in_a_row_without_a_failure) {
  build(1, true, server::Mode::kHttp);
  script_.to_open = 10000;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(10000, http_reply());
  const auto s = server_.total();
  EXPECT_EQ(s[Counter::conn_accepted], 10000u);
  EXPECT_EQ(s[Counter::conn_closed], 10000u);
  EXPECT_EQ(s[Counter::tcp_rst_out] + s[Counter::tcp_rst_in], 0u);
  EXPECT_EQ(server_.stack->datapath().lcore(0).time_wait_entries(), 10000u);
  // Six segments each, three a side: SYN, request, FIN+ACK; SYN-ACK, reply+FIN, ACK.
  EXPECT_EQ(client_.total()[Counter::tcp_segs_out], 3u * 10000);
  EXPECT_EQ(s[Counter::tcp_segs_out], 3u * 10000);
}

TEST_F(StackToStack, syn_cookies_always_open_every_connection_without_half_open_state) {
  syncookies_ = tcp::CookieMode::kAlways;
  build(1, true, server::Mode::kHttp);
  script_.to_open = 1000;
  script_.concurrent = 8;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(1000, http_reply());
  const auto s = server_.total();
  EXPECT_EQ(s[Counter::syncookies_sent], 1000u);  // every SYN-ACK carried a cookie
  EXPECT_EQ(s[Counter::syncookies_ok], 1000u);
  EXPECT_EQ(s[Counter::enter_syn_received], 0u);  // no half-open block was ever kept
  EXPECT_EQ(s[Counter::conn_accepted], 1000u);
}

// Each active open asks for the lines the next two will touch (lcore_connect.cc); worth its cost
// only if it names their tuples. Two queues (ports whose replies hash to the other lcore are
// skipped) and one to three local addresses (taken in turn), on both lcores. On each address the
// ports go up, none taken twice: each search starts past the last port that address gave out,
// whether that open has happened yet or is only predicted.
class ActiveOpens : public StackToStack, public ::testing::WithParamInterface<uint32_t> {};

TEST_P(ActiveOpens, the_next_two_active_opens_use_the_tuples_predicted_for_them) {
  client_ip_count_ = GetParam();
  build(2, true, server::Mode::kHttp);
  for (uint16_t q = 0; q < 2; q++) {
    dpdk::Lcore& l = client_.stack->datapath().lcore(q);
    std::map<uint32_t, uint16_t> last_port;
    for (int i = 0; i < 60; i++) {
      const auto next = l.upcoming_tuple(kServerIp, 80, 1), after = l.upcoming_tuple(kServerIp, 80, 2);
      ASSERT_TRUE(next && after);
      const auto ref = l.app_connect(kServerIp, 80);
      ASSERT_TRUE(ref);
      EXPECT_EQ(*l.app_tuple(*ref), *next) << "open " << i << " on lcore " << q;
      EXPECT_EQ(*l.upcoming_tuple(kServerIp, 80, 1), *after) << "open " << i << " on lcore " << q;
      EXPECT_NE(*next, *after);
      // Onwards from the last open's port, round the range: the search starts at a random port,
      // and one near the top wraps to the bottom (a plain `greater` failed when it did).
      if (last_port.count(next->laddr)) {
        const rss::PortRange r;
        const uint16_t last = last_port[next->laddr];
        const int step = next->lport > last ? next->lport - last : (r.hi - last) + (next->lport - r.lo) + 1;
        EXPECT_GT(step, 0) << "open " << i << " on lcore " << q;
        EXPECT_LT(step, (r.hi - r.lo) / 2) << "open " << i << " on lcore " << q << ": port " << last << " then " << next->lport;
      }
      last_port[next->laddr] = next->lport;
    }
    EXPECT_EQ(last_port.size(), GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(LocalAddresses, ActiveOpens, ::testing::Values(1u, 2u, 3u));

// One queue: every port is the lcore's, so the search hashes none and takes the next port of the
// range, address after address; the predicted tuples are still the ones opened. A range of 10
// ports makes 60 opens go round it, past its top back to its bottom, several times on each
// address. (That replies find such opens, keyed by 0 in Lcore::flow_hash, every single-queue
// exchange here and in test/cps shows.)
TEST_P(ActiveOpens, with_one_queue_each_address_takes_the_next_port_of_the_range) {
  client_ip_count_ = GetParam();
  client_ports_ = {40000, 40009};
  build(1, true, server::Mode::kHttp);
  dpdk::Lcore& l = client_.stack->datapath().lcore(0);
  const rss::PortRange r = l.shared().ports;
  ASSERT_EQ(r.lo, 40000);
  ASSERT_EQ(r.hi, 40009);
  int wraps = 0;
  std::map<uint32_t, uint16_t> last_port;
  for (int i = 0; i < 60; i++) {
    const auto next = l.upcoming_tuple(kServerIp, 80, 1);
    ASSERT_TRUE(next);
    const auto ref = l.app_connect(kServerIp, 80);
    ASSERT_TRUE(ref) << "open " << i << " port " << next->lport;
    EXPECT_EQ(*l.app_tuple(*ref), *next) << "open " << i;
    ASSERT_TRUE(l.app_abort(*ref));
    poll_all();  // the abort is applied there (flush_app): its port is free again
    if (last_port.count(next->laddr)) {
      const uint16_t last = last_port[next->laddr];
      EXPECT_EQ(next->lport, last < r.hi ? last + 1 : r.lo) << "open " << i;
      wraps += last == r.hi;
    }
    last_port[next->laddr] = next->lport;
  }
  EXPECT_EQ(last_port.size(), GetParam());
  // Addresses taken in turn: 60 / N opens on each, whose 60 / N - 1 steps pass the top of 10 ports
  // at least (60 / N - 1) / 10 times (5 with one address, 3 with three).
  const uint32_t n = GetParam();
  EXPECT_GE(wraps, static_cast<int>(n * ((60 / n - 1) / 10)));
}

// A handle is checked against the lcore's block count (kept apart from the vector's size): one
// past the last block, or far past, names none; nor does one of another lcore, or a stale one.
TEST_F(StackToStack, handles_past_the_last_block_or_of_another_lcore_or_stale_name_no_connection) {
  build(2, true, server::Mode::kHttp);
  dpdk::Lcore& l = client_.stack->datapath().lcore(0);
  const uint32_t n = l.shared().conns_per_queue;
  const auto ref = l.app_connect(kServerIp, 80);
  ASSERT_TRUE(ref);
  ASSERT_TRUE(l.app_tuple(*ref));
  for (const dpdk::ConnRef bad : {dpdk::ConnRef{n, ref->gen, 0}, dpdk::ConnRef{n + 1, ref->gen, 0},
                                  dpdk::ConnRef{UINT32_MAX, ref->gen, 0}, dpdk::ConnRef{ref->slot, ref->gen, 1},
                                  dpdk::ConnRef{ref->slot, ref->gen + 1, 0}}) {
    EXPECT_FALSE(l.app_tuple(bad)) << bad.slot;
    EXPECT_EQ(l.app_user(bad), nullptr) << bad.slot;
    EXPECT_FALSE(l.app_close(bad)) << bad.slot;
  }
  EXPECT_TRUE(l.app_tuple(*ref));  // untouched by the refusals
}

// Two queues per stack. With NIC-style RSS the frames arrive on their shard; without it they are
// dealt round robin and software RSS moves them. Either way every connection lives on one lcore.
class TwoQueues : public StackToStack, public ::testing::WithParamInterface<bool> {};

TEST_P(TwoQueues, connections_spread_over_both_shards_each_on_one_lcore) {
  const bool rss = GetParam();
  build(2, rss, server::Mode::kHttp);
  script_.to_open = 2000;
  script_.concurrent = 16;
  script_.request = http_close_request();
  ASSERT_TRUE(run_until([&] { return script_.done(); }));
  expect_all_ok(2000, http_reply());
  uint64_t accepted = 0, syn_rcvd = 0;
  for (uint16_t q = 0; q < 2; q++) {
    const auto s = server_.of(q);
    EXPECT_GT(s[Counter::conn_accepted], 200u) << "lcore " << q;
    accepted += s[Counter::conn_accepted];
    syn_rcvd += s[Counter::enter_syn_received];
  }
  EXPECT_EQ(accepted, 2000u);
  EXPECT_EQ(syn_rcvd, 2000u);  // no connection was ever opened on a second lcore
  const auto s = server_.total();
  if (rss) EXPECT_EQ(s[Counter::handoff_out], 0u);
  else EXPECT_GT(s[Counter::handoff_out], 0u);
  EXPECT_EQ(s[Counter::tcp_rst_out], 0u);
}

INSTANTIATE_TEST_SUITE_P(Rss, TwoQueues, ::testing::Values(true, false),
                         [](const auto& i) { return i.param ? std::string("nic_rss") : std::string("software_rss"); });

TEST_F(StackToStack, lossy_wire_recovers_by_retransmission) {
  build(1, true, server::Mode::kEcho, 7);
  server_.port->set_loss(13);
  client_.port->set_loss(17);
  script_.to_open = 4;
  script_.concurrent = 2;
  script_.rport = 7;
  script_.request = random_bytes(256 << 10);
  script_.close_when_echoed = true;
  ASSERT_TRUE(run_until([&] { return script_.done(); }, 600 * tcp::kSec));
  expect_all_ok(4, script_.request);
  EXPECT_GT(server_.port->lost() + client_.port->lost(), 0u);
  EXPECT_GT(server_.total()[Counter::tcp_retransmits] + client_.total()[Counter::tcp_retransmits], 0u);
}

// The out-of-order queue ([stack] out_of_order_mbufs), on and off: the server keeps what arrives
// past a lost segment, so one retransmission repairs one loss; without it, the segments after
// each hole are sent again too.
class OutOfOrder : public StackToStack, public ::testing::WithParamInterface<bool> {};

TEST_P(OutOfOrder, segments_past_a_hole_are_kept_until_it_is_filled) {
  const bool queue = GetParam();
  server_stack_ = [queue](dpdk::StackProfile& p) { p.out_of_order_mbufs = queue ? 1024 : 0; };
  build(1, true, server::Mode::kDiscard, 9);
  client_.port->set_loss(29);
  script_.to_open = 1;
  script_.rport = 9;
  script_.request = random_bytes(1 << 20);
  script_.close_with_request = true;
  ASSERT_TRUE(run_until([&] { return script_.done(); }, 600 * tcp::kSec));
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
  const auto s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::tcp_payload_in], 1u << 20);
  const uint64_t lost = client_.port->lost(), retx = c[Counter::tcp_retransmits];
  std::printf("out_of_order_mbufs %d: %lu lost, %lu retransmitted\n", queue ? 1024 : 0,
              (unsigned long)lost, (unsigned long)retx);
  ASSERT_GT(lost, 10u);
  size_t sacked = 0;  // the server's ACKs that told of kept segments (RFC 2018)
  for (const Seen& x : wire_) {
    if (x.side != 's' || !x.out || !x.sacks) continue;
    sacked++;
    EXPECT_EQ(x.len, 0u);  // on pure ACKs only
    EXPECT_TRUE(tcp::Seq(x.sack0.left) > tcp::Seq(x.ack) && tcp::Seq(x.sack0.right) > tcp::Seq(x.sack0.left))
        << "a block past the hole at " << x.ack << ": " << x.sack0.left << "-" << x.sack0.right;
  }
  if (queue) {
    // Measured: 35 lost, 35 retransmitted (a single run of it, as the loss is fixed).
    EXPECT_GT(s[Counter::tcp_ooo_queued], lost);
    EXPECT_EQ(s[Counter::tcp_ooo_dropped], 0u);
    EXPECT_LE(retx, lost + lost / 10 + 2);
    EXPECT_GE(sacked, lost);  // at least the duplicate ACKs that told of each loss
  } else {
    EXPECT_EQ(sacked, 0u);
    // Measured: 223 lost, 5,755 retransmitted: go-back-N after every hole.
    EXPECT_EQ(s[Counter::tcp_ooo_queued], 0u);
    EXPECT_GT(s[Counter::tcp_ooo_dropped], 0u);
    EXPECT_GT(retx, 5 * lost);
  }
}

INSTANTIATE_TEST_SUITE_P(Queue, OutOfOrder, ::testing::Values(true, false),
                         [](const auto& i) { return i.param ? std::string("kept") : std::string("dropped"); });

// The sender's use of SACK blocks ([stack] sack), on and off: of every 40 frames the client
// sends, 3 are lost, 3 apart, so a window holds several holes. The server keeps what arrives past
// them and tells of it in SACK blocks; with them the client sends each hole once, all in the
// window's first round trip. Without them (NewReno) it finds one hole a round trip and sends
// again what a partial ACK stops at, lost or not. The virtual clock makes both runs exact.
class SackUse : public StackToStack, public ::testing::WithParamInterface<bool> {};

TEST_P(SackUse, holes_the_blocks_show_are_sent_again_in_the_same_round_trip) {
  const bool sack = GetParam();
  server_stack_ = [sack](dpdk::StackProfile& p) { p.sack = sack; };
  build(1, true, server::Mode::kDiscard, 9);
  client_.port->set_loss(40, 3, 3);
  script_.to_open = 1;
  script_.rport = 9;
  script_.request = random_bytes(1 << 20);
  script_.close_with_request = true;
  const tcp::Time start = now_;
  ASSERT_TRUE(run_until([&] { return script_.done(); }, 600 * tcp::kSec));
  const tcp::Time took = now_ - start;
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
  const auto s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::tcp_payload_in], 1u << 20);
  const uint64_t lost = client_.port->lost(), retx = c[Counter::tcp_retransmits];
  std::printf("sack %d: %.3f s, %lu lost, %lu retransmitted, %lu of them by SACK, %lu fast, %lu timeouts, "
              "%lu probes\n", sack, double(took) / tcp::kSec, (unsigned long)lost, (unsigned long)retx,
              (unsigned long)c[Counter::tcp_sack_retransmits], (unsigned long)c[Counter::tcp_fast_retransmits],
              (unsigned long)c[Counter::tcp_timeouts], (unsigned long)c[Counter::tcp_loss_probes]);
  ASSERT_GT(lost, 50u);
  if (sack) {
    // Measured: 0.007 s, 78 lost, 78 retransmitted, 54 of them holes the blocks showed. One
    // copy is lost again below the last hole sent, with nothing sent after it: found by the
    // blocks (conn_input.cc, una_copy_lost), it takes no timeout.
    EXPECT_GT(c[Counter::tcp_sack_retransmits], lost / 2);
    EXPECT_EQ(c[Counter::tcp_timeouts], 0u);
    EXPECT_LE(retx, lost + 2);
    EXPECT_LT(took, 100 * tcp::kMsec) << "no retransmission timeout";
  } else {
    // Measured: 0.410 s, 70 lost, 146 retransmitted, two timeouts (227 retransmitted before the
    // go-back's duplicate ACKs stopped starting recoveries, RFC 6582 §3.2).
    EXPECT_EQ(c[Counter::tcp_sack_retransmits], 0u);
    EXPECT_GT(retx * 2, 3 * lost);
  }
}

INSTANTIATE_TEST_SUITE_P(Blocks, SackUse, ::testing::Values(true, false),
                         [](const auto& i) { return i.param ? std::string("used") : std::string("off"); });

// A worker that falls behind: its first on_data waits until the test opens the gate.
struct SlowReader final : api::Handler {
  struct Shared {
    std::atomic<bool> gate{false};
    std::atomic<bool> closed{false};
    std::string got;  // the worker's only, read by the test once `closed`
  };
  explicit SlowReader(Shared& s) : s_(s) {}
  void on_data(api::Connection&, const uint8_t* d, size_t n) override {
    while (!s_.gate.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
    s_.got.append(reinterpret_cast<const char*>(d), n);
  }
  void on_closed(api::Connection&, tcp::CloseReason) override { s_.closed = true; }
  Shared& s_;
};

class SlowWorker : public StackToStack {
 protected:
  void TearDown() override { reader_.gate = true; }  // a failed test must not leave it blocked

  // As run_until, but the worker thread runs in real time: an idle round sleeps 20 us of it (and
  // passes 1 ms of the stacks' time, so that a retransmission backed off to seconds comes soon).
  bool run_with_worker_until(const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < end) {
      const unsigned work = poll_all();
      if (done()) return settle();
      now_ += work ? 20 * tcp::kUsec : tcp::kMsec;
      if (!work) std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    return false;
  }
  uint64_t server_took() {
    settle();  // the lcores publish their protocol counters once a tick
    return server_.total()[Counter::tcp_payload_in];
  }

  // A server with one slow worker, a client that sends it 1 MiB and closes.
  void start_one_upload() {
    server_workers_ = 1;
    server_ = make_side("srvw", kServerIp, 0x02, 1, true,
                        [this](unsigned) { return std::make_unique<SlowReader>(reader_); });
    client_ = make_side("cliw", kClientIp, 0x01, 1, true,
                        [this](unsigned) { return std::make_unique<ClientHandler>(script_); });
    server_.stack->listen(9, 511);
    dpdk::MemPort::connect(*server_.port, *client_.port);
    std::string err;
    ASSERT_TRUE(server_.stack->start_workers(stop_, &err)) << err;
    script_.to_open = 1;
    script_.rport = 9;
    script_.request = random_bytes(1 << 20);
    script_.close_with_request = true;
  }
  size_t zero_windows() const {
    size_t n = 0;
    for (const Seen& x : wire_) n += x.side == 's' && x.out && (x.flags & tcp::kAck) && x.window == 0;
    return n;
  }
  // Opens the gate; true when the whole upload reached the handler and the connection ended.
  bool finish_upload() {
    reader_.gate = true;
    if (!run_with_worker_until([&] { return script_.done() && reader_.closed.load(); })) return false;
    EXPECT_EQ(script_.results.size(), 1u);
    if (!script_.results.empty()) {
      EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
    }
    EXPECT_TRUE(reader_.got == script_.request) << reader_.got.size() << " bytes read";
    EXPECT_EQ(server_took(), 1u << 20);
    return true;
  }

  SlowReader::Shared reader_;
  std::atomic<bool> stop_{false};
};

TEST_F(SlowWorker, unread_data_closes_the_window_and_reading_reopens_it_without_a_byte_lost) {
  start_one_upload();
  ASSERT_TRUE(run_with_worker_until([&] { return zero_windows() > 0; }));
  // The window (256 KiB, scale 3: rounding may add 7 bytes) is all the worker was handed, and it
  // stays that way while the client probes the closed window.
  const uint64_t held = server_took();
  EXPECT_GE(held, 256u * 1024 - 1460);
  EXPECT_LE(held, 256u * 1024 + 7);
  const size_t probes_before = zero_windows();
  run_until([] { return false; }, 3 * tcp::kSec);
  EXPECT_EQ(server_took(), held);
  EXPECT_GT(zero_windows(), probes_before);  // answers to the client's window probes
  EXPECT_GT(client_.total()[Counter::tcp_window_probes], 0u);
  EXPECT_GE(server_.total()[Counter::tcp_rcv_window_closed], 1u);

  ASSERT_TRUE(finish_upload());
  EXPECT_EQ(server_.total()[Counter::app_data_refused], 0u);  // the window alone held it back
}

// [stack] receive_window: the window a connection offers, and so what one stalled connection can
// leave waiting for its worker.
TEST_F(SlowWorker, the_profiles_receive_window_is_what_a_stalled_connection_leaves_waiting) {
  server_stack_ = [](dpdk::StackProfile& p) { p.receive_window = 16384; };
  start_one_upload();
  ASSERT_TRUE(run_with_worker_until([&] { return zero_windows() > 0; }));
  const uint64_t held = server_took();
  EXPECT_GE(held, 16384u - 1460);
  EXPECT_LE(held, 16384u);  // no scaling under 64 KiB: no rounding either
  size_t synacks = 0;
  for (const Seen& x : wire_) {
    if (x.side == 's' && x.out && (x.flags & tcp::kSyn)) {
      EXPECT_EQ(x.window, 16384) << "the SYN-ACK's offer";
      synacks++;
    }
  }
  EXPECT_EQ(synacks, 1u);
  run_until([] { return false; }, 3 * tcp::kSec);
  EXPECT_EQ(server_took(), held);
  ASSERT_TRUE(finish_upload());
}

// Windows bound each connection; the mempool is bounded per lcore-worker pair. With a 64-entry
// app ring (the mempool keeps 64 mbufs for it) a stalled worker holds at most 64 data mbufs, far
// less than the 256 KiB window: past them the lcore takes segments without their data, which
// the client then sends again, and not a byte is lost.
TEST_F(SlowWorker, a_stalled_worker_holds_no_more_data_mbufs_than_its_ring_counts) {
  server_stack_ = [](dpdk::StackProfile& p) { p.app_ring_size = 64; };
  start_one_upload();
  ASSERT_TRUE(run_with_worker_until([&] { return server_.total()[Counter::app_data_refused] > 0; }));
  settle();
  const uint64_t refused = server_.total()[Counter::app_data_refused];
  run_until([] { return false; }, 3 * tcp::kSec);
  const uint64_t held = server_took();
  EXPECT_LE(held, 64u * 1460);
  EXPECT_GE(held, 63u * 1460);  // full-sized segments, all the room taken
  EXPECT_EQ(zero_windows(), 0u);  // the window never closed: the pool ran short first
  // While the worker stays stalled, the client's retransmissions are refused in turn.
  EXPECT_GT(client_.total()[Counter::tcp_retransmits], 0u);
  EXPECT_GT(server_.total()[Counter::app_data_refused], refused);
  EXPECT_EQ(server_.total()[Counter::tcp_rst_out] + client_.total()[Counter::tcp_rst_out], 0u);
  ASSERT_TRUE(finish_upload());
}

// Echoes; as each connection is accepted, turns keepalive on, and with `then_off` off again at once.
struct KeepaliveEcho final : api::Handler {
  KeepaliveEcho(bool on, bool then_off) : on_(on), off_(then_off) {}
  void on_accept(api::Connection& c) override {
    if (on_) c.set_keepalive(true);
    if (off_) c.set_keepalive(false);
  }
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override { ASSERT_TRUE(c.send(d, n)); }
  bool on_, off_;
};

// The Connection calls, inline (param 0) and from a worker thread (1). Keepalive: a profile whose
// keepalive is off: idle 1 s, then a probe every 0.5 s (3 unanswered would end it).
class ConnectionApi : public SlowWorker, public ::testing::WithParamInterface<uint16_t> {
 protected:
  // A server of `handler`s (on GetParam() workers) on port 7, a client that opens one
  // connection to it and sends `request`.
  void start_pair(api::HandlerFactory handler, const std::string& request) {
    static int serial = 0;
    serial++;
    server_workers_ = GetParam();
    server_ = make_side("srva" + std::to_string(serial), kServerIp, 0x02, 1, true, std::move(handler));
    client_ = make_side("clia" + std::to_string(serial), kClientIp, 0x01, 1, true,
                        [this](unsigned) { return std::make_unique<ClientHandler>(script_); });
    server_.stack->listen(7, 511);
    dpdk::MemPort::connect(*server_.port, *client_.port);
    std::string err;
    if (server_workers_) {
      EXPECT_TRUE(server_.stack->start_workers(stop_, &err)) << err;
    }
    script_.to_open = 1;
    script_.rport = 7;
    script_.request = request;
  }

  // turnstile-server in `mode` on `port` (on GetParam() workers; send_buffer, a receive window of
  // 16,384, explicit_consume as the app runs it) and a `client` whose stack reads only what its
  // handler consumes (the same window), connected.
  void start_held_pair(server::Mode mode, uint16_t port, uint32_t send_buffer, const std::string& tag,
                       api::HandlerFactory client) {
    server_stack_ = [send_buffer](dpdk::StackProfile& p) {
      p.send_buffer = send_buffer;
      p.receive_window = 16384;
    };
    client_stack_ = [](dpdk::StackProfile& p) { p.receive_window = 16384; };
    server_workers_ = GetParam();
    server_consume_ = server::explicit_consume(mode);
    client_consume_ = true;
    const std::string how = GetParam() ? "w" : "i";
    server_ = make_side("srv" + tag + how, kServerIp, 0x02, 1, true,
                        [mode](unsigned) { return server::make_handler(mode, "Hello from Turnstile\n"); });
    client_ = make_side("cli" + tag + how, kClientIp, 0x01, 1, true, std::move(client));
    server_.stack->listen(port, 511);
    dpdk::MemPort::connect(*server_.port, *client_.port);
    std::string err;
    if (server_workers_) {
      ASSERT_TRUE(server_.stack->start_workers(stop_, &err)) << err;
    }
  }

  // The server's probes over 5 s (of the stacks' time) while the client sits idle after an echo.
  uint64_t probes_while_idle(bool on, bool then_off, bool profile_on = false) {
    server_stack_ = [profile_on](dpdk::StackProfile& p) {
      p.keepalive = profile_on;
      p.keepalive_idle_ms = 1000;
      p.keepalive_interval_ms = 500;
      p.keepalive_probes = 3;
    };
    start_pair([on, then_off](unsigned) { return std::make_unique<KeepaliveEcho>(on, then_off); }, "ping");
    auto echoed = [&] {
      for (const Seen& x : wire_)
        if (x.side == 's' && x.out && x.len == 4) return true;
      return false;
    };
    EXPECT_TRUE(run_with_worker_until(echoed));
    const uint64_t client_out = sent_by('c');
    run_until([] { return false; }, 5 * tcp::kSec);
    settle();
    const stats::Snapshot srv = server_.total();
    EXPECT_EQ(srv[Counter::conn_timed_out], 0u);
    EXPECT_EQ(srv[Counter::tcp_keepalive_timeouts], 0u);
    EXPECT_EQ(script_.results.size(), 0u) << "the idle connection ended";
    // Each probe is answered (an ACK from the client), which keeps the connection open.
    EXPECT_EQ(sent_by('c') - client_out, srv[Counter::tcp_keepalive_probes]);
    server_.stack->shutdown();
    return srv[Counter::tcp_keepalive_probes];
  }
};

TEST_P(ConnectionApi, a_connection_set_to_keepalive_is_probed_after_its_idle_time_and_stays_open) {
  // Idle from the echo on: a probe at about 1, 2, 3, 4 and 5 s (each answer starts a new idle
  // time; the last one lands as the 5 s end).
  const uint64_t probes = probes_while_idle(true, false);
  EXPECT_GE(probes, 4u);
  EXPECT_LE(probes, 5u);
}

TEST_P(ConnectionApi, without_the_call_no_probe_is_sent) {
  EXPECT_EQ(probes_while_idle(false, false), 0u);
}

TEST_P(ConnectionApi, turned_off_right_after_on_no_probe_is_sent) {
  EXPECT_EQ(probes_while_idle(true, true), 0u);
}

// The call overrides the profile both ways: with [stack] keepalive on, off for this one.
TEST_P(ConnectionApi, the_profile_alone_turns_it_on) { EXPECT_EQ(probes_while_idle(false, false, true), 5u); }

TEST_P(ConnectionApi, turned_off_against_the_profile_no_probe_is_sent) {
  EXPECT_EQ(probes_while_idle(false, true, true), 0u);
}

// Sends `total` bytes in 16 KiB pieces as fast as send() takes them, then closes; a refusal
// (the send buffer full) waits for on_send_space. Notes the most that send() took before its
// first refusal, and how many refusals there were.
struct Streamer final : api::Handler {
  struct Shared {
    std::string data;
    std::atomic<size_t> before_first_refusal{0};
    std::atomic<size_t> refusals{0};
  };
  explicit Streamer(Shared& s) : s_(s) {}
  void on_accept(api::Connection& c) override { push(c); }
  void on_send_space(api::Connection& c, size_t) override { push(c); }
  void on_data(api::Connection&, const uint8_t*, size_t) override {}
  void push(api::Connection& c) {
    while (sent_ < s_.data.size()) {
      const size_t n = std::min<size_t>(16384, s_.data.size() - sent_);
      if (!c.send(s_.data.data() + sent_, n)) {
        if (s_.refusals++ == 0) s_.before_first_refusal = sent_;
        return;
      }
      sent_ += n;
    }
    if (!c.closing()) c.close();
  }
  Shared& s_;
  size_t sent_ = 0;
};

// [stack] send_buffer: send() refuses what would queue more than it (a peer that never reads
// can hold no more), on_send_space says when to go on, and every byte arrives once.
TEST_P(ConnectionApi, the_send_buffer_bounds_what_send_takes_and_nothing_is_lost_or_doubled) {
  Streamer::Shared sh;
  sh.data = random_bytes(1 << 20);
  server_stack_ = [](dpdk::StackProfile& p) { p.send_buffer = 65536; };
  start_pair([&sh](unsigned) { return std::make_unique<Streamer>(sh); }, "go");
  ASSERT_TRUE(run_with_worker_until([&] { return script_.done(); }));
  ASSERT_EQ(script_.results.size(), 1u);
  EXPECT_TRUE(script_.results[0].got == sh.data) << script_.results[0].got.size() << " bytes arrived";
  EXPECT_EQ(script_.results[0].why, tcp::CloseReason::kNormal);
  EXPECT_GT(sh.refusals.load(), 0u);
  EXPECT_LE(sh.before_first_refusal.load(), 65536u);
  EXPECT_GE(sh.before_first_refusal.load(), 65536u - 16384);
  EXPECT_EQ(server_.total()[Counter::app_send_full], sh.refusals.load());
  server_.stack->shutdown();
}

// Aborts the connection in its first on_data, after a pause in which more of the peer's data
// reaches the lcore (a worker's ring, an lcore's burst); counts what the handler hears after.
struct AbortOnData final : api::Handler {
  struct Shared {
    std::atomic<int> heard_after_abort{0};
    std::atomic<int> why{-1};
    std::atomic<bool> closed{false};
  };
  explicit AbortOnData(Shared& s) : s_(s) {}
  void on_data(api::Connection& c, const uint8_t*, size_t) override {
    if (c.aborted()) return void(s_.heard_after_abort++);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    c.abort();
  }
  void on_peer_closed(api::Connection& c) override { s_.heard_after_abort += c.aborted(); }
  void on_send_space(api::Connection& c, size_t) override { s_.heard_after_abort += c.aborted(); }
  void on_closed(api::Connection&, tcp::CloseReason why) override {
    s_.why = static_cast<int>(why);
    s_.closed = true;
  }
  Shared& s_;
};

// After abort() the handler hears on_closed(kAborted) and nothing else, in either mode: before
// the fix 9 more on_data calls came inline (the rest of the burst) and 181 from a worker's ring.
TEST_P(ConnectionApi, after_abort_the_handler_hears_only_on_closed) {
  AbortOnData::Shared sh;
  start_pair([&sh](unsigned) { return std::make_unique<AbortOnData>(sh); }, random_bytes(1 << 20));
  script_.close_with_request = true;
  ASSERT_TRUE(run_with_worker_until([&] { return sh.closed.load() && script_.done(); }));
  EXPECT_EQ(sh.heard_after_abort.load(), 0);
  EXPECT_EQ(sh.why.load(), static_cast<int>(tcp::CloseReason::kAborted));
  server_.stack->shutdown();
}

// Sends from on_closed: the connection is gone, and send() says so in either mode (a worker's
// said yes, and the lcore dropped the bytes).
struct SendsWhenClosed final : api::Handler {
  struct Shared {
    std::atomic<bool> got{false};
    std::atomic<int> sent{-1};
    std::atomic<int> why{-1};
  };
  explicit SendsWhenClosed(Shared& s) : s_(s) {}
  void on_data(api::Connection&, const uint8_t*, size_t) override { s_.got = true; }
  void on_peer_closed(api::Connection&) override {}
  void on_closed(api::Connection& c, tcp::CloseReason why) override {
    s_.sent = c.send("late") ? 1 : 0;
    s_.why = static_cast<int>(why);
  }
  Shared& s_;
};

TEST_P(ConnectionApi, send_from_on_closed_is_refused) {
  SendsWhenClosed::Shared sh;
  start_pair([&sh](unsigned) { return std::make_unique<SendsWhenClosed>(sh); }, "ping");
  ASSERT_TRUE(run_with_worker_until([&] { return sh.got.load(); }));
  client_.stack->shutdown();  // a RST to the server's connection, which the handler never closed
  ASSERT_TRUE(run_with_worker_until([&] { return sh.why.load() >= 0; }));
  EXPECT_EQ(sh.why.load(), static_cast<int>(tcp::CloseReason::kReset));
  EXPECT_EQ(sh.sent.load(), 0);
  server_.stack->shutdown();
}

// Opens one connection to port 7 and sends `data` on it as fast as its send buffer takes it;
// reads nothing (its stack runs with explicit_consume) until `reading`, so that its window closes
// on the echo; closes once the whole echo came back.
struct Uploader final : api::Handler {
  struct Shared {
    uint16_t port = 7;
    std::string data;
    size_t expect = 0;  // bytes to receive before closing (0: data's size, an echo)
    std::string got;
    size_t unread = 0;  // echo received, not yet consumed
    bool reading = false;
    bool closed = false;
    tcp::CloseReason why = tcp::CloseReason::kShutdown;
  };
  explicit Uploader(Shared& s) : s_(s) {}
  void on_poll(api::Poller& p, tcp::Time) override {
    if (!opened_) {
      opened_ = true;
      c_ = p.connect(kServerIp, s_.port);
    }
    if (c_ && s_.reading && s_.unread) {
      c_->consumed(s_.unread);
      s_.unread = 0;
    }
  }
  void on_connected(api::Connection& c) override { push(c); }
  void on_send_space(api::Connection& c, size_t) override { push(c); }
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override {
    s_.got.append(reinterpret_cast<const char*>(d), n);
    s_.unread += n;
    if (s_.got.size() == (s_.expect ? s_.expect : s_.data.size())) c.close();
  }
  void on_closed(api::Connection&, tcp::CloseReason why) override {
    s_.closed = true;
    s_.why = why;
    c_ = nullptr;
  }
  void push(api::Connection& c) {
    while (sent_ < s_.data.size()) {
      const size_t n = std::min<size_t>(16384, s_.data.size() - sent_);
      if (!c.send(s_.data.data() + sent_, n)) return;
      sent_ += n;
    }
  }
  Shared& s_;
  api::Connection* c_ = nullptr;
  bool opened_ = false;
  size_t sent_ = 0;
};

// turnstile-server's echo, to a peer that sends 3 send buffers' worth and reads none of the echo
// for 3 s: the echo's queue may not grow past send_buffer, so the echo server must stop taking
// data (its window closes, as a kernel echo server's does) rather than reset the connection;
// once the peer reads, every byte comes back. Before the fix, inline, the echo handler's send()
// failed once send_buffer was queued and it reset the connection (app_send_full, conn_aborted).
TEST_P(ConnectionApi, an_echo_to_a_peer_that_does_not_read_closes_its_window_instead_of_resetting) {
  Uploader::Shared up;
  up.data = random_bytes(3 * 65536);
  start_held_pair(server::Mode::kEcho, 7, 65536, "u", [&up](unsigned) { return std::make_unique<Uploader>(up); });
  if (HasFatalFailure()) return;
  ASSERT_TRUE(run_with_worker_until([&] { return zero_windows() > 0 || up.closed; }));
  run_until([&] { return up.closed; }, 3 * tcp::kSec);
  settle();
  EXPECT_FALSE(up.closed) << "closed: " << static_cast<int>(up.why);
  // Held back: the client's window of echo, the server's window of data, a segment or two more.
  EXPECT_LE(server_.total()[Counter::tcp_payload_in], 2u * 16384 + 2 * 1460);
  EXPECT_LT(up.got.size(), up.data.size());
  EXPECT_GE(server_.total()[Counter::tcp_rcv_window_closed], 1u);
  EXPECT_GT(client_.total()[Counter::tcp_window_probes], 0u);

  up.reading = true;
  ASSERT_TRUE(run_with_worker_until([&] { return up.closed; }));
  EXPECT_EQ(up.why, tcp::CloseReason::kNormal);
  EXPECT_TRUE(up.got == up.data) << up.got.size() << " bytes came back";
  const stats::Snapshot s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::tcp_payload_in], up.data.size());
  EXPECT_EQ(s[Counter::app_send_full], 0u);
  EXPECT_EQ(s[Counter::conn_aborted], 0u);
  EXPECT_EQ(s[Counter::tcp_rst_out] + c[Counter::tcp_rst_out], 0u);
  server_.stack->shutdown();
}

// turnstile-server's HTTP, to a client that pipelines 3,000 requests and reads none of the replies
// for 3 s: once the replies fill the client's window and the server's send buffer, the requests
// left wait, off the server's window, which closes (as nginx's kernel socket's does when nginx
// stops reading); no reset. Once the client reads, every request gets its answer, in order.
// Before, the handler reset the connection when a reply found the send buffer full.
TEST_P(ConnectionApi, http_to_a_client_that_pipelines_and_does_not_read_closes_its_window_instead_of_resetting) {
  Uploader::Shared up;
  up.port = 80;
  std::string replies;
  for (int i = 0; i < 3000; i++) {
    up.data += http_keep_alive_request();
    replies += http_keep_alive_reply();
  }
  up.expect = replies.size();
  start_held_pair(server::Mode::kHttp, 80, 16384, "h", [&up](unsigned) { return std::make_unique<Uploader>(up); });
  if (HasFatalFailure()) return;
  // A worker may still be answering when the window first closes (the requests it has not
  // reached fill it too): wait for its first refused reply as well.
  ASSERT_TRUE(run_with_worker_until([&] {
    return (zero_windows() > 0 && server_.total()[Counter::app_send_full] > 0) || up.closed;
  }));
  run_until([&] { return up.closed; }, 3 * tcp::kSec);
  settle();
  EXPECT_FALSE(up.closed) << "closed: " << static_cast<int>(up.why);
  // Taken in: the requests answered (their replies a client window and a send buffer), the
  // server's window of waiting ones, a segment or two more.
  EXPECT_LE(server_.total()[Counter::tcp_payload_in], 3u * 16384 + 2 * 1460);
  EXPECT_LT(up.got.size(), replies.size());
  EXPECT_GE(server_.total()[Counter::tcp_rcv_window_closed], 1u);
  EXPECT_GE(server_.total()[Counter::app_send_full], 1u);

  up.reading = true;
  ASSERT_TRUE(run_with_worker_until([&] { return up.closed; }));
  EXPECT_EQ(up.why, tcp::CloseReason::kNormal);
  EXPECT_TRUE(test::undated(up.got) == replies) << up.got.size() << " bytes of " << replies.size() << " came back";
  const stats::Snapshot s = server_.total(), c = client_.total();
  EXPECT_EQ(s[Counter::tcp_payload_in], up.data.size());
  EXPECT_EQ(s[Counter::conn_aborted], 0u);
  EXPECT_EQ(s[Counter::tcp_rst_out] + c[Counter::tcp_rst_out], 0u);
  server_.stack->shutdown();
}

INSTANTIATE_TEST_SUITE_P(Mode, ConnectionApi, ::testing::Values(uint16_t{0}, uint16_t{1}),
                         [](const auto& i) { return i.param ? std::string("worker") : std::string("inline"); });

}  // namespace
}  // namespace ts

