// FaultPort on its own: the spec parser's answers, and what each fault does to frames, over a
// recording port and a virtual clock.
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include "dpdk/fault_port.h"
#include "wire/bytes.h"
#include "wire/frame.h"

namespace ts::dpdk {
namespace {

// ---------------------------------------------------------------- the spec

TEST(FaultSpecParse, full_spec_reads_every_key) {
  FaultSpec s;
  std::string err;
  ASSERT_TRUE(parse_fault_spec("drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42", &s, &err)) << err;
  EXPECT_DOUBLE_EQ(s.drop, 0.1);
  EXPECT_DOUBLE_EQ(s.dup, 0.02);
  EXPECT_DOUBLE_EQ(s.reorder, 0.05);
  EXPECT_DOUBLE_EQ(s.corrupt, 0.01);
  EXPECT_EQ(s.delay, 5 * tcp::kMsec);
  EXPECT_EQ(s.reorder_hold, 3 * tcp::kMsec);
  EXPECT_EQ(s.seed, 42u);
  EXPECT_TRUE(s.rx && s.tx);
  EXPECT_EQ(to_string(s), "drop=0.1,dup=0.02,reorder=0.05,corrupt=0.01,delay_ms=5,reorder_ms=3,seed=42,dir=both");
}

TEST(FaultSpecParse, direction_and_fractional_milliseconds) {
  FaultSpec s;
  std::string err;
  ASSERT_TRUE(parse_fault_spec("dir=tx,reorder_ms=0.25,drop=1", &s, &err)) << err;
  EXPECT_FALSE(s.rx);
  EXPECT_TRUE(s.tx);
  EXPECT_EQ(s.reorder_hold, 250 * tcp::kUsec);
  EXPECT_DOUBLE_EQ(s.drop, 1.0);
  FaultSpec back;
  ASSERT_TRUE(parse_fault_spec(to_string(s), &back, &err)) << err;
  EXPECT_EQ(to_string(back), to_string(s));
}

struct BadSpec {
  const char* text;
  const char* error;
};

class FaultSpecErrors : public ::testing::TestWithParam<BadSpec> {};

TEST_P(FaultSpecErrors, names_the_bad_part_and_changes_nothing) {
  FaultSpec s;
  s.seed = 777;
  std::string err;
  EXPECT_FALSE(parse_fault_spec(GetParam().text, &s, &err));
  EXPECT_EQ(err, GetParam().error);
  EXPECT_EQ(s.seed, 777u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FaultSpecErrors,
    ::testing::Values(
        BadSpec{"", "fault spec is empty (e.g. drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42)"},
        BadSpec{"drap=0.1", "fault spec: unknown key 'drap' (known: drop, dup, reorder, corrupt, delay_ms, reorder_ms, seed, dir)"},
        BadSpec{"drop=1.5", "fault spec: 'drop=1.5': a rate is a probability from 0 to 1"},
        BadSpec{"drop=-0.1", "fault spec: 'drop=-0.1': a rate is a probability from 0 to 1"},
        BadSpec{"dup=lots", "fault spec: 'dup=lots': a rate is a probability from 0 to 1"},
        BadSpec{"corrupt=0.1x", "fault spec: 'corrupt=0.1x': a rate is a probability from 0 to 1"},
        BadSpec{"delay_ms=-5", "fault spec: 'delay_ms=-5': milliseconds from 0 to 60000 expected"},
        BadSpec{"seed=-1", "fault spec: 'seed=-1': the seed is an unsigned 64-bit integer"},
        // As the command lines' numbers: no sign, space or prefix (strtoull read 0x10 as 16, 010 as 8).
        BadSpec{"drop=+0.1", "fault spec: 'drop=+0.1': a rate is a probability from 0 to 1"},
        BadSpec{"drop= 0.1", "fault spec: 'drop= 0.1': a rate is a probability from 0 to 1"},
        BadSpec{"seed=0x10", "fault spec: 'seed=0x10': the seed is an unsigned 64-bit integer"},
        BadSpec{"seed=+5", "fault spec: 'seed=+5': the seed is an unsigned 64-bit integer"},
        BadSpec{"seed=12x", "fault spec: 'seed=12x': the seed is an unsigned 64-bit integer"},
        BadSpec{"seed=18446744073709551616", "fault spec: 'seed=18446744073709551616': the seed is an unsigned 64-bit integer"},
        BadSpec{"dir=up", "fault spec: 'dir=up': dir is rx, tx or both"},
        BadSpec{"drop", "fault spec: 'drop' is not key=value"},
        BadSpec{"drop=", "fault spec: 'drop=' is not key=value"},
        BadSpec{"=0.1", "fault spec: '=0.1' is not key=value"},
        BadSpec{"drop=0.1,,dup=0.1", "fault spec: an empty item (two commas, or a trailing one)"},
        BadSpec{"drop=0.1,", "fault spec: an empty item (two commas, or a trailing one)"},
        BadSpec{"drop=0.1,drop=0.2", "fault spec: 'drop' given twice"}));

// ---------------------------------------------------------------- the faults

// A Port that records what is sent and hands out what a test queued for receiving.
class RecordingPort final : public Port {
 public:
  explicit RecordingPort(PortCaps caps = {}) : caps_(caps) {}
  ~RecordingPort() override {
    for (auto* m : sent) rte_pktmbuf_free(m);
    for (auto* m : incoming) rte_pktmbuf_free(m);
  }
  const char* name() const override { return "recording"; }
  uint16_t queues() const override { return 1; }
  wire::Mac mac() const override { return {}; }
  const PortCaps& caps() const override { return caps_; }
  uint16_t mtu() const override { return 1500; }
  const uint16_t* reta() const override { return nullptr; }
  uint32_t reta_size() const override { return 0; }
  uint16_t rx_burst(uint16_t, rte_mbuf** pkts, uint16_t n) override {
    uint16_t k = 0;
    for (; k < n && !incoming.empty(); k++) pkts[k] = incoming.front(), incoming.pop_front();
    return k;
  }
  uint16_t tx_burst(uint16_t, rte_mbuf** pkts, uint16_t n) override {
    const uint16_t k = std::min<uint16_t>(n, accept);
    sent.insert(sent.end(), pkts, pkts + k);
    return k;
  }

  std::vector<rte_mbuf*> sent;
  std::deque<rte_mbuf*> incoming;
  uint16_t accept = 0xffff;  // frames taken per tx_burst

 private:
  PortCaps caps_;
};

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    static int serial = 0;
    pool_ = rte_pktmbuf_pool_create(("fpt" + std::to_string(++serial)).c_str(), 8191, 0, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
  }
  void TearDown() override {
    port_.reset();
    EXPECT_EQ(rte_mempool_in_use_count(pool_), 0u) << "mbufs leaked";
    rte_mempool_free(pool_);
  }

  void make(const std::string& spec_text, PortCaps caps = {}) {
    FaultSpec spec;
    std::string err;
    ASSERT_TRUE(parse_fault_spec(spec_text, &spec, &err)) << err;
    auto inner = std::make_unique<RecordingPort>(caps);
    rec_ = inner.get();
    port_ = FaultPort::wrap(std::move(inner), spec, [this] { return now_; });
  }

  // An IPv4/TCP frame whose sequence number is `id` (54 bytes, or more with payload).
  rte_mbuf* frame(uint32_t id, size_t payload = 0) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    wire::TcpFrameSpec s;
    s.src_mac = wire::Mac{{2, 0, 0, 0, 0, 1}};
    s.dst_mac = wire::Mac{{2, 0, 0, 0, 0, 2}};
    s.src_ip = 0xc6120001;
    s.dst_ip = 0xc6120002;
    s.sport = 40000;
    s.dport = 80;
    s.seq = id;
    s.flags = 0x10;
    s.window = 1000;
    std::vector<uint8_t> data(payload, 0xab);
    s.payload = data.data();
    s.payload_len = payload;
    const size_t n = wire::build_tcp_frame(rte_pktmbuf_mtod(m, uint8_t*), m->buf_len - m->data_off, s);
    m->data_len = static_cast<uint16_t>(n);
    m->pkt_len = static_cast<uint32_t>(n);
    return m;
  }
  static uint32_t id_of(rte_mbuf* m) { return wire::load_be32(rte_pktmbuf_mtod(m, uint8_t*) + 14 + 20 + 4); }

