// Data transfer: zero-copy delivery, windows, retransmission (RFC 6298), fast retransmit
// (RFC 5681), out-of-order handling, zero-window probing.
#include "tcp/rto.h"
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Data = Timeline;

TEST_F(Data, in_order_payload_is_delivered_in_place_and_acked) {
  open_active();
  inject(In(kAck | kPsh, kPeerIss + 1, kIss + 1).data("hello"));
  expect(Out(kAck, kIss + 1, kPeerIss + 6));
  ASSERT_TRUE(last.has(ev::kData));
  EXPECT_EQ(last.data, last_payload);  // zero copy: a pointer into the segment
  EXPECT_EQ(last.data_len, 5u);
  EXPECT_EQ(received, "hello");
}

TEST_F(Data, partly_old_segment_delivers_only_the_new_bytes) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abc"));
  inject(In(kAck, kPeerIss + 2, kIss + 1).data("bcdef"));
  EXPECT_EQ(received, "abcdef");
  EXPECT_EQ(last.data, last_payload + 2);
  sent.clear();
}

TEST_F(Data, out_of_order_segment_is_dropped_and_answered_with_a_duplicate_ack) {
  open_active();
  inject(In(kAck, kPeerIss + 4, kIss + 1).data("def"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_TRUE(received.empty());
  EXPECT_EQ(ctx.cnt.ooo_segments, 1u);
  EXPECT_TRUE(last.has(ev::kAhead));  // in the window: the caller could have kept it
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abc"));
  expect(Out(kAck, kIss + 1, kPeerIss + 4));
  inject(In(kAck, kPeerIss + 4, kIss + 1).data("def"));  // the sender repairs the hole
  expect(Out(kAck, kIss + 1, kPeerIss + 7));
  EXPECT_EQ(received, "abcdef");
}

// RFC 5681 §4.2: a segment past a hole gets its duplicate ACK at once, and as a pure ACK even
// when the ACK it brings lets data of ours out: that data carries the same ACK number, but a
// sender does not count an ACK with data as a duplicate, and would find the hole by its timer.
TEST_F(Data, a_segment_past_a_hole_gets_a_pure_duplicate_ack_even_while_data_leaves) {
  open_active();
  tcb.snd_mss = 100;
  tcb.cwnd = 2 * 100;
  app_send(std::string(1000, 'x'));
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 100));
  expect(Out(kAck, kIss + 101, kPeerIss + 1).data(100, 100));
  // Our first segment ACKed (room for more), the peer's data past a hole of 3 bytes.
  inject(In(kAck, kPeerIss + 4, kIss + 101).data("def"));
  EXPECT_TRUE(last.has(ev::kAhead));
  // The data it let out, carrying the same ACK number; then the duplicate ACK on its own.
  ASSERT_GE(sent.size(), 2u);
  for (size_t i = 0; i + 1 < sent.size(); i++) {
    EXPECT_GT(sent[i].len, 0u) << describe(sent[i]);
    EXPECT_EQ(sent[i].ack.v, kPeerIss + 1);
  }
  EXPECT_EQ(sent.back().len, 0u) << describe(sent.back());
  EXPECT_EQ(sent.back().flags, kAck);
  EXPECT_EQ(sent.back().ack.v, kPeerIss + 1);
  EXPECT_EQ(sent.back().seq, tcb.snd_max);
  EXPECT_FALSE(tcb.has(tcbf::kAckPure));
  sent.clear();
  // In order again, with room for more of ours: the ACK rides on the data alone.
  inject(In(kAck, kPeerIss + 1, kIss + 301).data("abc"));
  for (uint32_t off : {100u, 200u, 300u})  // slow start: 100 bytes out, cwnd 400
    expect(Out(kAck, kIss + 301 + off, kPeerIss + 4).data(off, 100));
  expect_nothing();
}

