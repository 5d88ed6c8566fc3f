// Fewer segments per connection: the FIN on the last data segment when the application sends and
// closes together (send_close), and the segments the datapath's held-back ACKs count on (the
// answer to a segment acknowledges it, so the pure ACK before it may be dropped).
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

using Coalesce = Timeline;

// send_close(), as the datapath calls it when the application sent and closed in one callback
// (turnstile-server's HTTP reply with `Connection: close`).
class SendClose : public Coalesce {
 protected:
  void app_send_close(std::string_view bytes) {
    sendq.append(bytes);
    apply(send_close(ctx, tcb, uint32_t(bytes.size()), now));
  }
};

TEST_F(SendClose, reply_and_close_leave_as_one_segment_with_psh_ack_fin) {
  open_passive();
  inject(In(kAck | kPsh, peer_nxt, kIss + 1).data("GET /"));
  expect(Out(kAck, kIss + 1, peer_nxt + 5));  // the datapath holds this one back
  peer_nxt += 5;
  app_send_close("response");
  expect(Out(kFin | kPsh | kAck, kIss + 1, peer_nxt).data(0, 8));
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait1);
  EXPECT_EQ(ctx.cnt.segs_out, 3u);  // SYN-ACK, the ACK of the request, data+FIN
  inject(In(kAck, peer_nxt, kIss + 1 + 8 + 1));  // acknowledges the data and the FIN
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait2);
  EXPECT_TRUE(sendq.empty());
}

TEST_F(SendClose, send_then_close_as_two_calls_take_two_segments) {
  // Why the combined call exists: send() puts the data on the wire before close() is heard of.
  open_passive();
  app_send("response");
  app_close();
  expect(Out(kPsh | kAck, kIss + 1, peer_nxt).data(0, 8));
  expect(Out(kFin | kAck, kIss + 9, peer_nxt));
  expect_nothing();
}

TEST_F(SendClose, in_close_wait_the_reply_carries_the_fin_and_its_ack_closes) {
  open_passive();
  go_to(State::kCloseWait);
  app_send_close("bye");
  expect(Out(kFin | kPsh | kAck, kIss + 1, peer_nxt).data(0, 3));
  expect_nothing();
  EXPECT_EQ(state(), State::kLastAck);
  inject(In(kAck, peer_nxt, kIss + 1 + 3 + 1));
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kNormal);
}

TEST_F(SendClose, fin_goes_only_on_the_segment_with_the_last_byte) {
  open_passive();
  tcb.snd_mss = 4;
  tcb.cwnd = 100;
  app_send_close("0123456789");
  expect(Out(kAck, kIss + 1, peer_nxt).data(0, 4));
  expect(Out(kAck, kIss + 5, peer_nxt).data(4, 4));
  expect(Out(kFin | kPsh | kAck, kIss + 9, peer_nxt).data(8, 2));
  expect_nothing();
}

TEST_F(SendClose, window_limited_reply_sends_its_fin_with_the_last_byte_later) {
  open_passive();
  inject(In(kAck, peer_nxt, kIss + 1).win(5));
  app_send_close("0123456789");
  expect(Out(kAck, kIss + 1, peer_nxt).data(0, 5));
  expect_nothing();  // neither the rest nor a FIN ahead of it
  EXPECT_EQ(state(), State::kFinWait1);
  inject(In(kAck, peer_nxt, kIss + 6).win(5));
  expect(Out(kFin | kPsh | kAck, kIss + 6, peer_nxt).data(0, 5));
  expect_nothing();
}

TEST_F(SendClose, lost_data_and_fin_are_retransmitted_together) {
  open_passive();
  app_send_close("abc");
  expect(Out(kFin | kPsh | kAck, kIss + 1, peer_nxt).data(0, 3));
  advance(200 * kMsec);  // RTO floor: no RTT sample beyond the handshake's
  expect(Out(kFin | kPsh | kAck, kIss + 1, peer_nxt).data(0, 3));
  expect_nothing();
  EXPECT_EQ(ctx.cnt.retransmits, 1u);
}

TEST_F(SendClose, nothing_to_send_is_a_plain_close) {
  open_passive();
  app_send_close("");
  expect(Out(kFin | kAck, kIss + 1, peer_nxt));
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait1);
}

TEST_F(SendClose, during_the_handshake_data_and_fin_follow_the_final_ack_in_one_segment) {
  start_passive(In(kSyn, kPeerIss).mss(1460));
  sent.clear();
  app_send_close("early");  // SYN-RECEIVED: queued, the FIN after it
  expect_nothing();
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  expect(Out(kFin | kPsh | kAck, kIss + 1, kPeerIss + 1).data(0, 5));
  expect_nothing();
  EXPECT_EQ(state(), State::kFinWait1);
}

TEST_F(SendClose, in_syn_sent_it_closes_the_block_as_close_would) {
  start_active();
  sent.clear();
  app_send_close("never");
  expect_nothing();
  EXPECT_EQ(state(), State::kClosed);
  EXPECT_EQ(reason, CloseReason::kAborted);
}

TEST_F(SendClose, after_close_the_bytes_are_ignored) {
  open_passive();
  app_close();
  expect(Out(kFin | kAck, kIss + 1, peer_nxt));
  app_send_close("late");
  expect_nothing();
  EXPECT_EQ(tcb.snd_queued, 0u);
}

// What the datapath counts on when it holds a pure ACK until the end of the poll iteration: the
// application's answer, built after it, acknowledges the same bytes, so the ACK can be dropped.

TEST_F(Coalesce, first_data_after_the_syn_ack_acknowledges_it) {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));  // held back by the datapath
  EXPECT_TRUE(saw(ev::kConnected));
  app_send("GET /");
  expect(Out(kPsh | kAck, kIss + 1, kPeerIss + 1).data(0, 5));  // same ack: it replaces the ACK
  expect_nothing();
}

TEST_F(Coalesce, close_in_the_callback_of_the_peer_fin_acknowledges_that_fin) {
  open_passive();
  inject(In(kFin | kPsh | kAck, peer_nxt, kIss + 1).data("bye"));
  expect(Out(kAck, kIss + 1, peer_nxt + 4));  // held back by the datapath
  EXPECT_TRUE(saw(ev::kPeerClosed));
  peer_nxt += 4;
  app_close();
  expect(Out(kFin | kAck, kIss + 1, peer_nxt));  // same ack: it replaces the ACK
  expect_nothing();
  EXPECT_EQ(state(), State::kLastAck);
}

TEST_F(SendClose, their_fin_that_ends_our_fin_wait_has_its_ack_at_once) {
  // FIN-WAIT-1/2 -> TIME-WAIT: the block becomes a TIME-WAIT entry, nothing may be held back.
  open_active();
  app_send_close("req");
  expect(Out(kFin | kPsh | kAck, kIss + 1, kPeerIss + 1).data(0, 3));
  inject(In(kFin | kPsh | kAck, kPeerIss + 1, kIss + 5).data("reply"));
  expect(Out(kAck, kIss + 5, kPeerIss + 1 + 5 + 1));
  EXPECT_TRUE(saw(ev::kTimeWait));
  EXPECT_EQ(received, "reply");
}

}  // namespace
}  // namespace ts::tcp::testing
