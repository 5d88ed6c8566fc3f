// Tail loss probe (RFC 8985 §7, conn_probe.cc): two round trips without an ACK send one segment
// whose ACK tells of the loss, instead of waiting for the timeout.
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

constexpr Time kSrtt = 10 * kMsec;
constexpr Time kPto = 2 * kSrtt + 2 * kMsec;  // a flight of more than one segment

class Probe : public Timeline {
 protected:
  static constexpr uint32_t base = kIss + 1;

  // 10-byte segments, SACK negotiated, a round trip measured; `bytes` queued, `cwnd` bytes sent.
  void send(uint32_t bytes, uint32_t cwnd = 1000) {
    open_active();
    tcb.flags |= tcbf::kSackOk;
    tcb.snd_mss = 10;
    tcb.cwnd = cwnd;
    tcb.srtt_us = kSrtt;
    tcb.rttvar_us = kSrtt / 2;
    tcb.rto_us = 200 * kMsec;
    app_send(std::string(bytes, 'x'));
    sent.clear();
  }
  In ack(uint32_t off) const { return In(kAck, kPeerIss + 1, base + off); }
  // The segment of bytes [off, off + len) of the stream; PSH on the one that reaches its end.
  Out seg(uint32_t off, uint32_t len) const {
    const uint32_t acked = tcb.snd_una.v - base;
    const uint8_t psh = off + len == acked + sendq.size() ? kPsh : 0;
    return Out(kAck | psh, base + off, kPeerIss + 1).data(off - acked, len);
  }
};

TEST_F(Probe, a_lost_tail_is_probed_after_two_round_trips_with_the_last_segment) {
  send(40);
  EXPECT_EQ(tcb.timer, TimerKind::kProbe);
  advance(kPto - 1);
  expect_nothing();
  advance(1);
  expect(seg(30, 10));  // nothing new to send: the last segment again
  EXPECT_EQ(ctx.cnt.tail_loss_probes, 1u);
  EXPECT_EQ(ctx.cnt.retransmits, 1u);
  EXPECT_EQ(ctx.cnt.rto_expirations, 0u);
  // The timeout stays behind the probe, a full RTO after it.
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  EXPECT_EQ(tcb.deadline, now + 200 * kMsec);
}

TEST_F(Probe, a_probe_repairing_the_last_segment_costs_the_window_what_a_fast_recovery_would) {
  send(40);
  advance(kPto);
  expect(seg(30, 10));
  inject(ack(40));  // everything: the copy filled the tail, or the original came late
  EXPECT_TRUE(tcb.has(tcbf::kTlpOut)) << "a D-SACK may still say the copy was needless";
  EXPECT_EQ(tcb.timer, TimerKind::kNone);
  app_send(std::string(10, 'y'));
  expect(seg(40, 10));
  const uint32_t cwnd = tcb.cwnd + 10;  // with slow start's share of the next ACK
  inject(ack(50));  // past the probe, and no D-SACK came: the original was lost
  EXPECT_FALSE(tcb.has(tcbf::kTlpOut));
  EXPECT_EQ(ctx.cnt.tlp_recoveries, 1u);
  EXPECT_EQ(tcb.cwnd, cwnd / 2);
  EXPECT_EQ(tcb.ssthresh, cwnd / 2);
}

TEST_F(Probe, a_dsack_for_the_probe_says_nothing_was_lost) {
  send(40);
  advance(kPto);
  expect(seg(30, 10));
  inject(ack(40));  // the original's ACK, late
  const uint32_t cwnd = tcb.cwnd;
  inject(ack(40).sack(base + 30, base + 40));  // the probe's: a D-SACK block below the ACK
  EXPECT_FALSE(tcb.has(tcbf::kTlpOut));
  EXPECT_EQ(ctx.cnt.tlp_recoveries, 0u);
  EXPECT_EQ(tcb.cwnd, cwnd);
}

TEST_F(Probe, a_second_ack_without_dsack_from_a_peer_that_sends_none_ends_the_episode) {
  send(40);
  advance(kPto);
  expect(seg(30, 10));
  inject(ack(40));
  inject(ack(40));  // the same ACK again, no block: both copies arrived
  EXPECT_FALSE(tcb.has(tcbf::kTlpOut));
  EXPECT_EQ(ctx.cnt.tlp_recoveries, 0u);
}

