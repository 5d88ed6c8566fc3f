// BEHAVIOUR.md, "Resets and attacks on an open connection".
#include <set>

#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Resets = Timeline;

TEST_F(Resets, segment_with_ack_for_no_connection_gets_rst_with_seq_from_its_ack) {
  OutSegment o;
  ASSERT_TRUE(reply_to_unknown(In(kAck | kPsh, 700, 12345).data("hi").seg(), o));
  EXPECT_EQ(o.flags, kRst);
  EXPECT_EQ(o.seq.v, 12345u);
  EXPECT_EQ(o.ack.v, 0u);
  EXPECT_EQ(o.window, 0);
}

TEST_F(Resets, segment_without_ack_for_no_connection_gets_rst_ack_covering_it) {
  OutSegment o;
  ASSERT_TRUE(reply_to_unknown(In(kSyn, 700).seg(), o));
  EXPECT_EQ(o.flags, kRst | kAck);
  EXPECT_EQ(o.seq.v, 0u);
  EXPECT_EQ(o.ack.v, 701u);  // SEG.SEQ + SEG.LEN, the SYN counting one
  ASSERT_TRUE(reply_to_unknown(In(kFin, 700).data("abcd").seg(), o));
  EXPECT_EQ(o.ack.v, 705u);
}

TEST_F(Resets, rst_is_never_answered_with_a_rst) {
  OutSegment o;
  EXPECT_FALSE(reply_to_unknown(In(kRst, 700).seg(), o));
  EXPECT_FALSE(reply_to_unknown(In(kRst | kAck, 700, 5).seg(), o));
  // Nor by a listener, nor by a closed block.
  EXPECT_EQ(listen_segment(ctx, listener, In(kRst, 1).seg()), ListenVerdict::kDrop);
  inject(In(kRst | kAck, 1, 2));
  expect_nothing();
}

TEST_F(Resets, listener_answers_an_ack_with_a_reset_and_ignores_other_segments) {
  EXPECT_EQ(listen_segment(ctx, listener, In(kAck, 1, 2).seg()), ListenVerdict::kReset);
  EXPECT_EQ(listen_segment(ctx, listener, In(kFin, 1).seg()), ListenVerdict::kDrop);
  EXPECT_EQ(listen_segment(ctx, listener, In(0, 1).data("x").seg()), ListenVerdict::kDrop);
  EXPECT_EQ(ctx.cnt.listen_resets, 1u);
}

TEST_F(Resets, closed_block_answers_like_no_connection) {
  inject(In(kAck, 1, 77));
  expect(Out(kRst, 77).win(0));
}

TEST_F(Resets, exact_rst_resets_an_established_connection) {
  open_active();
  inject(In(kRst, kPeerIss + 1));
  expect_nothing();
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kReset));
  EXPECT_EQ(reason, CloseReason::kReset);
  EXPECT_EQ(ctx.cnt.rsts_received, 1u);
}

