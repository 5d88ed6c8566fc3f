// BEHAVIOUR.md, "Keepalive (RFC 1122 §4.2.3.6)".
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Keepalive = Timeline;

TEST_F(Keepalive, is_off_by_default) {
  open_active();
  EXPECT_EQ(tcb.deadline, kNever);
  advance(10 * 3600 * kSec);
  expect_nothing();
  EXPECT_EQ(state(), State::kEstablished);
}

// Config::keepalive (the profile's [stack] keepalive): on for every connection from its
// establishment, both sides, without set_keepalive().
TEST_F(Keepalive, the_config_turns_it_on_for_every_connection) {
  ctx.cfg.keepalive = true;
  ctx.cfg.keepalive_idle = 2 * kSec;
  for (int passive = 0; passive < 2; passive++) {
    restart();
    passive ? open_passive() : open_active();
    EXPECT_TRUE(tcb.has(tcbf::kKeepalive));
    advance(2 * kSec);
    expect(Out(kAck, tcb.snd_nxt.v - 1, tcb.rcv_nxt.v));  // seq = SND.NXT - 1: the peer must answer
  }
}

TEST_F(Keepalive, probes_after_two_idle_hours_then_every_75s_and_resets_after_9) {
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  EXPECT_EQ(last.deadline, now + 7200 * kSec);
  advance(7200 * kSec - 1);
  expect_nothing();
  advance(1);
  expect(Out(kAck, kIss, kPeerIss + 1));  // seq = SND.NXT - 1: the peer must answer
  for (int i = 2; i <= 9; ++i) {
    advance(75 * kSec);
    expect(Out(kAck, kIss, kPeerIss + 1));
  }
  EXPECT_EQ(ctx.cnt.keepalive_probes, 9u);
  EXPECT_EQ(state(), State::kEstablished);
  advance(75 * kSec);
  expect(Out(kRst | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kTimedOut));
  EXPECT_EQ(reason, CloseReason::kKeepaliveTimeout);
}

TEST_F(Keepalive, an_answered_probe_keeps_the_connection) {
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  advance(7200 * kSec + 75 * kSec);
  expect(Out(kAck, kIss, kPeerIss + 1));
  expect(Out(kAck, kIss, kPeerIss + 1));
  inject(In(kAck, kPeerIss + 1, kIss + 1));  // the peer is alive
  expect_nothing();
  EXPECT_EQ(tcb.deadline, now + 7200 * kSec);  // back to a full idle period
  advance(7200 * kSec + 8 * 75 * kSec);
  EXPECT_EQ(state(), State::kEstablished);
  for (int i = 0; i < 9; i++) expect(Out(kAck, kIss, kPeerIss + 1));  // a full round of probes
  expect_nothing();
}

TEST_F(Keepalive, traffic_pushes_the_first_probe_back) {
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  advance(3600 * kSec);
  inject(In(kAck | kPsh, kPeerIss + 1, kIss + 1).data("ping"));
  expect(Out(kAck, kIss + 1, kPeerIss + 5));
  advance(7199 * kSec);
  expect_nothing();
  advance(1 * kSec);
  expect(Out(kAck, kIss, kPeerIss + 5));
}

TEST_F(Keepalive, idle_interval_and_probe_count_are_configurable) {
  ctx.cfg.keepalive_idle = 10 * kSec;
  ctx.cfg.keepalive_interval = 2 * kSec;
  ctx.cfg.keepalive_probes = 3;
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  advance(10 * kSec + 2 * kSec + 2 * kSec);
  EXPECT_EQ(sent.size(), 3u);
  sent.clear();
  advance(2 * kSec);
  expect(Out(kRst | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(reason, CloseReason::kKeepaliveTimeout);
}

TEST_F(Keepalive, can_be_turned_off_again) {
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  apply(set_keepalive(ctx, tcb, false, now));
  EXPECT_EQ(tcb.deadline, kNever);
  advance(3 * 7200 * kSec);
  expect_nothing();
}

TEST_F(Keepalive, waits_while_data_is_outstanding) {
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  inject(In(kAck, kPeerIss + 1, kIss + 4));
  EXPECT_EQ(tcb.timer, TimerKind::kKeepalive);
  EXPECT_EQ(tcb.deadline, now + 7200 * kSec);
}

// Unanswered keepalive probes spend none of the retransmission budget of data sent next.
TEST_F(Keepalive, probes_leave_data_sent_after_them_its_whole_retransmission_budget) {
  ctx.cfg.keepalive_idle = 10 * kSec;
  ctx.cfg.keepalive_interval = kSec;
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  advance(17 * kSec);  // 8 probes, none answered
  ASSERT_EQ(ctx.cnt.keepalive_probes, 8u);
  for (int i = 0; i < 8; i++) expect(Out(kAck, kIss, kPeerIss + 1));
  app_send("x");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 1));
  unsigned timeouts = 0;
  while (state() != State::kClosed && timeouts < 40) {
    advance(tcb.deadline - now);
    timeouts++;
    if (state() == State::kClosed) expect(Out(kRst | kAck, kIss + 2, kPeerIss + 1));
    else expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 1));
  }
  EXPECT_EQ(timeouts, ctx.cfg.data_retries + 1);
  EXPECT_EQ(reason, CloseReason::kRetransmitTimeout);
}

// Keepalive probes in CLOSE-WAIT (the peer done sending, we idle) as in ESTABLISHED; in
// FIN-WAIT-2 the FIN-WAIT-2 timeout governs, and keepalive only without one (as Linux).
TEST_F(Keepalive, probes_in_close_wait_and_in_fin_wait_2_without_its_timeout) {
  ctx.cfg.keepalive_idle = 10 * kSec;
  for (State s : {State::kCloseWait, State::kFinWait2}) {
    restart();
    ctx.cfg.fin_wait2_timeout = 0;
    open_active();
    apply(set_keepalive(ctx, tcb, true, now));
    go_to(s);
    EXPECT_EQ(tcb.timer, TimerKind::kKeepalive) << state_name(s);
    advance(10 * kSec);
    expect(Out(kAck, tcb.snd_nxt.v - 1, tcb.rcv_nxt.v));
    EXPECT_EQ(ctx.cnt.keepalive_probes, 1u) << state_name(s);
  }
  restart();
  ctx.cfg.fin_wait2_timeout = 60 * kSec;
  open_active();
  apply(set_keepalive(ctx, tcb, true, now));
  go_to(State::kFinWait2);
  EXPECT_EQ(tcb.timer, TimerKind::kFinWait2);
}

// With the profile's keepalive on, an active open turned off before its handshake is done stays
// off once ESTABLISHED (the profile's setting is the block's from its creation, not re-applied).
TEST_F(Keepalive, turned_off_in_syn_sent_stays_off_against_the_profile) {
  ctx.cfg.keepalive = true;
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  EXPECT_TRUE(tcb.has(tcbf::kKeepalive));
  apply(set_keepalive(ctx, tcb, false, now));
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  ASSERT_EQ(state(), State::kEstablished);
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_FALSE(tcb.has(tcbf::kKeepalive));
  EXPECT_EQ(tcb.timer, TimerKind::kNone);
}

}  // namespace
}  // namespace ts::tcp::testing
