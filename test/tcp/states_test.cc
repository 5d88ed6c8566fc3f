// BEHAVIOUR.md, "States": the eleven states by their RFC names, all reachable, and the named
// state sets the code uses instead of order comparisons.
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

TEST(States, names_follow_rfc_9293) {
  const char* want[kStateCount] = {"CLOSED",      "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
                                   "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
                                   "CLOSING",     "LAST-ACK",   "TIME-WAIT"};
  for (int i = 0; i < kStateCount; ++i) EXPECT_STREQ(state_name(State(i)), want[i]);
}

TEST(States, sets_are_masks_not_ranges) {
  EXPECT_TRUE(in_state(State::kTimeWait, kSynchronized));
  EXPECT_FALSE(in_state(State::kSynReceived, kSynchronized));
  EXPECT_TRUE(in_state(State::kFinWait2, kReceivesData));
  EXPECT_FALSE(in_state(State::kCloseWait, kReceivesData));
  EXPECT_TRUE(in_state(State::kCloseWait, kAcceptsSend));
  EXPECT_FALSE(in_state(State::kFinWait1, kAcceptsSend));
  EXPECT_TRUE(in_state(State::kLastAck, kFinSentStates & kPeerFinStates));
}

TEST(States, connection_block_fits_two_cache_lines) {
  EXPECT_LE(sizeof(Tcb), 128u);
  EXPECT_EQ(sizeof(Tcb), 112u);
}

class Reach : public Timeline {};

// Every state is entered on the wire path the RFC describes; LISTEN is the listener itself.
TEST_F(Reach, every_state_is_reached_on_both_sides) {
  EXPECT_EQ(state(), State::kClosed);
  start_active();
  EXPECT_EQ(state(), State::kSynSent);
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  for (State s : {State::kEstablished, State::kFinWait1, State::kFinWait2, State::kCloseWait,
                  State::kClosing, State::kLastAck, State::kTimeWait}) {
    for (bool passive : {false, true}) {
      restart();
      if (passive) open_passive();
      else open_active();
      go_to(s);
      EXPECT_EQ(state(), s) << state_name(s) << (passive ? " passive" : " active");
    }
  }
  restart();
  start_passive(In(kSyn, kPeerIss));
  EXPECT_EQ(state(), State::kSynReceived);
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(listen_segment(ctx, listener, In(kSyn, 1).seg()), ListenVerdict::kOpen);
}

TEST_F(Reach, close_reasons_have_names) {
  EXPECT_STREQ(close_reason_name(CloseReason::kKeepaliveTimeout), "keepalive-timeout");
  EXPECT_STREQ(close_reason_name(CloseReason::kNormal), "normal");
}

}  // namespace
}  // namespace ts::tcp::testing
