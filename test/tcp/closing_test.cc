// BEHAVIOUR.md, "Closing (four-way close)".
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Closing = Timeline;

TEST_F(Closing, active_close_sends_fin_and_its_ack_moves_to_fin_wait_2) {
  open_active();
  app_close();
  expect(Out(kFin | kAck, kIss + 1, kPeerIss + 1));  // FIN(seq=u)
  EXPECT_EQ(state(), State::kFinWait1);
  inject(In(kAck, kPeerIss + 1, kIss + 2));          // ACK(ack=u+1)
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait2);
}

TEST_F(Closing, passive_close_peer_fin_is_acked_and_moves_to_close_wait) {
  open_passive();
  inject(In(kFin | kAck, kPeerIss + 1, kIss + 1));
  expect(Out(kAck, kIss + 1, kPeerIss + 2));
  EXPECT_EQ(state(), State::kCloseWait);
  EXPECT_TRUE(saw(ev::kPeerClosed));
}

TEST_F(Closing, close_wait_side_still_sends_and_fin_wait_2_side_still_receives) {
  // Our side closes first and reaches FIN-WAIT-2; the peer keeps sending: we must take it.
  open_active();
  go_to(State::kFinWait2);
  inject(In(kAck | kPsh, peer_nxt, kIss + 2).data("late reply"));
  expect(Out(kAck, kIss + 2, peer_nxt + 10));
  EXPECT_EQ(received, "late reply");
  EXPECT_EQ(state(), State::kFinWait2);
}

TEST_F(Closing, half_closed_close_wait_side_may_still_send_data) {
  open_passive();
  go_to(State::kCloseWait);
  app_send("response");
  expect(Out(kAck | kPsh, kIss + 1, peer_nxt).data(0, 8));
  inject(In(kAck, peer_nxt, kIss + 9));
  EXPECT_TRUE(sendq.empty());
  app_close();
  expect(Out(kFin | kAck, kIss + 9, peer_nxt));
  EXPECT_EQ(state(), State::kLastAck);
}

TEST_F(Closing, fin_wait_2_takes_the_peer_fin_acks_it_and_enters_time_wait_for_2msl) {
  open_active();
  go_to(State::kFinWait2);
  inject(In(kFin | kAck, peer_nxt, kIss + 2));  // FIN(seq=w)
  expect(Out(kAck, kIss + 2, peer_nxt + 1));    // ACK(ack=w+1)
  EXPECT_EQ(state(), State::kTimeWait);
  EXPECT_TRUE(saw(ev::kTimeWait));
  EXPECT_EQ(last.deadline, now + 60 * kSec);
  advance(60 * kSec - 1);
  EXPECT_EQ(state(), State::kTimeWait);
  advance(1);
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kClosed));
  EXPECT_EQ(reason, CloseReason::kNormal);
  expect_nothing();
}

TEST_F(Closing, last_ack_closes_when_our_fin_is_acked) {
  open_passive();
  go_to(State::kLastAck);
  inject(In(kAck, peer_nxt, kIss + 2));
  expect_nothing();
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kClosed));
  EXPECT_FALSE(saw(ev::kReset));
  EXPECT_EQ(reason, CloseReason::kNormal);
  EXPECT_EQ(last.deadline, kNever);
}

TEST_F(Closing, fin_and_ack_together_in_fin_wait_1_go_straight_to_time_wait) {
  open_active();
  go_to(State::kFinWait1);
  inject(In(kFin | kAck, peer_nxt, kIss + 2));  // acks our FIN and carries its own
  expect(Out(kAck, kIss + 2, peer_nxt + 1));
  EXPECT_EQ(state(), State::kTimeWait);
}

TEST_F(Closing, simultaneous_close_goes_through_closing_to_time_wait) {
  open_active();
  go_to(State::kClosing);  // our FIN out, the peer's FIN in before its ACK of ours
  inject(In(kAck, peer_nxt, kIss + 2));
  expect_nothing();
  EXPECT_EQ(state(), State::kTimeWait);
  advance(60 * kSec);
  EXPECT_EQ(state(), State::kClosed);
}