// The caller's out-of-order queue: segments past a hole come back through held_text() once the
// hole is filled, the run of them acknowledged by one ACK.
class Kept : public Timeline {
 protected:
  void give_back(uint32_t seq, const std::string& bytes, bool fin, bool ack) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    apply(held_text(ctx, tcb, {Seq(seq), p, uint32_t(bytes.size()), fin}, ack, now));
  }
};

TEST_F(Kept, segments_past_a_hole_are_taken_once_it_is_filled_with_one_ack) {
  open_active();
  const std::string d = "def", g = "ghi";
  inject(In(kAck, kPeerIss + 4, kIss + 1).data(d));
  ASSERT_TRUE(last.has(ev::kAhead));
  inject(In(kAck, kPeerIss + 7, kIss + 1).data(g));
  ASSERT_TRUE(last.has(ev::kAhead));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));  // two duplicate ACKs
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abc"));
  expect(Out(kAck, kIss + 1, kPeerIss + 4));
  give_back(kPeerIss + 4, d, false, false);
  expect_nothing();  // another kept segment follows at once: its ACK covers both
  give_back(kPeerIss + 7, g, true, true);
  expect(Out(kAck, kIss + 1, kPeerIss + 11));  // the data and the FIN kept with it
  EXPECT_EQ(received, "abcdefghi");
  EXPECT_EQ(state(), State::kCloseWait);
  EXPECT_TRUE(saw(ev::kPeerClosed));
}

TEST_F(Kept, a_kept_segment_is_trimmed_to_what_is_new_and_ignored_when_stale) {
  open_active();
  const std::string kept = "cdef";
  inject(In(kAck, kPeerIss + 3, kIss + 1).data(kept));
  ASSERT_TRUE(last.has(ev::kAhead));
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abcd"));  // overlaps the kept one
  sent.clear();
  give_back(kPeerIss + 3, kept, false, true);
  EXPECT_EQ(received, "abcdef");
  EXPECT_EQ(last.data, reinterpret_cast<const uint8_t*>(kept.data()) + 2);
  expect(Out(kAck, kIss + 1, kPeerIss + 7));
  // Not reached yet (a caller bug), or after the peer's FIN: nothing happens.
  give_back(kPeerIss + 9, kept, false, true);
  EXPECT_FALSE(last.has(ev::kData));
  expect_nothing();
  inject(In(kAck | kFin, kPeerIss + 7, kIss + 1));
  sent.clear();
  give_back(kPeerIss + 7, kept, false, true);
  EXPECT_FALSE(last.has(ev::kData));
  EXPECT_EQ(received, "abcdef");
}

// The hole's filler is longer than the hole: it covers one kept segment whole and another in
// part. The run still ends in one ACK, past all of it (an ACK after the covered one would stop
// at the filler's end and read to the sender as a partial ACK).
TEST_F(Kept, a_kept_segment_the_filler_covers_asks_for_no_ack_of_its_own) {
  open_active();
  const std::string a(576, 'a'), b(1448, 'b');
  inject(In(kAck, kPeerIss + 257, kIss + 1).data(a));
  inject(In(kAck, kPeerIss + 833, kIss + 1).data(b));
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(1448, 'r')));  // to kPeerIss + 1449
  expect(Out(kAck, kIss + 1, kPeerIss + 1449));
  give_back(kPeerIss + 257, a, false, false);
  expect_nothing();
  give_back(kPeerIss + 833, b, false, true);
  expect(Out(kAck, kIss + 1, kPeerIss + 2281));
  EXPECT_EQ(received, std::string(1448, 'r') + std::string(832, 'b'));
}

// RFC 2883: text we already had is acknowledged with a D-SACK block naming it, when SACK was
// negotiated; without SACK the same ACK carries no block.
TEST_F(Data, text_we_already_had_is_acknowledged_with_a_dsack_block) {
  open_active();
  tcb.flags |= tcbf::kSackOk;
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abcdef"));
  expect(Out(kAck, kIss + 1, kPeerIss + 7));
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abc"));  // resent for nothing
  expect(Out(kAck, kIss + 1, kPeerIss + 7).sack(kPeerIss + 1, kPeerIss + 4));
  EXPECT_EQ(ctx.cnt.dsacks_sent, 1u);
  tcb.flags &= ~tcbf::kSackOk;
  inject(In(kAck, kPeerIss + 4, kIss + 1).data("def"));
  expect(Out(kAck, kIss + 1, kPeerIss + 7));
  EXPECT_EQ(ctx.cnt.dsacks_sent, 1u);
  EXPECT_EQ(received, "abcdef");
}

