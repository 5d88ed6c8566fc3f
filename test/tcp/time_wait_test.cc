// TIME-WAIT as a compact entry: its size, re-ACK, reopening by a new SYN (RFC 6191, RFC 9293
// §3.6.1), RSTs, PAWS.
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

class TimeWaitEntry : public Timeline {
 protected:
  void SetUp() override {
    ctx.cfg.timestamps = true;
    open_active_with_timestamps();
    go_to(State::kTimeWait);
    tw = to_time_wait(ctx, tcb, now);
  }
  void open_active_with_timestamps() {
    start_active();
    sent.clear();
    inject(In(kSyn | kAck, kPeerIss, kIss + 1).ts(100, kIss));
    sent.clear();
  }
  TwResult deliver(const In& in) { return time_wait_segment(ctx, tw, in.seg(), now); }
  TimeWait tw;
};

static_assert(sizeof(TimeWait) <= 64);

TEST_F(TimeWaitEntry, is_at_most_64_bytes_and_carries_what_an_ack_needs) {
  EXPECT_EQ(sizeof(TimeWait), 40u);
  EXPECT_EQ(tw.wscale, tcb.rcv_wscale);
  EXPECT_EQ(tw.snd_nxt.v, kIss + 2);
  EXPECT_EQ(tw.rcv_nxt.v, kPeerIss + 2);
  EXPECT_EQ(tw.tuple, kTuple);
  EXPECT_TRUE(tw.flags & kTwTimestamps);
}

TEST_F(TimeWaitEntry, time_wait_restarts_on_retransmitted_fin) {
  now += 50 * kSec;
  const TwResult r = deliver(In(kFin | kAck, kPeerIss + 1, kIss + 2).ts(150, 0));
  ASSERT_EQ(r.verdict, TwVerdict::kAck);
  EXPECT_EQ(r.reply.seq.v, kIss + 2);
  EXPECT_EQ(r.reply.ack.v, kPeerIss + 2);
  EXPECT_TRUE(r.reply.opts.has_timestamps);
  EXPECT_EQ(r.reply.opts.ts_ecr, 150u);
  EXPECT_EQ(r.reply.opts.ts_val, kIss + 50000);
  EXPECT_EQ(tw.expires, now + 60 * kSec);
}

TEST_F(TimeWaitEntry, syn_with_newer_timestamp_reopens) {
  const TwResult r = deliver(In(kSyn, kPeerIss - 100000).ts(200, 0));  // lower seq, newer TS
  ASSERT_EQ(r.verdict, TwVerdict::kReopen);
  EXPECT_GT(r.isn, tw.snd_nxt);  // the new incarnation starts above the old one
  EXPECT_EQ(ctx.cnt.time_wait_reopens, 1u);
}

// No listener for the port (a generator's own TIME-WAIT on an ephemeral port): a SYN that could
// reopen is ACKed as an old one and the entry lives on, as Linux's TCP_TW_SYN without a listener.
TEST_F(TimeWaitEntry, syn_that_could_reopen_without_a_listener_is_acked_and_the_entry_stays) {
  const Time expires = tw.expires;
  const TwResult r = time_wait_segment(ctx, tw, In(kSyn, kPeerIss + 100000).ts(200, 0).seg(), now, false);
  ASSERT_EQ(r.verdict, TwVerdict::kAck);
  EXPECT_EQ(r.reply.flags, kAck);
  EXPECT_EQ(r.reply.seq.v, kIss + 2);
  EXPECT_EQ(r.reply.ack.v, kPeerIss + 2);
  EXPECT_EQ(ctx.cnt.time_wait_reopens, 0u);
  EXPECT_EQ(tw.expires, expires);
}

TEST_F(TimeWaitEntry, syn_with_older_timestamp_does_not_reopen) {
  const TwResult r = deliver(In(kSyn, kPeerIss + 100000).ts(50, 0));
  EXPECT_EQ(r.verdict, TwVerdict::kAck);
}

