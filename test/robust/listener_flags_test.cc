// Odd flag combinations and a payload on the segments that reach a listener, in the protocol
// core (hostile.sh sends the same on the wire): SYN+FIN is dropped as Linux and the BSDs do,
// SYN+RST is a RST and ignored (RFC 9293 §3.10.7.2), and a SYN's data is not acknowledged
// (no TCP Fast Open: the peer sends it again once the connection is open).
#include "../tcp/listener_harness.h"

namespace ts::tcp::testing {
namespace {

using ListenerFlags = ListenerHarness;

const FourTuple kA = client(40000);

TEST_F(ListenerFlags, syn_fin_is_dropped_without_a_block_or_a_reply) {
  EXPECT_EQ(arrive(kA, In(kSyn | kFin, kPeerIss)), ListenVerdict::kDrop);
  expect_nothing();
  EXPECT_EQ(ctx.cnt.syn_fin_drops, 1u);
  EXPECT_EQ(ctx.cnt.syns_received, 0u);
  EXPECT_EQ(listener.half_open, 0u);
  // A plain SYN from the same port right after still opens.
  EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
}

TEST_F(ListenerFlags, syn_fin_with_ack_is_answered_like_any_ack_by_a_reset) {
  EXPECT_EQ(arrive(kA, In(kSyn | kFin | kAck, kPeerIss, 777)), ListenVerdict::kReset);
  expect(kA, Out(kRst, 777));
  EXPECT_EQ(ctx.cnt.syn_fin_drops, 0u);
}

TEST_F(ListenerFlags, syn_rst_is_ignored_and_never_answered) {
  EXPECT_EQ(arrive(kA, In(kSyn | kRst, kPeerIss)), ListenVerdict::kDrop);
  expect_nothing();
  EXPECT_EQ(ctx.cnt.rsts_ignored, 1u);
  EXPECT_EQ(listener.half_open, 0u);
}

TEST_F(ListenerFlags, data_on_a_syn_is_not_acknowledged_and_arrives_again_later) {
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss).data("GET / HTTP/1.1\r\n\r\n")), ListenVerdict::kOpen);
  const uint32_t isn = conn(kA).tcb.snd_una.v;
  expect(kA, Out(kSyn | kAck, isn, kPeerIss + 1).mss(1460));
  EXPECT_EQ(conn(kA).received, "");
  EXPECT_EQ(arrive(kA, In(kAck | kPsh, kPeerIss + 1, isn + 1).data("GET")), std::nullopt);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);
  EXPECT_EQ(conn(kA).received, "GET");
}

}  // namespace
}  // namespace ts::tcp::testing