TEST_F(Data, a_segment_past_the_window_is_not_offered_to_keep) {
  open_active();
  const uint32_t edge = kPeerIss + 1 + default_window() * (1u << tcb.rcv_wscale);
  inject(In(kAck, edge, kIss + 1).data("x"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));  // RFC 9293 §3.10.7.4: unacceptable, an ACK
  EXPECT_FALSE(last.has(ev::kAhead));
  EXPECT_EQ(ctx.cnt.ooo_segments, 0u);  // not acceptable at all: outside the window
  inject(In(kAck, edge - 1, kIss + 1).data("x"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));  // out of order: the duplicate ACK
  EXPECT_TRUE(last.has(ev::kAhead));  // the window's last byte
}

TEST_F(Data, fin_behind_a_hole_is_not_taken) {
  open_active();
  inject(In(kAck | kFin, kPeerIss + 4, kIss + 1).data("def"));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_FALSE(saw(ev::kPeerClosed));
}

TEST_F(Data, send_is_cut_into_mss_segments_and_acked_bytes_are_reported) {
  open_active();
  tcb.snd_mss = 4;
  tcb.cwnd = 100;
  app_send("0123456789");
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 4));
  expect(Out(kAck, kIss + 5, kPeerIss + 1).data(4, 4));
  expect(Out(kAck | kPsh, kIss + 9, kPeerIss + 1).data(8, 2));
  inject(In(kAck, kPeerIss + 1, kIss + 9));
  EXPECT_EQ(last.acked, 8u);
  EXPECT_TRUE(last.has(ev::kSendSpace));
  EXPECT_EQ(sendq, "89");
}

TEST_F(Data, output_drains_more_segments_than_one_actions_holds) {
  open_active();
  tcb.snd_mss = 10;
  app_send(std::string(100, 'x'));
  EXPECT_FALSE(last.more);  // 4 per Actions, `more` asked for the rest
  for (uint32_t i = 0; i < 10; ++i)
    expect(Out(kAck | (i == 9 ? kPsh : 0), kIss + 1 + 10 * i, kPeerIss + 1).data(10 * i, 10));
  expect_nothing();
}

TEST_F(Data, peer_window_limits_what_is_sent) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(5));
  app_send("0123456789");
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 5));
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 6).win(5));
  expect(Out(kAck | kPsh, kIss + 6, kPeerIss + 1).data(0, 5));
}

TEST_F(Data, congestion_window_starts_at_ten_segments) {
  open_active();
  tcb.snd_mss = 100;
  tcb.cwnd = 10 * 100;
  app_send(std::string(2000, 'x'));
  EXPECT_EQ(sent.size(), 10u);
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1 + 100));  // slow start: one ACK, two more segments
  expect(Out(kAck, kIss + 1001, kPeerIss + 1).data(900, 100));
  expect(Out(kAck, kIss + 1101, kPeerIss + 1).data(1000, 100));
  expect_nothing();
}

