// BEHAVIOUR.md, "Opening (three-way handshake)".
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Opening = Timeline;

TEST_F(Opening, active_open_syn_synack_ack_reaches_established) {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  EXPECT_EQ(state(), State::kSynSent);
  EXPECT_EQ(ctx.cnt.active_opens, 1u);
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  expect_nothing();
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kConnected));
  EXPECT_FALSE(saw(ev::kAcceptReady));
  EXPECT_EQ(last.deadline, kNever);  // nothing outstanding, keepalive off: no timer
}

TEST_F(Opening, passive_open_syn_gets_synack_then_ack_reaches_established) {
  start_passive(In(kSyn, kPeerIss).mss(1400));
  ASSERT_EQ(last.count, 1);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(state(), State::kSynReceived);
  EXPECT_EQ(listener.half_open, 1u);
  EXPECT_EQ(tcb.snd_mss, 1400);  // the peer's MSS bounds what we send
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect_nothing();
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kAcceptReady));
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(listener.accept_queued, 1u);
  EXPECT_EQ(ctx.cnt.syns_received, 1u);
  EXPECT_EQ(ctx.cnt.synacks_sent, 1u);
}

TEST_F(Opening, syn_and_fin_each_consume_one_sequence_number) {
  open_active();
  EXPECT_EQ(tcb.snd_nxt.v, kIss + 1);   // SYN took kIss
  EXPECT_EQ(tcb.rcv_nxt.v, kPeerIss + 1);
  app_close();
  expect(Out(kFin | kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(tcb.snd_nxt.v, kIss + 2);   // FIN took kIss + 1
  inject(In(kFin | kAck, kPeerIss + 1, kIss + 2));
  expect(Out(kAck, kIss + 2, kPeerIss + 2));  // and the peer's FIN took one of its own
}

TEST_F(Opening, simultaneous_open_syn_sent_to_syn_received_to_established) {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  // The peer's own SYN crosses ours.
  inject(In(kSyn, kPeerIss).mss(1460));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(state(), State::kSynReceived);
  // Its SYN-ACK for our SYN arrives: both sides are ESTABLISHED, nothing more to say.
  inject(In(kSyn | kAck, kPeerIss, kIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kConnected));
  expect_nothing();
}

TEST_F(Opening, simultaneous_open_plain_ack_completes) {
  start_active();
  sent.clear();
  inject(In(kSyn, kPeerIss));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kConnected));
}

TEST_F(Opening, isn_comes_from_the_injected_source) {
  struct Fixed : IsnSource {
    uint32_t isn(const FourTuple& t, Time when) override { return t.lport * 1000u + uint32_t(when); }
    uint32_t ts_offset(const FourTuple&) override { return 0; }
  } src;
  ctx.isn_source = &src;
  EXPECT_EQ(choose_isn(ctx, kTuple, 7).v, 80007u);
  ctx.isn_source = nullptr;
  const Seq a = choose_isn(ctx, kTuple, 0), b = choose_isn(ctx, kTuple, 0);
  EXPECT_NE(a, b);  // the test fallback never hands out the same ISN twice
}

TEST_F(Opening, lost_syn_is_retransmitted_with_exponential_backoff_then_gives_up) {
  start_active();
  sent.clear();
  EXPECT_EQ(last.deadline, 1 * kSec);  // Linux: 1 s initial RTO
  const Time expected_at[] = {1, 3, 7, 15, 31, 63};  // 6 retries, doubling
  for (Time at : expected_at) {
    advance(at * kSec - now - 1);
    expect_nothing();
    advance(1);
    expect(Out(kSyn, kIss).win(65535).mss(1460));
    EXPECT_EQ(state(), State::kSynSent);
  }
  advance(127 * kSec - now - 1);
  EXPECT_EQ(state(), State::kSynSent);
  advance(1);
  expect_nothing();  // no RST: the peer never answered
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_TRUE(saw(ev::kClosed));
  EXPECT_TRUE(saw(ev::kTimedOut));
  EXPECT_EQ(reason, CloseReason::kConnectTimeout);
  EXPECT_EQ(ctx.cnt.syn_retransmits, 6u);
  EXPECT_EQ(ctx.cnt.closed(CloseReason::kConnectTimeout), 1u);
  EXPECT_EQ(tcb.deadline, kNever);
}

TEST_F(Opening, syn_retry_count_and_initial_rto_are_configurable) {
  ctx.cfg.syn_retries = 2;
  ctx.cfg.syn_rto = 250 * kMsec;
  start_active();
  sent.clear();
  advance(250 * kMsec);
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  advance(500 * kMsec);
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  advance(1 * kSec - 1);
  EXPECT_EQ(state(), State::kSynSent);
  advance(1);
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kConnectTimeout);
}