TEST_F(Closing, simultaneous_close_both_blocks_end_in_time_wait) {
  // Two blocks wired back to back, both closing at the same instant.
  Context c2;
  c2.cfg = ctx.cfg;
  Tcb a, b;
  const FourTuple ta{1, 2, 10, 20}, tb{2, 1, 20, 10};
  Actions x = connect(ctx, a, ta, Seq(100), 0);
  Actions y = connect(c2, b, tb, Seq(900), 0);  // simultaneous open too, for good measure
  auto deliver = [](Context& c, Tcb& t, const OutSegment& o) {
    Segment s;
    s.seq = o.seq;
    s.ack = o.ack;
    s.flags = o.flags;
    s.window = o.window;
    s.opts = o.opts;
    return on_segment(c, t, s, 0);
  };
  Actions x2 = deliver(ctx, a, y.seg[0]);  // a gets b's SYN -> SYN-ACK
  Actions y2 = deliver(c2, b, x.seg[0]);   // b gets a's SYN -> SYN-ACK
  deliver(ctx, a, y2.seg[0]);
  deliver(c2, b, x2.seg[0]);
  ASSERT_EQ(a.state, State::kEstablished);
  ASSERT_EQ(b.state, State::kEstablished);
  Actions fa = close(ctx, a, 0), fb = close(c2, b, 0);
  ASSERT_EQ(fa.count, 1);
  ASSERT_EQ(fb.count, 1);
  Actions ra = deliver(ctx, a, fb.seg[0]);  // FIN crossing FIN
  Actions rb = deliver(c2, b, fa.seg[0]);
  EXPECT_EQ(a.state, State::kClosing);
  EXPECT_EQ(b.state, State::kClosing);
  deliver(ctx, a, rb.seg[0]);
  deliver(c2, b, ra.seg[0]);
  EXPECT_EQ(a.state, State::kTimeWait);
  EXPECT_EQ(b.state, State::kTimeWait);
}

TEST_F(Closing, retransmitted_fin_in_time_wait_is_acked_again_and_restarts_2msl) {
  open_active();
  go_to(State::kTimeWait);
  advance(40 * kSec);
  // Our ACK of the FIN was lost: the peer sends its FIN again.
  inject(In(kFin | kAck, peer_nxt - 1, kIss + 2));
  expect(Out(kAck, kIss + 2, peer_nxt));
  EXPECT_EQ(ctx.cnt.time_wait_reacks, 1u);
  advance(59 * kSec);
  EXPECT_EQ(state(), State::kTimeWait);  // would have ended at 60 s from the first ACK
  advance(1 * kSec);
  EXPECT_EQ(state(), State::kClosed);
}

TEST_F(Closing, lost_fin_is_retransmitted_with_backoff) {
  open_active();
  go_to(State::kFinWait1);
  // The handshake's RTT was zero on the virtual clock: RTO is the 200 ms floor.
  EXPECT_EQ(tcb.deadline, now + 200 * kMsec);
  advance(200 * kMsec);
  expect(Out(kFin | kAck, kIss + 1, peer_nxt));
  advance(400 * kMsec);
  expect(Out(kFin | kAck, kIss + 1, peer_nxt));
  EXPECT_EQ(ctx.cnt.retransmits, 2u);
  inject(In(kAck, peer_nxt, kIss + 2));
  EXPECT_EQ(state(), State::kFinWait2);
}

TEST_F(Closing, last_ack_gives_up_after_its_fin_retries) {
  ctx.cfg.fin_retries = 3;
  open_passive();
  go_to(State::kLastAck);
  advance((200 + 400 + 800) * kMsec);
  EXPECT_EQ(ctx.cnt.retransmits, 3u);
  EXPECT_EQ(state(), State::kLastAck);
  sent.clear();
  advance(1600 * kMsec);
  expect(Out(kRst | kAck, kIss + 2, peer_nxt));  // tell the peer, in case it is still there
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kFinTimeout);
  EXPECT_TRUE(saw(ev::kTimedOut));
}