TEST_F(Data, lost_data_is_retransmitted_with_backoff_and_gives_up_after_15_retries) {
  open_active();
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  Time rto = 200 * kMsec;  // zero RTT in the handshake: the floor
  for (int i = 1; i <= 15; ++i) {
    advance(rto);
    expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
    rto = std::min<Time>(2 * rto, 120 * kSec);
  }
  EXPECT_EQ(ctx.cnt.retransmits, 15u);
  EXPECT_EQ(state(), State::kEstablished);
  advance(rto);
  expect(Out(kRst | kAck, kIss + 4, kPeerIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kRetransmitTimeout);
  EXPECT_TRUE(saw(ev::kTimedOut));
}

TEST_F(Data, retransmission_restarts_from_snd_una_and_an_ack_stops_it) {
  open_active();
  tcb.snd_mss = 2;
  tcb.cwnd = 100;
  app_send("abcd");
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 2));
  expect(Out(kAck | kPsh, kIss + 3, kPeerIss + 1).data(2, 2));
  advance(200 * kMsec);
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 2));  // loss window: one segment
  inject(In(kAck, kPeerIss + 1, kIss + 3));
  expect(Out(kAck | kPsh, kIss + 3, kPeerIss + 1).data(0, 2));
  inject(In(kAck, kPeerIss + 1, kIss + 5));
  EXPECT_TRUE(sendq.empty());
  EXPECT_EQ(tcb.deadline, kNever);
}

// "abcd" in two segments of 2, both lost: the retransmission timer goes back to snd_una.
class GoBack : public Timeline {
 protected:
  void send_two_segments_then_time_out() {
    open_active();
    tcb.snd_mss = 2;
    tcb.cwnd = 100;
    app_send("abcd");
    sent.clear();
    advance(200 * kMsec);
  }
};

// A pure ACK sent after a timeout is numbered snd_max, as BSD numbers it: the peer may hold all
// we sent, and drops unread an ACK numbered below its rcv_nxt. If both ends went back so, with
// data lost both ways, neither would ever take the other's ACK (the faulty-wire echo test did).
TEST_F(GoBack, a_pure_ack_after_a_timeout_is_numbered_past_all_we_sent) {
  send_two_segments_then_time_out();
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 2));  // snd_nxt back to kIss + 3
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("xy"));  // the peer's data; our ACKs were lost
  expect(Out(kAck, kIss + 5, kPeerIss + 3));
  EXPECT_EQ(tcb.snd_nxt.v, kIss + 3);
}

TEST_F(GoBack, ack_beyond_what_a_go_back_resent_still_counts) {
  send_two_segments_then_time_out();  // RTO: snd_nxt goes back to snd_una
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 5));  // but everything had arrived
  EXPECT_TRUE(sendq.empty());
  EXPECT_EQ(tcb.snd_nxt, tcb.snd_una);
  expect_nothing();
}

TEST_F(Data, three_duplicate_acks_trigger_a_fast_retransmit) {
  open_active();
  tcb.snd_mss = 10;
  tcb.cwnd = 1000;
  app_send(std::string(50, 'x'));
  sent.clear();
  for (int i = 0; i < 2; ++i) inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect(Out(kAck, kIss + 1, kPeerIss + 1).data(0, 10));
  EXPECT_EQ(ctx.cnt.fast_retransmits, 1u);
  // Partial ACK (RFC 6582): the next hole goes at once.
  inject(In(kAck, kPeerIss + 1, kIss + 11));
  expect(Out(kAck, kIss + 11, kPeerIss + 1).data(0, 10));
  inject(In(kAck, kPeerIss + 1, kIss + 51));
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_TRUE(sendq.empty());
}

TEST_F(Data, zero_window_is_probed_with_backoff_until_it_opens) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  app_send("abc");
  expect_nothing();
  EXPECT_EQ(tcb.timer, TimerKind::kPersist);
  advance(200 * kMsec);
  expect(Out(kAck, kIss, kPeerIss + 1));
  advance(400 * kMsec);
  expect(Out(kAck, kIss, kPeerIss + 1));
  EXPECT_EQ(ctx.cnt.window_probes, 2u);
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(100));
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
}

TEST_F(Data, our_receive_window_bounds_what_we_take) {
  open_active();
  apply(set_receive_window(ctx, tcb, 4, now));
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("abcdef"));
  EXPECT_EQ(received, "abcd");
  expect(Out(kAck, kIss + 1, kPeerIss + 5).win(4));
}