TEST_F(Opening, syn_answered_after_a_retransmission_still_connects) {
  start_active();
  sent.clear();
  advance(1 * kSec);
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  advance(300 * kMsec);
  inject(In(kSyn | kAck, kPeerIss, kIss + 1));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
  // Karn: no RTT sample from an ambiguous SYN; RFC 6298 §5.7: data starts with RTO 3 s.
  EXPECT_EQ(tcb.srtt_us, 0u);
  EXPECT_EQ(tcb.rto_us, 3 * kSec);
}

TEST_F(Opening, lost_synack_client_resends_syn_and_server_answers_with_the_same_synack) {
  const In syn = In(kSyn, kPeerIss).mss(1460);
  start_passive(syn);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  // The SYN-ACK is lost; the client's SYN timer (1 s) fires first and the SYN comes again.
  advance(900 * kMsec);
  inject(syn);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(state(), State::kSynReceived);
  EXPECT_EQ(ctx.cnt.dup_syns, 1u);
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
}

TEST_F(Opening, server_retransmits_synack_at_3_6_12_seconds_then_frees_the_entry) {
  ctx.cfg.synack_rto = 3 * kSec;  // the seeds' figures
  ctx.cfg.synack_retries = 3;
  start_passive(In(kSyn, kPeerIss).mss(1460));
  sent.clear();
  EXPECT_EQ(listener.half_open, 1u);
  const Time gaps[] = {3, 6, 12};
  for (Time g : gaps) {
    advance(g * kSec - 1);
    expect_nothing();
    advance(1);
    expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  }
  advance(24 * kSec);
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kHandshakeTimeout);
  EXPECT_TRUE(saw(ev::kTimedOut));
  EXPECT_EQ(listener.half_open, 0u);  // the entry is freed for the listener too
  EXPECT_EQ(ctx.cnt.synack_retransmits, 3u);
  expect_nothing();
}

TEST_F(Opening, default_synack_retries_are_five_at_one_second) {
  start_passive(In(kSyn, kPeerIss));
  sent.clear();
  advance(1 + 2 + 4 + 8 + 16 + 32 - 1);  // microseconds: nothing yet
  expect_nothing();
  advance((1 + 2 + 4 + 8 + 16) * kSec);
  EXPECT_EQ(ctx.cnt.synack_retransmits, 5u);
  for (int i = 0; i < 5; i++) expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(state(), State::kSynReceived);
  advance(32 * kSec);
  expect_nothing();  // freed without a word (nothing synchronized to reset)
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kHandshakeTimeout);
}

TEST_F(Opening, lost_final_ack_first_data_segment_completes_the_handshake) {
  start_passive(In(kSyn, kPeerIss).mss(1460));
  sent.clear();
  // The client's ACK is lost; it is ESTABLISHED and sends its request.
  advance(10 * kMsec);
  inject(In(kAck | kPsh, kPeerIss + 1, kIss + 1).data("GET /"));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kAcceptReady));
  EXPECT_EQ(received, "GET /");
  expect(Out(kAck, kIss + 1, kPeerIss + 6));
  expect_nothing();
  EXPECT_EQ(last.deadline, kNever);  // the SYN-ACK timer stopped
}

TEST_F(Opening, old_duplicate_synack_in_syn_sent_gets_a_rst_from_its_ack) {
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, 9000, 777));  // acknowledges an ISN we never used
  expect(Out(kRst, 777));
  EXPECT_EQ(state(), State::kSynSent);  // still waiting for the real answer
  inject(In(kSyn | kAck, kPeerIss, kIss + 1));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
}

TEST_F(Opening, unacceptable_ack_in_syn_received_gets_a_rst) {
  start_passive(In(kSyn, kPeerIss));
  sent.clear();
  inject(In(kAck, kPeerIss + 1, 4242));
  expect(Out(kRst, 4242));
  EXPECT_EQ(state(), State::kSynReceived);
}

TEST_F(Opening, old_duplicate_syn_does_not_create_a_connection) {
  // An old SYN reaches the server, which answers; the client (with no such connection) answers
  // the SYN-ACK with a RST carrying seq = our ack, and the half-open block goes away quietly.
  start_passive(In(kSyn, 3000));
  expect(Out(kSyn | kAck, kIss, 3001).win(65535).mss(1460));
  // The client side of that exchange, in CLOSED: reply_to_unknown gives the RST.
  OutSegment rst;
  ASSERT_TRUE(reply_to_unknown(In(kSyn | kAck, kIss, 3001).seg(), rst));
  EXPECT_EQ(rst.flags, kRst);
  EXPECT_EQ(rst.seq.v, 3001u);
  inject(In(kRst, rst.seq.v));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_FALSE(saw(ev::kAcceptReady));
  EXPECT_FALSE(saw(ev::kReset));  // the application never knew about it
  EXPECT_EQ(listener.half_open, 0u);
  expect_nothing();
}

TEST_F(Opening, rst_to_our_syn_means_connection_refused) {
  start_active();
  sent.clear();
  inject(In(kRst, 0).win(0));  // no ACK: cannot be tied to our SYN, ignored
  EXPECT_EQ(state(), State::kSynSent);
  inject(In(kRst | kAck, 0, kIss + 1));
  expect_nothing();
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kRefused);
  EXPECT_TRUE(saw(ev::kReset));
}

