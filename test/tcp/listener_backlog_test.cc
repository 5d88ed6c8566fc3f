// The accept queue (listen backlog): what happens to a handshake that completes while the
// application is not taking connections, with and without tcp_abort_on_overflow, for half-open
// blocks and for cookies alike.
#include "listener_harness.h"

namespace ts::tcp::testing {
namespace {

using ListenerBacklog = ListenerHarness;

const FourTuple kA = client(40000);
const FourTuple kB = client(40001);

TEST_F(ListenerBacklog, full_queue_drops_the_completing_ack_and_its_retransmission_gets_in_later) {
  listener.backlog = 1;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  const uint32_t isn_b = conn(kB).tcb.snd_una.v;
  sent.clear();
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, conn(kA).tcb.snd_una.v + 1)), std::nullopt);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);
  EXPECT_EQ(listener.accept_queued, 1u);

  // B completes while A waits to be accepted: as if the ACK were lost.
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, isn_b + 1)), std::nullopt);
  expect_nothing();
  EXPECT_EQ(conn(kB).tcb.state, State::kSynReceived);
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  EXPECT_EQ(listener.half_open, 1u);
  // Our SYN-ACK timer still runs, and prompts the client to say it again.
  advance(1 * kSec);
  expect(kB, Out(kSyn | kAck, isn_b, kPeerIss + 1).mss(1460));

  app_accept();
  EXPECT_EQ(arrive(kB, In(kAck | kPsh, kPeerIss + 1, isn_b + 1).data("hello")), std::nullopt);
  EXPECT_EQ(conn(kB).tcb.state, State::kEstablished);
  EXPECT_EQ(conn(kB).received, "hello");
  expect(kB, Out(kAck, isn_b + 1, kPeerIss + 6));
  EXPECT_EQ(listener.accept_queued, 1u);
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
}

TEST_F(ListenerBacklog, full_queue_with_abort_on_overflow_resets_the_completing_ack) {
  listener.backlog = 1;
  ctx.cfg.abort_on_overflow = true;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  const uint32_t isn_b = conn(kB).tcb.snd_una.v;
  arrive(kA, In(kAck, kPeerIss + 1, conn(kA).tcb.snd_una.v + 1));
  sent.clear();
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, isn_b + 1).data("hello")), std::nullopt);
  expect(kB, Out(kRst, isn_b + 1));
  EXPECT_FALSE(live(kB));
  EXPECT_EQ(conn(kB).reason, CloseReason::kAcceptOverflow);
  EXPECT_EQ(conn(kB).received, "");
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(listener.accept_queued, 1u);
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  EXPECT_EQ(ctx.cnt.closed(CloseReason::kAcceptOverflow), 1u);
}

TEST_F(ListenerBacklog, cookie_ack_with_a_full_queue_is_dropped_and_its_retransmission_gets_in) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  listener.backlog = 1;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t ca = cookie_for(kA, kPeerIss, 0);
  const uint32_t cb = cookie_for(kB, kPeerIss, 0);
  sent.clear();
  ASSERT_EQ(arrive(kA, In(kAck, kPeerIss + 1, ca + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(listener.accept_queued, 1u);

  now += 200 * kMsec;
  EXPECT_EQ(arrive(kB, In(kAck | kPsh, kPeerIss + 1, cb + 1).data("hello")),
            ListenVerdict::kAcceptOverflow);
  expect_nothing();
  EXPECT_FALSE(live(kB));  // nothing kept: the cookie is the state
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  EXPECT_EQ(ctx.cnt.cookies_validated, 2u);
  EXPECT_EQ(listener.half_open, 0u);

  // The client retransmits its data (its ACK carries the same cookie) after the app made room.
  app_accept();
  now += 1 * kSec;
  EXPECT_EQ(arrive(kB, In(kAck | kPsh, kPeerIss + 1, cb + 1).data("hello")),
            ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(kB).tcb.state, State::kEstablished);
  EXPECT_EQ(conn(kB).received, "hello");
  expect(kB, Out(kAck, cb + 1, kPeerIss + 6));
  EXPECT_EQ(listener.accept_queued, 1u);
}

TEST_F(ListenerBacklog, cookie_ack_with_a_full_queue_and_abort_on_overflow_gets_a_rst) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  ctx.cfg.abort_on_overflow = true;
  listener.backlog = 1;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t ca = cookie_for(kA, kPeerIss, 0);
  const uint32_t cb = cookie_for(kB, kPeerIss, 0);
  sent.clear();
  ASSERT_EQ(arrive(kA, In(kAck, kPeerIss + 1, ca + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, cb + 1)), ListenVerdict::kAcceptOverflow);
  expect(kB, Out(kRst, cb + 1));
  EXPECT_FALSE(live(kB));
  EXPECT_EQ(ctx.cnt.accept_overflows, 1u);
  EXPECT_EQ(ctx.cnt.rsts_sent, 1u);
}

TEST_F(ListenerBacklog, syn_while_the_queue_is_full_is_dropped_until_the_app_accepts) {
  listener.backlog = 1;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  arrive(kA, In(kAck, kPeerIss + 1, conn(kA).tcb.snd_una.v + 1));
  ASSERT_EQ(listener.accept_queued, 1u);
  sent.clear();
  // A SYN-ACK now could only lead to an ACK we cannot admit; the client retries its SYN (Linux).
  EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kAcceptOverflow);
  ctx.cfg.syncookies = CookieMode::kAlways;  // cookies change nothing about that
  EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kAcceptOverflow);
  expect_nothing();
  EXPECT_FALSE(live(kB));
  EXPECT_EQ(ctx.cnt.syn_accept_full_drops, 2u);
  EXPECT_EQ(ctx.cnt.syns_received, 3u);
  EXPECT_EQ(ctx.cnt.accept_overflows, 0u);  // that counts completing ACKs only
  EXPECT_EQ(ctx.cnt.cookies_sent, 0u);

  app_accept();
  ctx.cfg.syncookies = CookieMode::kAuto;
  EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  EXPECT_EQ(conn(kB).tcb.state, State::kSynReceived);
}

}  // namespace
}  // namespace ts::tcp::testing
