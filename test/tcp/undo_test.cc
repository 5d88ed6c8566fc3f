// D-SACK undo (RFC 2883 §4.2, RFC 3708; conn_undo.cc): a fast recovery that reordering set off
// gives the window back once the peer's D-SACKs have returned every copy it sent.
#include "recovery_fixture.h"

namespace ts::tcp::testing {
namespace {

// The window of Recovery (ten 10-byte segments, a window of 1000, in slow start), with SACK.
class Undo : public Recovery {
 protected:
  void send_window() { Recovery::send_window(true); }

  // The segment at 0 is late: 10, 20 and 30 arrive first and start a recovery that sends it again.
  void reordering_starts_a_recovery() {
    for (uint32_t end : {20u, 30u, 40u}) inject(dup().sack(base + 10, base + end));
    expect(resent(0));
    ASSERT_TRUE(tcb.has(tcbf::kRecovery));
    ASSERT_EQ(tcb.ssthresh, 50u);  // half the flight
  }
};

TEST_F(Undo, a_dsack_for_the_only_copy_gives_the_window_back) {
  send_window();
  reordering_starts_a_recovery();
  inject(ack(100));  // the late original arrives: everything is acknowledged, recovery ends
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_LE(tcb.cwnd, 50u);
  inject(ack(100).sack(base, base + 10));  // then the copy: the peer names it in a D-SACK block
  EXPECT_EQ(tcb.cwnd, 1000u);
  EXPECT_EQ(tcb.ssthresh, ~0u);  // back in slow start, where the reordering found it
  EXPECT_EQ(ctx.cnt.dsack_undos, 1u);
  EXPECT_EQ(tcb.undo, 0);  // its record is free for another
  inject(ack(100).sack(base, base + 10));  // a copy of that ACK: nothing more to undo
  EXPECT_EQ(ctx.cnt.dsack_undos, 1u);
}

TEST_F(Undo, the_window_comes_back_at_the_full_ack_when_the_dsack_came_first) {
  send_window();
  reordering_starts_a_recovery();
  // Both the original and the copy of 0 arrived before 40: a partial ACK with the copy's D-SACK.
  inject(ack(10).sack(base, base + 10).sack(base + 10, base + 40));
  EXPECT_TRUE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);  // not while the recovery lasts
  inject(ack(100));
  EXPECT_EQ(ctx.cnt.dsack_undos, 1u);
  EXPECT_EQ(tcb.cwnd, 1000u);
}

TEST_F(Undo, a_dsack_inside_a_kept_block_counts_only_for_a_copy) {
  send_window();
  reordering_starts_a_recovery();
  // Second form (RFC 2883 §4.1): the first block lies within the second, data kept past a hole.
  // The network duplicated 10, which was never sent again: no copy of ours comes back.
  inject(dup().sack(base + 10, base + 20).sack(base + 10, base + 50));
  inject(ack(100));
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);
  EXPECT_EQ(tcb.ssthresh, 50u);
}

TEST_F(Undo, a_copy_that_repaired_a_loss_keeps_the_window_reduced) {
  send_window();
  reordering_starts_a_recovery();
  inject(ack(100));  // the copy filled a real hole: no D-SACK follows
  const uint32_t cwnd = tcb.cwnd;
  // D-SACKs for what this recovery did not send again: below it, and data the network duplicated.
  inject(ack(100).sack(base - 10, base));
  inject(ack(100).sack(base + 40, base + 50));
  EXPECT_EQ(tcb.cwnd, cwnd);
  EXPECT_EQ(tcb.ssthresh, 50u);
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);
}

TEST_F(Undo, every_copy_must_come_back) {
  send_window();
  // 0 and 30 are late: the recovery sends both again.
  inject(dup().sack(base + 10, base + 20));
  inject(dup().sack(base + 10, base + 30));
  inject(dup().sack(base + 40, base + 50).sack(base + 10, base + 30));
  expect(resent(0));
  inject(dup().sack(base + 40, base + 60).sack(base + 10, base + 30));
  expect(resent(30));
  // 30's copy comes back first, in a block within the one of data kept past the hole at 0.
  inject(dup().sack(base + 30, base + 40).sack(base + 10, base + 60));
  inject(ack(100));
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);  // one copy of two returned
  EXPECT_EQ(tcb.ssthresh, 50u);
  inject(ack(100).sack(base, base + 10));
  EXPECT_EQ(ctx.cnt.dsack_undos, 1u);
  EXPECT_EQ(tcb.cwnd, 1000u);
}

TEST_F(Undo, a_timeout_during_the_recovery_is_not_undone) {
  send_window();
  reordering_starts_a_recovery();
  advance(300 * kMsec);  // the RTO (200 ms): go back to snd_una, window of one segment
  expect(resent(0));
  inject(ack(100));
  inject(ack(100).sack(base, base + 10));
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);
  EXPECT_LT(tcb.cwnd, 1000u);
}

TEST_F(Undo, out_of_congestion_avoidance_the_threshold_comes_back_to_three_quarters) {
  send_window();
  tcb.ssthresh = 600;  // above half the flight, below the window: congestion avoidance
  reordering_starts_a_recovery();
  inject(ack(100));
  inject(ack(100).sack(base, base + 10));
  EXPECT_EQ(tcb.cwnd, 1000u);
  EXPECT_EQ(tcb.ssthresh, 750u);  // Linux's tcp_current_ssthresh: max(ssthresh, 3/4 cwnd)
}

TEST_F(Undo, a_record_left_with_copies_out_is_freed_one_rto_after_the_recovery) {
  send_window();
  reordering_starts_a_recovery();
  ASSERT_NE(tcb.undo, 0);
  const UndoRecord& r = ctx.undo[tcb.undo - 1];
  inject(ack(100));  // a real repair: no D-SACK will come
  EXPECT_EQ(r.owner, &tcb);
  ASSERT_NE(r.expires, kNever);
  advance(r.expires - now - kMsec);  // nothing outstanding: no timer runs on the way
  inject(ack(100));
  EXPECT_EQ(r.owner, &tcb);  // not yet
  advance(kMsec);
  inject(ack(100));
  EXPECT_EQ(tcb.undo, 0);
  EXPECT_EQ(r.owner, nullptr);
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);
}

TEST_F(Undo, the_connection_s_end_frees_its_record) {
  send_window();
  reordering_starts_a_recovery();
  const int i = tcb.undo - 1;
  ASSERT_GE(i, 0);
  inject(In(kRst, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(ctx.undo[i].owner, nullptr);
}

TEST_F(Undo, with_every_record_taken_a_recovery_is_not_undone) {
  Tcb others[kUndoRecords];
  for (int i = 0; i < kUndoRecords; i++) ctx.undo[i] = UndoRecord{&others[i]};
  send_window();
  reordering_starts_a_recovery();
  EXPECT_EQ(tcb.undo, 0);
  EXPECT_EQ(ctx.cnt.undo_unrecorded, 1u);
  inject(ack(100));
  inject(ack(100).sack(base, base + 10));
  EXPECT_EQ(ctx.cnt.dsack_undos, 0u);
  EXPECT_EQ(tcb.ssthresh, 50u);
}

}  // namespace
}  // namespace ts::tcp::testing