TEST_F(Data, opening_a_closed_receive_window_sends_a_window_update) {
  open_active();
  apply(set_receive_window(ctx, tcb, 0, now));
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data("a"));  // no room: ACKed, not taken
  expect(Out(kAck, kIss + 1, kPeerIss + 1).win(0));
  EXPECT_TRUE(received.empty());
  apply(set_receive_window(ctx, tcb, 65535, now));
  expect(Out(kAck, kIss + 1, kPeerIss + 1).win(65535));
}

// Config::app_window (worker threads read later): the window is what the reader has room for.
TEST_F(Data, unread_data_closes_the_window_with_its_right_edge_held) {
  ctx.cfg.app_window = true;
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(1000, 'a')));
  expect(Out(kAck, kIss + 1, kPeerIss + 1001).win(64535));  // edge stays at 65535 past the ISS
  inject(In(kAck, kPeerIss + 1001, kIss + 1).data(std::string(64535, 'b')));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(0));
  EXPECT_EQ(received.size(), 65535u);
  // A probe past the closed window: ACKed with the window still closed, nothing taken.
  inject(In(kAck, kPeerIss + 65536, kIss + 1).data("z"));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(0));
  EXPECT_EQ(received.size(), 65535u);
}

TEST_F(Data, consumed_bytes_reopen_the_window_an_mss_at_least) {
  ctx.cfg.app_window = true;
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(0));
  apply(consumed(ctx, tcb, 500, now));  // less than an MSS: no small window offered (SWS)
  expect_nothing();
  inject(In(kAck, kPeerIss + 65536, kIss + 1).data("z"));  // the ACK of a probe holds it too
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(0));
  apply(consumed(ctx, tcb, 1000, now));  // 1500 now: a window update
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(1500));
  inject(In(kAck, kPeerIss + 65536, kIss + 1).data(std::string(1500, 'c')));
  expect(Out(kAck, kIss + 1, kPeerIss + 67036).win(0));
  apply(consumed(ctx, tcb, 1u << 20, now));  // more than was ever held: capped at the buffer
  expect(Out(kAck, kIss + 1, kPeerIss + 67036).win(65535));
  EXPECT_EQ(received.size(), 67035u);
}

// consumed() in the datapath's two steps: give_back says whether an update is due (and changes
// nothing else: no segment, the same deadline), announce_window sends it.
TEST_F(Data, give_back_says_when_a_window_update_is_due_and_announce_window_sends_it) {
  ctx.cfg.app_window = true;
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(0));
  const auto deadline = tcb.deadline;
  EXPECT_FALSE(give_back(ctx, tcb, 500));  // less than an MSS: no small window offered (SWS)
  EXPECT_EQ(tcb.deadline, deadline);
  expect_nothing();
  EXPECT_TRUE(give_back(ctx, tcb, 1000));  // 1500 now
  apply(announce_window(ctx, tcb, now));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(1500));
  ctx.cfg.app_window = false;
  EXPECT_FALSE(give_back(ctx, tcb, 1000));  // data read as it came: nothing was held
}

// A bare FIN at a closed window is not taken (it needs room), but its ACK counts as a probe's
// does ("special allowance should be made to accept valid ACKs"): an echo that reopens its window
// only as its echo is acknowledged (turnstile-server --mode echo) got the last such ACK on the
// peer's FIN, ignored it, and so never reopened: the peer's FIN timed out.
TEST_F(Data, a_fin_at_a_closed_window_waits_but_its_ack_counts) {
  ctx.cfg.app_window = true;
  open_active();
  app_send("echo");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 4));
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));
  expect(Out(kAck, kIss + 5, kPeerIss + 65536).win(0));
  inject(In(kAck | kFin, kPeerIss + 65536, kIss + 5));
  expect(Out(kAck, kIss + 5, kPeerIss + 65536).win(0));
  EXPECT_TRUE(tcb.snd_una == tcp::Seq(kIss + 5));
  EXPECT_EQ(state(), State::kEstablished);
  apply(consumed(ctx, tcb, 65535, now));
  expect(Out(kAck, kIss + 5, kPeerIss + 65536).win(65535));
  inject(In(kAck | kFin, kPeerIss + 65536, kIss + 5));
  expect(Out(kAck, kIss + 5, kPeerIss + 65537).win(65534));  // the FIN took its byte
  EXPECT_EQ(state(), State::kCloseWait);
}

