// Fast recovery: NewReno (RFC 5681 §3.2, RFC 6582), the holes the peer's SACK blocks show
// (RFC 6675's NextSeg, conn_input.cc's resend_hole), and Limited Transmit (RFC 3042).
#include "recovery_fixture.h"

namespace ts::tcp::testing {
namespace {

TEST_F(Recovery, sack_blocks_send_every_hole_of_the_window_in_its_first_round_trip) {
  send_window(true);
  peer_reports_the_holes();
  expect(resent(30));  // the hole between the two blocks: no need to wait for a partial ACK
  inject(dup().sack(base + 70, base + 80).sack(base + 40, base + 60).sack(base + 10, base + 30));
  expect(resent(60));
  inject(dup().sack(base + 70, base + 90).sack(base + 40, base + 60).sack(base + 10, base + 30));
  inject(dup().sack(base + 70, base + 100).sack(base + 40, base + 60).sack(base + 10, base + 30));
  expect_nothing();  // no hole above what was sent again, and no new data
  // The copies arrive: the partial ACKs find their holes already sent again.
  inject(ack(30).sack(base + 40, base + 60).sack(base + 70, base + 100));
  inject(ack(60).sack(base + 70, base + 100));
  expect_nothing();
  inject(ack(100));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.retransmits, 3u);  // one copy a loss
  EXPECT_EQ(ctx.cnt.fast_retransmits, 1u);
  EXPECT_EQ(ctx.cnt.sack_retransmits, 2u);
  EXPECT_TRUE(sendq.empty());
}

TEST_F(Recovery, without_sack_the_same_losses_take_one_partial_ack_each) {
  send_window(false);  // blocks arrive but were not negotiated: NewReno alone
  peer_reports_the_holes();
  inject(dup().sack(base + 70, base + 80).sack(base + 40, base + 60).sack(base + 10, base + 30));
  expect_nothing();
  inject(ack(30));
  expect(resent(30));
  inject(ack(60));
  expect(resent(60));
  inject(ack(100));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.retransmits, 3u);
  EXPECT_EQ(ctx.cnt.sack_retransmits, 0u);
}

TEST_F(Recovery, a_partial_ack_sends_the_hole_it_stops_at_when_a_block_lies_above_it) {
  send_window(true);
  peer_reports_the_holes();
  expect(resent(30));
  // The duplicate ACKs that told of the hole at 60 were lost; the partial ACK shows it.
  inject(ack(60).sack(base + 70, base + 100));
  expect(resent(60));
  EXPECT_EQ(ctx.cnt.sack_retransmits, 2u);
}

TEST_F(Recovery, a_partial_ack_with_no_block_above_it_sends_nothing) {
  send_window(true);
  peer_reports_the_holes();
  expect(resent(30));
  // Nothing past 60 has arrived yet: the segment at 60 may be in flight, not lost (NewReno would
  // send it again here).
  inject(ack(60));
  expect_nothing();
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
}

TEST_F(Recovery, a_lost_copy_of_snd_una_goes_again_once_data_sent_after_it_is_sacked) {
  send_window(true);
  for (uint32_t end : {20u, 30u, 40u}) inject(dup().sack(base + 10, base + end));
  expect(resent(0));  // recover = base + 100
  app_send(std::string(30, 'y'));
  for (uint32_t end : {50u, 60u, 70u, 80u, 90u, 100u}) inject(dup().sack(base + 10, base + end));
  ASSERT_EQ(tcb.snd_max, Seq(base + 130));  // the inflated window let the new data go
  sent.clear();
  // The peer has data sent after the copy of snd_una, and still not snd_una: the copy is lost.
  inject(dup().sack(base + 10, base + 110));
  expect(resent(0));
  EXPECT_EQ(tcb.recover, Seq(base + 130));  // recovery now covers what was sent since
  inject(dup().sack(base + 10, base + 120));
  expect_nothing();  // sent before this copy: no news about it
  EXPECT_EQ(ctx.cnt.sack_retransmits, 1u);
  EXPECT_EQ(ctx.cnt.retransmits, 2u);
}

// The copies of 0, 30 and 60 leave in that order. 0's arrives (a partial ACK to 30), 30's is
// lost, 60's arrives: the block holding it shows that a copy sent after 30's got through, so
// 30's is lost too. Sent again at once, not after a timeout, though no data went out after it.
TEST_F(Recovery, a_lost_copy_below_the_last_hole_sent_goes_again_once_that_hole_is_sacked) {
  send_window(true);
  peer_reports_the_holes();
  expect(resent(30));
  inject(dup().sack(base + 70, base + 80).sack(base + 40, base + 60).sack(base + 10, base + 30));
  expect(resent(60));
  inject(ack(30).sack(base + 40, base + 60).sack(base + 70, base + 100));
  expect_nothing();  // 30's copy may still be on its way
  inject(In(kAck, kPeerIss + 1, base + 30).sack(base + 40, base + 100));
  expect(resent(30));
  EXPECT_TRUE(tcb.has(tcbf::kUnaResent));
  inject(In(kAck, kPeerIss + 1, base + 30).sack(base + 40, base + 100));
  expect_nothing();  // one copy for one loss: the next duplicate says nothing new
  inject(ack(100));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.retransmits, 4u);
  EXPECT_EQ(ctx.cnt.sack_retransmits, 3u);
}