TEST_F(Opening, accept_queue_full_drops_the_final_ack_and_counts_it) {
  listener.backlog = 0;
  start_passive(In(kSyn, kPeerIss));
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  EXPECT_EQ(state(), State::kSynReceived);
  expect_nothing();
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  // The application accepts one; the client's retransmitted ACK now gets in.
  listener.backlog = 1;
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
}

TEST_F(Opening, accept_queue_full_with_abort_on_overflow_sends_rst) {
  listener.backlog = 0;
  ctx.cfg.abort_on_overflow = true;
  start_passive(In(kSyn, kPeerIss));
  sent.clear();
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect(Out(kRst, kIss + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kAcceptOverflow);
}

TEST_F(Opening, listener_half_open_bound_drops_syns) {
  listener.max_half_open = 1;
  start_passive(In(kSyn, kPeerIss));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(listen_segment(ctx, listener, In(kSyn, 1).seg()), ListenVerdict::kHalfOpenFull);
  EXPECT_EQ(ctx.cnt.half_open_drops, 1u);
}

TEST_F(Opening, without_a_listener_lookup_nothing_is_counted_and_all_are_admitted) {
  ctx.listeners = nullptr;
  listener.backlog = 0;
  start_passive(In(kSyn, kPeerIss));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(listener.half_open, 0u);
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect_nothing();
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_EQ(listener.accept_queued, 0u);
}

// The two building blocks SYN cookies use: nothing is stored between SYN and ACK.
TEST_F(Opening, stateless_synack_then_cookie_ack_opens_with_the_restored_options) {
  ctx.cfg.timestamps = true;
  ctx.cfg.window_scaling = true;
  ctx.cfg.sack_permitted = true;
  const In syn = In(kSyn, kPeerIss).mss(1400).ws(5).sack_ok().ts(70, 0);
  const OutSegment sa = stateless_synack(ctx, syn.seg(), Seq(kIss), now);
  sent.push_back(sa);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460).ws(0).sack_ok().ts(kIss, 70));
  EXPECT_EQ(listener.half_open, 0u);
  now += 5 * kMsec;
  wire::TcpOptions restored;  // what a cookie decodes
  restored.has_mss = true;
  restored.mss = 1400;
  restored.has_wscale = true;
  restored.wscale = 5;
  restored.sack_permitted = true;
  restored.has_timestamps = true;
  restored.ts_val = 70;
  const In ack = In(kAck | kPsh, kPeerIss + 1, kIss + 1).win(100).ts(75, kIss).data("req");
  const Segment as = ack.seg();
  apply(cookie_open(ctx, listener, tcb, kTuple, as, restored, now));
  EXPECT_EQ(state(), State::kEstablished);
  EXPECT_TRUE(saw(ev::kAcceptReady));
  EXPECT_EQ(received, "req");
  EXPECT_EQ(tcb.snd_wnd, 100u << 5);
  EXPECT_EQ(tcb.snd_mss, 1400 - 12);
  EXPECT_EQ(tcb.srtt_us, 5 * kMsec);  // from the echoed timestamp
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(listener.accept_queued, 1u);
  expect(Out(kAck, kIss + 1, kPeerIss + 4).win(65535).ts(kIss + 5, 75));
}

TEST_F(Opening, cookie_ack_with_a_full_accept_queue_keeps_nothing) {
  listener.backlog = 0;
  const In ack = In(kAck, kPeerIss + 1, kIss + 1);
  apply(cookie_open(ctx, listener, tcb, kTuple, ack.seg(), wire::TcpOptions{}, now));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kAcceptOverflow);
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  expect_nothing();
}

// RFC 7323 §2.2: the window of a SYN is never scaled, the SYN-ACK of a simultaneous open too.
TEST_F(Opening, simultaneous_open_takes_the_synacks_window_unscaled) {
  ctx.cfg.window_scaling = true;
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460).ws(0));
  inject(In(kSyn, kPeerIss).mss(1460).ws(7));
  ASSERT_EQ(state(), State::kSynReceived);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460).ws(0));
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460).ws(7).win(1000));
  ASSERT_EQ(state(), State::kEstablished);
  expect_nothing();  // RFC 9293 figure 8: the SYN-ACKs that crossed need no ACK
  EXPECT_EQ(tcb.snd_wnd, 1000u);
}

// A SYN outside the window of a half-open block gets a challenge ACK and changes nothing
// (RFC 9293's first check, RFC 5961 §4): a blind SYN, the tuple guessed, must not end it.
TEST_F(Opening, out_of_window_syn_leaves_a_half_open_block_as_it_was) {
  start_passive(In(kSyn, kPeerIss).mss(1460));
  sent.clear();
  inject(In(kSyn, kPeerIss + 0x40000000));
  EXPECT_EQ(state(), State::kSynReceived);
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  EXPECT_EQ(state(), State::kEstablished);
}

}  // namespace
}  // namespace ts::tcp::testing