TEST_F(Resets, in_window_rst_that_is_not_exact_gets_a_challenge_ack) {
  open_active();
  inject(In(kRst, kPeerIss + 100));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_EQ(ctx.cnt.challenge_acks, 1u);
  // The real peer, if it did reset, answers the challenge with an exact RST.
  inject(In(kRst, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
}

TEST_F(Resets, out_of_window_rst_is_dropped_silently) {
  open_active();
  inject(In(kRst, kPeerIss + 1 + 70000));
  inject(In(kRst, kPeerIss - 10));
  expect_nothing();
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_EQ(ctx.cnt.rsts_ignored, 2u);
}

TEST_F(Resets, rst_in_every_synchronized_state_closes_the_connection) {
  for (State s : {State::kEstablished, State::kFinWait1, State::kFinWait2, State::kCloseWait,
                  State::kClosing, State::kLastAck}) {
    restart();
    open_active();
    go_to(s);
    inject(In(kRst, peer_nxt));
    EXPECT_EQ(state(), State::kClosed) << state_name(s);
    EXPECT_EQ(reason, CloseReason::kReset) << state_name(s);
    expect_nothing();
  }
}

TEST_F(Resets, syn_on_an_established_connection_gets_a_challenge_ack) {
  open_active();
  inject(In(kSyn, 123456));  // out of window
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  inject(In(kSyn, kPeerIss + 10));  // in window
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_EQ(ctx.cnt.challenge_acks, 2u);
}

// RFC 5961 §4: a SYN in any synchronized state, in the window or not, gets a challenge ACK
// and changes nothing (RFC 9293's fourth check).
TEST_F(Resets, syn_in_every_synchronized_state_gets_a_challenge_ack_and_changes_nothing) {
  for (State s : {State::kEstablished, State::kFinWait1, State::kFinWait2, State::kCloseWait,
                  State::kClosing, State::kLastAck}) {
    for (uint32_t seq : {peer_nxt + 10, peer_nxt + 0x40000000}) {
      restart();
      open_active();
      go_to(s);
      const uint32_t snd_nxt = tcb.snd_nxt.v;
      const uint64_t before = ctx.cnt.challenge_acks;
      inject(In(kSyn, seq));
      EXPECT_EQ(state(), s) << state_name(s);
      EXPECT_EQ(ctx.cnt.challenge_acks, before + 1) << state_name(s);
      expect(Out(kAck, snd_nxt, peer_nxt));
      expect_nothing();
    }
  }
}

// RFC 5961 §7, with Linux's defence against CVE-2016-5696: about 1,000 a second, each second's
// budget drawn anew between 500 and 1,499, so that its use does not tell an attacker how many
// its guesses drew.
TEST_F(Resets, challenge_acks_are_limited_to_about_1000_a_second_and_the_budget_varies) {
  open_active();
  std::set<uint64_t> budgets;
  for (int second = 0; second < 8; second++) {
    const uint64_t acks = ctx.cnt.challenge_acks, limited = ctx.cnt.challenge_acks_limited;
    for (int i = 0; i < 2000; ++i) inject(In(kSyn, kPeerIss + 10));
    const uint64_t n = ctx.cnt.challenge_acks - acks;
    EXPECT_GE(n, 500u);
    EXPECT_LT(n, 1500u);
    EXPECT_EQ(ctx.cnt.challenge_acks_limited - limited, 2000u - n);
    EXPECT_EQ(sent.size(), n);
    sent.clear();
    budgets.insert(n);
    advance(1 * kSec);  // a new second, a new budget
  }
  EXPECT_GT(budgets.size(), 4u) << "the same budget second after second";
}

TEST_F(Resets, challenge_ack_limit_is_configurable) {
  ctx.cfg.challenge_ack_limit = 2;
  open_active();
  for (int i = 0; i < 5; ++i) inject(In(kRst, kPeerIss + 10));
  const size_t n = sent.size();  // the second's budget is drawn from [1, 3)
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, 2u);
  for (size_t i = 0; i < n; ++i) expect(Out(kAck, kIss + 1, kPeerIss + 1));
}

TEST_F(Resets, data_outside_the_window_is_answered_with_an_ack_and_dropped) {
  open_active();
  inject(In(kAck, kPeerIss + 1 + 65535, kIss + 1).data("far ahead"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  inject(In(kAck, kPeerIss - 100, kIss + 1).data("old"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_TRUE(received.empty());
  EXPECT_EQ(ctx.cnt.bad_seq_acks, 2u);
}

TEST_F(Resets, ack_for_data_never_sent_is_answered_and_dropped) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 5000).data("xyz"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_TRUE(received.empty());
  EXPECT_EQ(ctx.cnt.bad_ack_drops, 1u);
}

TEST_F(Resets, ack_too_far_behind_gets_a_challenge_ack) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1 - 200000).data("xyz"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_TRUE(received.empty());
  EXPECT_EQ(ctx.cnt.challenge_acks, 1u);
}

TEST_F(Resets, abort_sends_rst_and_closes) {
  open_active();
  apply(abort(ctx, tcb, now));
  expect(Out(kRst | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kAborted);
  apply(abort(ctx, tcb, now));  // twice is harmless
  expect_nothing();
}

TEST_F(Resets, paws_drops_a_segment_with_an_old_timestamp) {
  ctx.cfg.timestamps = true;
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).ts(500, kIss));
  expect(Out(kAck, kIss + 1, kPeerIss + 1).ts(kIss, 500));
  inject(In(kAck | kPsh, kPeerIss + 1, kIss + 1).ts(501, kIss).data("new"));
  expect(Out(kAck, kIss + 1, kPeerIss + 4).ts(kIss, 501));
  // An old duplicate (sequence space wrapped, say) with TSval 400 < TS.Recent 501.
  inject(In(kAck | kPsh, kPeerIss + 4, kIss + 1).ts(400, kIss).data("old"));
  expect(Out(kAck, kIss + 1, kPeerIss + 4).ts(kIss, 501));
  EXPECT_EQ(received, "new");
  EXPECT_EQ(ctx.cnt.paws_drops, 1u);
  // A RST is not subject to PAWS (RFC 7323 §5.3 R1).
  inject(In(kRst, kPeerIss + 4).ts(1, 0));
  EXPECT_EQ(state(), State::kClosed);
}

TEST_F(Resets, challenged_rst_or_syn_does_not_move_ts_recent) {
  ctx.cfg.timestamps = true;
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).ts(500, kIss));
  sent.clear();
  inject(In(kRst, kPeerIss + 10).ts(0x70000000, 0));  // in window, not exact: challenged
  inject(In(kSyn, kPeerIss + 10).ts(0x70000000, 0));
  EXPECT_EQ(tcb.ts_recent, 500u);
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1).ts(501, kIss).data("ok"));  // the real peer gets in
  expect(mine(Out(kAck, kIss + 1, kPeerIss + 3)));  // echoing 501: ts_recent moved now
  EXPECT_EQ(received, "ok");
  EXPECT_EQ(ctx.cnt.paws_drops, 0u);
}

}  // namespace
}  // namespace ts::tcp::testing