TEST_F(Recovery, limited_transmit_lets_a_small_window_bring_three_duplicates) {
  open_active();
  tcb.snd_mss = 10;
  tcb.cwnd = 20;  // two segments: one lost leaves a single duplicate ACK without RFC 3042
  app_send(std::string(50, 'x'));
  ASSERT_EQ(sent.size(), 2u);
  sent.clear();
  inject(dup());  // the segment at 10 arrived, 0 did not
  expect(Out(kAck, base + 20, kPeerIss + 1).data(20, 10));  // one new segment a duplicate
  inject(dup());
  expect(Out(kAck, base + 30, kPeerIss + 1).data(30, 10));
  EXPECT_EQ(tcb.cwnd, 20u);  // RFC 3042: the window itself is not changed
  inject(dup());
  expect(resent(0));
  expect(Out(kAck | kPsh, base + 40, kPeerIss + 1).data(40, 10));  // ssthresh + 3 MSS: room for one
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
}

TEST_F(Recovery, three_segments_sacked_above_snd_una_start_recovery_in_fewer_duplicates) {
  send_window(true);
  inject(dup().sack(base + 10, base + 30));  // two segments' worth: not yet (RFC 6675 IsLost)
  expect_nothing();
  inject(dup().sack(base + 10, base + 40));  // a stretch ACK: three past the hole
  expect(resent(0));
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.fast_retransmits, 1u);
}

TEST_F(Recovery, limited_transmit_sends_no_old_data_while_a_timeout_goes_back) {
  send_window(false);
  advance(300 * kMsec);  // the RTO (200 ms): cwnd one segment, snd_nxt back to snd_una
  expect(resent(0));
  ASSERT_EQ(tcb.cwnd, 10u);
  inject(dup());
  expect_nothing();  // the segment at 10 was sent before: a duplicate does not let it go again
}

TEST_F(Recovery, blocks_outside_what_is_unacknowledged_show_no_hole) {
  send_window(true);
  inject(dup().sack(base + 10, base + 20));
  inject(dup().sack(base + 10, base + 30));
  inject(dup().sack(base + 10, base + 30));
  expect(resent(0));
  // A D-SACK below snd_una (RFC 2883) and a block past anything sent: both ignored.
  inject(dup().sack(base - 10, base).sack(base + 40, base + 200));
  inject(dup().sack(base + 5000, base + 6000));
  expect_nothing();
  EXPECT_EQ(ctx.cnt.sack_retransmits, 0u);
}

TEST_F(Recovery, no_round_trip_is_timed_during_recovery_and_timing_resumes_after) {
  send_window(true);
  EXPECT_TRUE(tcb.has(tcbf::kRttTiming));  // the segment at base
  for (uint32_t end : {20u, 30u, 40u}) inject(dup().sack(base + 10, base + end));
  expect(resent(0));
  EXPECT_FALSE(tcb.has(tcbf::kRttTiming));  // Karn: the fast retransmit ends the measurement
  app_send(std::string(50, 'y'));
  for (uint32_t end : {50u, 60u, 70u}) inject(dup().sack(base + 10, base + end));
  expect(Out(kAck, base + 100, kPeerIss + 1).data(100, 10));  // the inflated window lets it go
  EXPECT_FALSE(tcb.has(tcbf::kRttTiming));  // high_rxt holds the word rtt_seq would use
  inject(ack(110));
  // The window deflates to what is in flight (nothing) plus one segment.
  expect(Out(kAck, base + 110, kPeerIss + 1).data(0, 10));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_TRUE(tcb.has(tcbf::kRttTiming));  // the rest of the new data goes, timed
  EXPECT_EQ(tcb.mark.rtt_seq, Seq(base + 110));
}

using AfterTimeout = Timeline;

// RFC 6582 §3.2 steps 2 and 4: after a timeout, `recover` is snd_max; the go-back resends
// segments the peer may hold already, and the duplicate ACKs those copies bring must not start
// a fast retransmit (and halve the window again). 64-byte segments S0..S9: S0..S3 lost, S4..S9
// received, every ACK lost too, so the timer fires.
TEST_F(AfterTimeout, duplicate_acks_of_the_go_backs_copies_start_no_fast_retransmit) {
  start_active();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(64));
  ASSERT_EQ(tcb.snd_mss, 64);
  app_send(std::string(640, 'x'));
  sent.clear();
  auto S = [](int k) { return kIss + 1 + 64 * k; };
  advance(tcb.deadline - now);  // S0 again, cwnd one segment
  expect(Out(kAck, S(0), kPeerIss + 1).data(0, 64));
  inject(In(kAck, kPeerIss + 1, S(1)));
  inject(In(kAck, kPeerIss + 1, S(2)));
  inject(In(kAck, kPeerIss + 1, S(3)));  // the go-back is sending copies of S4.. by now
  app_send(std::string(64, 'n'));        // S10
  inject(In(kAck, kPeerIss + 1, S(10))); // S3 filled the hole: the peer had S4..S9
  const uint32_t ssthresh = tcb.ssthresh;
  sent.clear();
  for (int i = 0; i < 3; i++) inject(In(kAck, kPeerIss + 1, S(10)));  // the copies of S4..S6
  EXPECT_EQ(ctx.cnt.fast_retransmits, 0u);
  EXPECT_EQ(tcb.ssthresh, ssthresh);
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  // The third sent snd_una again all the same (it may be a copy the go-back lost), and only it.
  expect(Out(kAck | kPsh, S(10), kPeerIss + 1).data(0, 64));
  expect_nothing();
  // Past `recover`, duplicate ACKs mean loss again.
  inject(In(kAck, kPeerIss + 1, S(11)));
  EXPECT_FALSE(tcb.has(tcbf::kAfterRto));
}

}  // namespace
}  // namespace ts::tcp::testing