TEST_F(Data, without_app_window_received_data_leaves_the_window_open) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));
  expect(Out(kAck, kIss + 1, kPeerIss + 65536).win(65535));
  apply(consumed(ctx, tcb, 1000, now));  // nothing held: nothing to announce
  expect_nothing();
}

TEST_F(Data, after_the_peer_fin_consumed_sends_no_window_update) {
  ctx.cfg.app_window = true;
  open_active();
  inject(In(kAck | kFin, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));
  expect(Out(kAck, kIss + 1, kPeerIss + 65537).win(0));
  ASSERT_EQ(state(), State::kCloseWait);
  apply(consumed(ctx, tcb, 65535, now));
  expect_nothing();
}

TEST_F(Data, send_after_close_is_ignored) {
  open_active();
  app_close();
  sent.clear();
  app_send("late");
  expect_nothing();
  EXPECT_EQ(tcb.snd_queued, 0u);
}

TEST_F(Data, data_queued_during_the_handshake_goes_with_the_final_ack) {
  start_active();
  sent.clear();
  app_send("early");
  expect_nothing();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1));
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 5));
  expect_nothing();  // the ACK rides on the data
}

TEST_F(Data, payload_on_a_syn_is_not_delivered) {
  start_passive(In(kSyn, kPeerIss).data("fast open?"));
  EXPECT_TRUE(received.empty());
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
}

// RFC 9293 MUST-36: a peer that answers every probe keeps its zero window as long as it likes;
// only probes in a row without an answer count towards giving up.
TEST_F(Data, zero_window_probes_go_on_while_the_peer_answers_them) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  app_send("abc");
  for (int i = 0; i < 3 * int(ctx.cfg.data_retries); i++) {
    advance(tcb.deadline - now);
    ASSERT_NE(state(), State::kClosed) << "after " << i + 1 << " answered probes";
    expect(Out(kAck, kIss, kPeerIss + 1));  // the probe: an old byte's number, no text
    inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  }
  EXPECT_EQ(tcb.timer, TimerKind::kPersist);
  EXPECT_EQ(ctx.cnt.window_probes, 3u * ctx.cfg.data_retries);
}

// RFC 9293 §3.8.6.1: a window that shrinks to zero under data in flight is probed by the
// retransmissions, and a peer that answers each one keeps the connection, as it would keep one
// it probes from the start; unanswered, the retransmissions give up as ever.
TEST_F(Data, a_window_shrunk_to_zero_under_data_in_flight_is_kept_while_the_peer_answers) {
  ctx.cfg.data_retries = 4;
  open_active();
  app_send(std::string(3000, 'd'));
  ASSERT_EQ(sent.size(), 3u);  // 1460, 1460, 80: all of it in the first window
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1461).win(0));  // one segment taken, and no more room
  for (int i = 0; i < 3 * int(ctx.cfg.data_retries); i++) {
    advance(tcb.deadline - now);
    ASSERT_NE(state(), State::kClosed) << "after " << i + 1 << " answered retransmissions";
    ASSERT_FALSE(sent.empty());
    sent.clear();
    inject(In(kAck, kPeerIss + 1, kIss + 1461).win(0));
  }
  inject(In(kAck, kPeerIss + 1, kIss + 1461).win(8000));
  sent.clear();
  for (unsigned i = 0; i <= ctx.cfg.data_retries && state() != State::kClosed; i++) {
    advance(tcb.deadline - now);
    sent.clear();
  }
  EXPECT_EQ(state(), State::kClosed);  // the window open and nothing answered: given up
}