  // Sends frames 0..n-1 one burst of `burst` at a time.
  void send(uint32_t n, uint16_t burst = 32) {
    std::vector<rte_mbuf*> v;
    for (uint32_t i = 0; i < n; i++) v.push_back(frame(i));
    for (uint32_t i = 0; i < n; i += burst) {
      const auto k = static_cast<uint16_t>(std::min<uint32_t>(burst, n - i));
      ASSERT_EQ(port_->tx_burst(0, v.data() + i, k), k) << "a FaultPort takes every frame";
    }
  }
  std::vector<uint32_t> sent_ids() {
    std::vector<uint32_t> ids;
    for (auto* m : rec_->sent) ids.push_back(id_of(m));
    return ids;
  }
  uint16_t receive(rte_mbuf** out, uint16_t n) { return port_->rx_burst(0, out, n); }

  rte_mempool* pool_ = nullptr;
  std::unique_ptr<FaultPort> port_;
  RecordingPort* rec_ = nullptr;
  tcp::Time now_ = 0;
};

TEST_F(Faults, no_fault_passes_every_frame_in_order) {
  make("drop=0");
  send(100);
  std::vector<uint32_t> want(100);
  for (uint32_t i = 0; i < 100; i++) want[i] = i;
  EXPECT_EQ(sent_ids(), want);
  EXPECT_EQ(port_->counters().frames, 100u);
  EXPECT_EQ(port_->counters().dropped, 0u);
}

TEST_F(Faults, drop_at_a_quarter_loses_about_a_quarter_and_keeps_the_order_of_the_rest) {
  make("drop=0.25,seed=3");
  send(4000);
  const FaultCounters c = port_->counters(FaultPort::kTx);
  EXPECT_EQ(c.frames, 4000u);
  EXPECT_EQ(rec_->sent.size(), 4000u - c.dropped);
  EXPECT_GT(c.dropped, 900u);
  EXPECT_LT(c.dropped, 1100u);
  const auto ids = sent_ids();
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST_F(Faults, the_same_seed_drops_the_same_frames_another_seed_others) {
  auto survivors = [&](const char* spec) {
    make(spec);
    send(500);
    auto ids = sent_ids();
    port_.reset();
    return ids;
  };
  const auto a = survivors("drop=0.3,seed=5");
  EXPECT_EQ(survivors("drop=0.3,seed=5"), a);
  EXPECT_NE(survivors("drop=0.3,seed=6"), a);
}

TEST_F(Faults, dup_sends_an_identical_copy_right_after_the_frame) {
  make("dup=1");
  send(50);
  ASSERT_EQ(rec_->sent.size(), 100u);
  for (size_t i = 0; i < 100; i += 2) {
    rte_mbuf* a = rec_->sent[i];
    rte_mbuf* b = rec_->sent[i + 1];
    EXPECT_NE(a, b);
    EXPECT_EQ(id_of(a), i / 2);
    ASSERT_EQ(a->data_len, b->data_len);
    EXPECT_EQ(std::memcmp(rte_pktmbuf_mtod(a, void*), rte_pktmbuf_mtod(b, void*), a->data_len), 0);
  }
  EXPECT_EQ(port_->counters().duplicated, 50u);
}

TEST_F(Faults, corrupt_changes_one_byte_of_the_ip_packet_which_the_checksums_catch) {
  make("corrupt=1,seed=11");
  for (uint32_t i = 0; i < 200; i++) {
    rte_mbuf* m = frame(i, 100);
    std::vector<uint8_t> before(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_mtod(m, uint8_t*) + m->data_len);
    ASSERT_EQ(port_->tx_burst(0, &m, 1), 1);
    const uint8_t* after = rte_pktmbuf_mtod(rec_->sent.back(), uint8_t*);
    std::vector<size_t> diff;
    for (size_t k = 0; k < before.size(); k++)
      if (before[k] != after[k]) diff.push_back(k);
    ASSERT_EQ(diff.size(), 1u) << "frame " << i;
    EXPECT_GE(diff[0], 14u) << "the Ethernet header is the FCS's business";
    wire::Frame f;
    EXPECT_NE(wire::parse_frame(after, before.size(), 0, f), wire::WireError::kOk) << "byte " << diff[0];
  }
  EXPECT_EQ(port_->counters().corrupted, 200u);
}

TEST_F(Faults, corrupt_leaves_arp_alone) {
  make("corrupt=1");
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  wire::EtherHeader eth;
  eth.src = wire::Mac{{2, 0, 0, 0, 0, 1}};
  const size_t n = wire::build_arp_request(rte_pktmbuf_mtod(m, uint8_t*), 128, eth, 0xc6120001, 0xc6120002);
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  std::vector<uint8_t> before(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_mtod(m, uint8_t*) + n);
  ASSERT_EQ(port_->tx_burst(0, &m, 1), 1);
  EXPECT_EQ(std::memcmp(rte_pktmbuf_mtod(rec_->sent.back(), uint8_t*), before.data(), n), 0);
  EXPECT_EQ(port_->counters().corrupted, 0u);
}

TEST_F(Faults, corrupt_hides_tx_checksum_offload_so_the_damage_is_after_the_checksum) {
  PortCaps caps;
  caps.tx_ip_checksum = caps.tx_tcp_checksum = caps.rx_l4_checksum = true;
  make("corrupt=0.1", caps);
  EXPECT_FALSE(port_->caps().tx_ip_checksum);
  EXPECT_FALSE(port_->caps().tx_tcp_checksum);
  EXPECT_TRUE(port_->caps().rx_l4_checksum);
  port_.reset();
  make("drop=0.1", caps);
  EXPECT_TRUE(port_->caps().tx_tcp_checksum);
}

TEST_F(Faults, delay_holds_every_frame_for_its_time_then_sends_them_in_order) {
  make("delay_ms=5");
  send(64);
  EXPECT_TRUE(rec_->sent.empty());
  EXPECT_EQ(port_->held(), 64u);
  now_ += 4999;
  rte_mbuf* in[32];
  EXPECT_EQ(receive(in, 32), 0);
  EXPECT_TRUE(rec_->sent.empty()) << "nothing leaves before 5 ms";
  now_ += 1;
  EXPECT_EQ(receive(in, 32), 0);  // a receive poll is enough for held TX frames to leave
  ASSERT_EQ(rec_->sent.size(), 64u);
  const auto ids = sent_ids();
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(port_->held(), 0u);
  EXPECT_EQ(port_->counters().delayed, 64u);
}

TEST_F(Faults, reorder_lets_later_frames_pass_the_held_ones_and_loses_none) {
  make("reorder=0.2,reorder_ms=2,seed=4");
  for (uint32_t i = 0; i < 1000; i += 10) {
    std::vector<rte_mbuf*> v;
    for (uint32_t k = 0; k < 10; k++) v.push_back(frame(i + k));
    port_->tx_burst(0, v.data(), 10);
    now_ += 100;
  }
  now_ += 2 * tcp::kMsec;
  rte_mbuf* in[32];
  receive(in, 32);
  auto ids = sent_ids();
  ASSERT_EQ(ids.size(), 1000u);
  // A frame held 2 ms while ten go every 0.1 ms is overtaken: it arrives after a higher one.
  size_t late = 0;
  for (size_t k = 1, top = ids[0]; k < ids.size(); top = std::max<size_t>(top, ids[k]), k++) late += ids[k] < top;
  const FaultCounters c = port_->counters();
  EXPECT_GT(c.reordered, 150u);
  EXPECT_LT(c.reordered, 250u);
  EXPECT_EQ(late, c.reordered);
  std::sort(ids.begin(), ids.end());
  for (uint32_t k = 0; k < 1000; k++) ASSERT_EQ(ids[k], k) << "every frame once";
}

TEST_F(Faults, receive_side_faults_and_a_burst_never_exceeds_what_was_asked) {
  make("dup=1,dir=rx");
  for (uint32_t i = 0; i < 40; i++) rec_->incoming.push_back(frame(i));
  std::vector<uint32_t> got;
  rte_mbuf* in[8];
  for (int polls = 0; polls < 100 && got.size() < 80; polls++) {
    const uint16_t n = receive(in, 8);
    ASSERT_LE(n, 8);
    for (uint16_t k = 0; k < n; k++) got.push_back(id_of(in[k])), rte_pktmbuf_free(in[k]);
  }
  ASSERT_EQ(got.size(), 80u);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::count(got.begin(), got.end(), 7u), 2);
  EXPECT_EQ(port_->counters(FaultPort::kRx).duplicated, 40u);
  EXPECT_EQ(port_->counters(FaultPort::kTx).frames, 0u);
  send(10);
  EXPECT_EQ(rec_->sent.size(), 10u) << "dir=rx leaves the transmit path alone";
}

TEST_F(Faults, frames_the_inner_port_refuses_are_freed_and_counted) {
  make("drop=0");
  rec_->accept = 2;
  send(10, 10);
  // Four tries of two frames each: eight of ten are sent, two refused.
  EXPECT_EQ(rec_->sent.size(), 8u);
  EXPECT_EQ(port_->counters().refused, 2u);
}

TEST_F(Faults, held_frames_are_freed_with_the_port) {
  make("delay_ms=100");
  send(20);
  EXPECT_EQ(port_->held(), 20u);
  port_.reset();  // TearDown checks that the pool has every mbuf back
}

}  // namespace
}  // namespace ts::dpdk