TEST_F(Probe, the_block_the_probe_brings_starts_a_recovery_for_what_it_left_out) {
  send(40);
  advance(kPto);
  expect(seg(30, 10));
  // Segments 0 to 30 were lost as well: the probe arrives alone and its ACK SACKs it. One
  // block, where three duplicates would be needed otherwise; what it leaves out was sent two
  // round trips before, so it is lost rather than reordered.
  inject(ack(0).sack(base + 30, base + 40));
  expect(seg(0, 10));
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
  EXPECT_FALSE(tcb.has(tcbf::kTlpOut));
  EXPECT_EQ(ctx.cnt.fast_retransmits, 1u);
  EXPECT_EQ(tcb.recover, Seq(base + 40));
  inject(ack(10).sack(base + 30, base + 40));
  expect(seg(10, 10));  // the partial ACK sends the next hole, a block lying above it
  inject(ack(20).sack(base + 30, base + 40));
  expect(seg(20, 10));
  inject(ack(40));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.rto_expirations, 0u);
}

TEST_F(Probe, new_data_goes_as_the_probe_when_the_peer_window_allows_it) {
  send(40, 20);  // cwnd: two segments out, two waiting
  advance(kPto);
  expect(seg(20, 10));  // past cwnd: the probe stands for the ACK that did not come
  EXPECT_FALSE(tcb.has(tcbf::kTlpResent));
  EXPECT_EQ(ctx.cnt.retransmits, 0u);
  EXPECT_EQ(tcb.snd_nxt, Seq(base + 30));
  inject(ack(0).sack(base + 20, base + 30));  // it arrived, the two before it did not
  expect(seg(0, 10));
  expect(seg(30, 10));  // recovery's window, ssthresh + 3 MSS (RFC 5681 §3.2), lets the rest go
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
}

TEST_F(Probe, the_probe_carries_a_fin_sent_last) {
  send(25);
  app_close();
  expect(Out(kAck | kFin, base + 25, kPeerIss + 1));
  advance(kPto);
  expect(Out(kAck | kFin | kPsh, base + 15, kPeerIss + 1).data(15, 10));  // the last MSS of it
  EXPECT_EQ(ctx.cnt.tail_loss_probes, 1u);
}

TEST_F(Probe, one_probe_an_episode_then_the_timeout) {
  send(40);
  advance(kPto);
  expect(seg(30, 10));
  advance(200 * kMsec);
  expect(seg(0, 10));  // the timeout's go-back, as without a probe
  EXPECT_EQ(ctx.cnt.rto_expirations, 1u);
  EXPECT_EQ(ctx.cnt.tail_loss_probes, 1u);
  EXPECT_FALSE(tcb.has(tcbf::kTlpOut));
}

TEST_F(Probe, an_ack_of_part_of_the_flight_moves_the_probe_later) {
  send(40);
  advance(kPto / 2);
  inject(ack(20));  // it also gives a round-trip sample (the first segment was timed)
  const Time pto = 2 * Time(tcb.srtt_us) + 2 * kMsec;
  EXPECT_EQ(tcb.deadline, now + pto);
  advance(pto - 1);
  expect_nothing();
  advance(1);
  expect(seg(30, 10));
}

TEST_F(Probe, none_for_one_segment_without_sack_without_a_round_trip_or_switched_off) {
  send(10);  // one segment: the peer may delay its ACK; the probe would come after the timeout
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  restart();
  send(40);
  EXPECT_EQ(tcb.timer, TimerKind::kProbe);
  restart();
  open_active();
  tcb.snd_mss = 10;
  tcb.srtt_us = kSrtt;
  app_send(std::string(40, 'x'));  // no SACK
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  restart();
  open_active();
  tcb.flags |= tcbf::kSackOk;
  tcb.snd_mss = 10;
  tcb.srtt_us = 0;  // no round trip measured (Karn: the SYN went twice)
  app_send(std::string(40, 'x'));
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  restart();
  ctx.cfg.tail_loss_probe = false;
  send(40);
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  advance(kPto);
  expect_nothing();
  EXPECT_EQ(ctx.cnt.tail_loss_probes, 0u);
}

TEST_F(Probe, none_during_a_recovery) {
  send(40);
  for (int i = 0; i < 3; i++) inject(ack(0).sack(base + 10, base + 20 + 10 * i));
  expect(seg(0, 10));
  ASSERT_TRUE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
}

}  // namespace
}  // namespace ts::tcp::testing