// RFC 6191 §2: an equal TSval with a sequence number above the old incarnation's also reopens.
TEST_F(TimeWaitEntry, syn_with_an_equal_timestamp_reopens_only_above_rcv_nxt) {
  EXPECT_EQ(deliver(In(kSyn, kPeerIss).ts(tw.ts_recent, 0)).verdict, TwVerdict::kAck);
  EXPECT_EQ(deliver(In(kSyn, kPeerIss + 100000).ts(tw.ts_recent, 0)).verdict, TwVerdict::kReopen);
}

// An old incarnation with timestamps, a new SYN without them: the sequence number decides.
TEST_F(TimeWaitEntry, syn_without_timestamps_after_an_incarnation_with_them_reopens_above_rcv_nxt) {
  EXPECT_EQ(deliver(In(kSyn, kPeerIss + 100000)).verdict, TwVerdict::kReopen);
  EXPECT_EQ(deliver(In(kSyn, kPeerIss)).verdict, TwVerdict::kAck);
}

TEST_F(TimeWaitEntry, without_timestamps_a_syn_above_rcv_nxt_reopens_and_below_does_not) {
  tw.flags = 0;
  EXPECT_EQ(deliver(In(kSyn, kPeerIss + 10)).verdict, TwVerdict::kReopen);
  EXPECT_EQ(deliver(In(kSyn, kPeerIss)).verdict, TwVerdict::kAck);
}

TEST_F(TimeWaitEntry, reopened_syn_makes_a_new_connection_with_the_given_isn) {
  const In syn = In(kSyn, kPeerIss + 10).ts(300, 0);
  const TwResult r = deliver(syn);
  ASSERT_EQ(r.verdict, TwVerdict::kReopen);
  restart();
  start_passive(syn);
  EXPECT_EQ(state(), State::kSynReceived);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 11).win(65535).mss(1460).ts(tcb.ts_off, 300));
}

TEST_F(TimeWaitEntry, rst_ends_time_wait_unless_rfc1337) {
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 2)).verdict, TwVerdict::kClose);
  ctx.cfg.rfc1337 = true;
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 2)).verdict, TwVerdict::kDrop);
  EXPECT_EQ(ctx.cnt.time_wait_killed, 1u);
}

// RFC 5961 §3.2 holds in TIME-WAIT too: in the window but not exact gets a challenge ACK (where we
// are, for the peer to answer with the exact RST), outside it nothing; the entry lives on.
TEST_F(TimeWaitEntry, rst_in_window_but_not_exact_is_challenged_outside_dropped) {
  const TimeWait before = tw;
  const TwResult r = deliver(In(kRst, kPeerIss + 50));
  ASSERT_EQ(r.verdict, TwVerdict::kAck);
  EXPECT_EQ(r.reply.seq.v, kIss + 2);
  EXPECT_EQ(r.reply.ack.v, kPeerIss + 2);
  EXPECT_EQ(r.reply.flags, kAck);
  EXPECT_EQ(ctx.cnt.challenge_acks, 1u);
  const uint32_t wnd = uint32_t(tw.window) << tw.wscale;
  ASSERT_GT(wnd, 50u);
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 2 + wnd - 1)).verdict, TwVerdict::kAck);  // last byte in
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 2 + wnd)).verdict, TwVerdict::kDrop);      // past it
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 1)).verdict, TwVerdict::kDrop);            // below it
  EXPECT_EQ(ctx.cnt.challenge_acks, 2u);
  EXPECT_EQ(ctx.cnt.rsts_ignored, 2u);
  EXPECT_EQ(ctx.cnt.time_wait_killed, 0u);
  EXPECT_EQ(tw.expires, before.expires);  // a RST does not restart the timer
  tw.window = 0;  // a zero window takes only the exact RST
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 3)).verdict, TwVerdict::kDrop);
  ctx.cfg.rfc1337 = true;  // RFC 1337: RSTs are ignored altogether, challenged or not
  tw.window = before.window;
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 50)).verdict, TwVerdict::kDrop);
  EXPECT_EQ(ctx.cnt.challenge_acks, 2u);
}