TEST_F(Closing, default_fin_retries_are_eight) {
  open_active();
  go_to(State::kFinWait1);
  advance(((1 << 8) - 1) * 200 * kMsec);
  EXPECT_EQ(ctx.cnt.retransmits, 8u);
  for (int i = 0; i < 8; i++) expect(Out(kFin | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kFinWait1);
  advance((1 << 8) * 200 * kMsec - 1);
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait1);
  advance(1);
  expect(Out(kRst | kAck, kIss + 2, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kFinTimeout);
}

TEST_F(Closing, fin_wait_2_does_not_live_forever_when_the_peer_vanishes) {
  open_active();
  go_to(State::kFinWait2);
  EXPECT_EQ(tcb.deadline, now + 60 * kSec);
  advance(60 * kSec - 1);
  EXPECT_EQ(state(), State::kFinWait2);
  advance(1);
  expect(Out(kRst | kAck, kIss + 2, peer_nxt));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kFinWait2Timeout);
}

TEST_F(Closing, fin_wait_2_timeout_is_configurable_and_restarted_by_traffic) {
  ctx.cfg.fin_wait2_timeout = 5 * kSec;
  open_active();
  go_to(State::kFinWait2);
  advance(4 * kSec);
  inject(In(kAck | kPsh, peer_nxt, kIss + 2).data("x"));
  ++peer_nxt;
  expect(Out(kAck, kIss + 2, peer_nxt));
  advance(4 * kSec);
  EXPECT_EQ(state(), State::kFinWait2);
  advance(1 * kSec);
  expect(Out(kRst | kAck, kIss + 2, peer_nxt));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kFinWait2Timeout);
}

TEST_F(Closing, msl_is_configurable) {
  ctx.cfg.msl = 500 * kMsec;  // a lab load generator
  open_active();
  go_to(State::kTimeWait);
  EXPECT_EQ(tcb.deadline, now + 1 * kSec);
  advance(1 * kSec);
  EXPECT_EQ(state(), State::kClosed);
}

TEST_F(Closing, fin_goes_after_the_queued_data) {
  open_active();
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  app_close();
  expect(Out(kFin | kAck, kIss + 4, kPeerIss + 1));
  inject(In(kAck, kPeerIss + 1, kIss + 5));
  EXPECT_EQ(state(), State::kFinWait2);
  EXPECT_TRUE(sendq.empty());
}

TEST_F(Closing, fin_rides_on_the_last_data_segment_when_both_are_pending) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));  // the peer's window closes
  app_send("abc");
  expect_nothing();
  app_close();
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(1000));  // window update: data and FIN together
  expect(Out(kFin | kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
}

TEST_F(Closing, close_in_syn_sent_just_deletes_the_block) {
  start_active();
  sent.clear();
  app_close();
  expect_nothing();
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kClosed));
}

TEST_F(Closing, close_in_syn_received_sends_fin_once_established) {
  start_passive(In(kSyn, kPeerIss));
  sent.clear();
  app_close();
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect(Out(kFin | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kFinWait1);
}

TEST_F(Closing, time_wait_entry_replaces_the_block_and_acks_a_retransmitted_fin) {
  open_active();
  go_to(State::kTimeWait);
  TimeWait tw = to_time_wait(ctx, tcb, now);
  EXPECT_LE(sizeof(TimeWait), 64u);
  EXPECT_EQ(tw.expires, now + 60 * kSec);
  now += 30 * kSec;
  const TwResult r = time_wait_segment(ctx, tw, In(kFin | kAck, peer_nxt - 1, kIss + 2).seg(), now);
  ASSERT_EQ(r.verdict, TwVerdict::kAck);
  EXPECT_EQ(r.reply.flags, kAck);
  EXPECT_EQ(r.reply.seq.v, kIss + 2);
  EXPECT_EQ(r.reply.ack.v, peer_nxt);
  EXPECT_EQ(r.reply.window, 65535);
  EXPECT_EQ(tw.expires, now + 60 * kSec);  // restarted
  EXPECT_FALSE(time_wait_expired(tw, now + 60 * kSec - 1));
  EXPECT_TRUE(time_wait_expired(tw, now + 60 * kSec));
}

}  // namespace
}  // namespace ts::tcp::testing