TEST_F(Data, unanswered_zero_window_probes_give_up_after_the_data_retries) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  app_send("abc");
  for (unsigned i = 0; i < ctx.cfg.data_retries; i++) {
    advance(tcb.deadline - now);
    expect(Out(kAck, kIss, kPeerIss + 1));
  }
  advance(tcb.deadline - now);
  expect(Out(kRst | kAck, kIss + 1, kPeerIss + 1));  // the text never left: snd_nxt is kIss + 1
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(ctx.cnt.window_probes, ctx.cfg.data_retries);
}

// The probes' backoff and count are the persist episode's: once the window opens, the data's
// timer starts from the RTO with the whole retransmission budget (Linux's tcp_ack_probe).
TEST_F(Data, a_long_persist_leaves_the_data_its_whole_retransmission_budget) {
  open_active();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  app_send("abc");
  for (int i = 0; i < 12; i++) {
    advance(tcb.deadline - now);
    inject(In(kAck, kPeerIss + 1, kIss + 1).win(0));
  }
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(1000));
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  EXPECT_EQ(tcb.timer, TimerKind::kRetransmit);
  EXPECT_EQ(tcb.backoff, 0u);
  EXPECT_EQ(tcb.deadline, now + rto_current(tcb, ctx.cfg));
  unsigned timeouts = 0;
  while (state() != State::kClosed && timeouts < 40) {
    advance(tcb.deadline - now);
    timeouts++;
    if (state() == State::kClosed) expect(Out(kRst | kAck, kIss + 4, kPeerIss + 1));
    else expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  }
  EXPECT_EQ(timeouts, ctx.cfg.data_retries + 1);  // 15 retransmissions, then the RST
}

// RFC 9293 §3.10.7.4: with a zero receive window no text is acceptable, "but special allowance
// should be made to accept valid ACKs": a probe carrying data still acknowledges ours.
// ... and such probes, their ACK unchanged, are not duplicate ACKs (they carry data: RFC 5681
// §2): three of them while our data is out start no fast retransmit.
TEST_F(Data, probes_into_a_zero_receive_window_are_not_duplicate_acks) {
  ctx.cfg.app_window = true;
  open_active();
  app_send(std::string(4000, 'd'));
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));  // fills our window
  sent.clear();
  for (int i = 0; i < 3; i++) inject(In(kAck, kPeerIss + 65536, kIss + 1).data("z"));
  EXPECT_EQ(ctx.cnt.fast_retransmits, 0u);
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  for (int i = 0; i < 3; i++) expect(Out(kAck, tcb.snd_nxt.v, kPeerIss + 65536).win(0));
  expect_nothing();
}

// The datapath's way for data a worker has no room for (tcp_input: on_segment(without_text)):
// the same, its ACK taken, no duplicate ACK counted.
TEST_F(Data, segments_whose_text_the_caller_drops_are_not_duplicate_acks) {
  open_active();
  app_send(std::string(4000, 'd'));
  sent.clear();
  for (uint32_t i = 0; i < 3; i++)
    apply(on_segment(ctx, tcb, without_text(In(kAck, kPeerIss + 1, kIss + 1).data("zzzz").seg()), now));
  EXPECT_EQ(ctx.cnt.fast_retransmits, 0u);
  EXPECT_FALSE(tcb.has(tcbf::kRecovery));
  EXPECT_EQ(tcb.dupacks, 0u);
}

TEST_F(Data, a_zero_receive_window_still_takes_the_ack_of_a_segment_whose_text_it_drops) {
  ctx.cfg.app_window = true;
  open_active();
  app_send("hello");
  inject(In(kAck, kPeerIss + 1, kIss + 1).data(std::string(65535, 'a')));  // fills our window
  sent.clear();
  inject(In(kAck, kPeerIss + 65536, kIss + 6).data("z"));  // a probe, and the ACK of "hello"
  EXPECT_EQ(tcb.snd_una.v, kIss + 6);
  EXPECT_TRUE(sendq.empty());
  EXPECT_EQ(received.size(), 65535u);  // the probe's byte was not taken
  expect(Out(kAck, kIss + 6, kPeerIss + 65536).win(0));
}

}  // namespace
}  // namespace ts::tcp::testing