TEST_F(TimeWaitEntry, challenge_acks_from_time_wait_share_the_per_second_budget) {
  ctx.cfg.challenge_ack_limit = 4;  // this second's budget is drawn from [2, 6)
  int acked = 0;
  for (int i = 0; i < 10; ++i) acked += deliver(In(kRst, kPeerIss + 50 + i)).verdict == TwVerdict::kAck;
  EXPECT_GE(acked, 2);
  EXPECT_LT(acked, 6);
  EXPECT_EQ(ctx.cnt.challenge_acks, uint64_t(acked));
  EXPECT_EQ(ctx.cnt.challenge_acks_limited, uint64_t(10 - acked));
  now += kSec;
  EXPECT_EQ(deliver(In(kRst, kPeerIss + 50)).verdict, TwVerdict::kAck);  // a new second
}

TEST_F(TimeWaitEntry, old_duplicate_is_dropped_by_paws_with_an_ack) {
  const TwResult r = deliver(In(kAck, kPeerIss + 2, kIss + 2).ts(10, 0).data("zombie"));
  EXPECT_EQ(r.verdict, TwVerdict::kAck);
  EXPECT_EQ(ctx.cnt.paws_drops, 1u);
  EXPECT_EQ(tw.expires, now + 60 * kSec);  // not restarted by it
}

TEST_F(TimeWaitEntry, stray_ack_at_the_edge_needs_nothing) {
  EXPECT_EQ(deliver(In(kAck, kPeerIss + 2, kIss + 2).ts(150, 0)).verdict, TwVerdict::kDrop);
}

TEST_F(TimeWaitEntry, a_block_kept_in_time_wait_behaves_the_same) {
  now += 10 * kSec;
  inject(In(kFin | kAck, kPeerIss + 1, kIss + 2).ts(150, 0));
  expect(Out(kAck, kIss + 2, kPeerIss + 2).ts(kIss + 10000, 150));
  EXPECT_EQ(tcb.deadline, now + 60 * kSec);
  inject(In(kSyn, kPeerIss + 10).ts(300, 0));  // could reopen: the block just ends
  EXPECT_EQ(state(), State::kClosed);
}

// Without a listener for the tuple the kept block acts as the entry does without one: the SYN
// that could reopen is ACKed as an old one and TIME-WAIT goes on (a guessed SYN cannot end it).
class TimeWaitNoListener : public TimeWaitEntry {
 protected:
  Listener* find(const FourTuple&) override { return nullptr; }
};

TEST_F(TimeWaitNoListener, a_block_kept_in_time_wait_acks_a_syn_that_could_reopen_and_stays) {
  now += 10 * kSec;
  inject(In(kSyn, kPeerIss + 10).ts(300, 0));
  EXPECT_EQ(state(), State::kTimeWait);
  expect(Out(kAck, kIss + 2, kPeerIss + 2).ts(kIss + 10000, 100));  // TS.Recent: not the SYN's
}

// Our own TIME-WAIT tuple taken over by a new active open (tcp_tw_reuse): not before it has
// rested min_age, never with kNever, and the new ISN floor sits above everything the old
// connection sent, the same floor a passive reopen uses.
TEST_F(TimeWaitEntry, own_tuple_reused_after_min_age_with_isn_above_the_old_connection) {
  EXPECT_FALSE(time_wait_reuse(ctx, tw, kNever, now + 10 * kSec));
  EXPECT_FALSE(time_wait_reuse(ctx, tw, 1 * kSec, now + 999 * kMsec));
  const auto floor = time_wait_reuse(ctx, tw, 1 * kSec, now + 1 * kSec);
  ASSERT_TRUE(floor);
  EXPECT_EQ(floor->v, tw.snd_nxt.v + 65535 + 2);
  EXPECT_GT(*floor, tw.snd_nxt);
  EXPECT_EQ(*floor, time_wait_isn_floor(tw));
}

}  // namespace
}  // namespace ts::tcp::testing
