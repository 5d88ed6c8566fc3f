// SYN cookies at the listener (RFC 4987 §3.6): when a SYN gets a cookie instead of a block, what
// the cookie SYN-ACK carries, and what becomes of the ACK that comes back.
#include <random>

#include "listener_harness.h"

namespace ts::tcp::testing {
namespace {

using ListenerCookie = ListenerHarness;

const FourTuple kA = client(40000);
const FourTuple kB = client(40001);
const FourTuple kC = client(40002);

TEST_F(ListenerCookie, auto_mode_syn_over_the_half_open_bound_gets_a_cookie_and_no_block) {
  ASSERT_EQ(ctx.cfg.syncookies, CookieMode::kAuto);  // the default
  listener.max_half_open = 4;
  for (uint16_t i = 0; i < 4; ++i) {
    const FourTuple t = client(41000 + i);
    EXPECT_EQ(arrive(t, In(kSyn, kPeerIss).mss(1460)), ListenVerdict::kOpen);
    ASSERT_TRUE(live(t));
    EXPECT_EQ(conn(t).tcb.state, State::kSynReceived);
    expect(t, Out(kSyn | kAck, conn(t).tcb.snd_una.v, kPeerIss + 1).mss(1460));
  }
  EXPECT_EQ(listener.half_open, 4u);

  now = 3 * kSec;
  EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss).mss(1400)), ListenVerdict::kCookieSynAck);
  const uint32_t cookie = cookie_for(kA, kPeerIss, 1400);
  expect(kA, Out(kSyn | kAck, cookie, kPeerIss + 1).mss(1460));
  // The sequence number is a cookie of ours, carrying the table MSS for 1400.
  const CookieResult r =
      cookie_check(ctx.cookie_secrets, kA, kPeerIss, cookie, cookie_counter(now));
  EXPECT_EQ(r.status, CookieStatus::kValid);
  EXPECT_EQ(r.mss, 1300);
  // Nothing allocated.
  EXPECT_FALSE(live(kA));
  EXPECT_EQ(live_blocks(), 4u);
  EXPECT_EQ(listener.half_open, 4u);
  EXPECT_EQ(ctx.cnt.syns_received, 5u);
  EXPECT_EQ(ctx.cnt.synacks_sent, 5u);
  EXPECT_EQ(ctx.cnt.cookies_sent, 1u);
  EXPECT_EQ(ctx.cnt.passive_opens, 4u);
  EXPECT_EQ(ctx.cnt.half_open_drops, 0u);
}

TEST_F(ListenerCookie, cookie_ack_with_timestamps_opens_with_the_mss_window_scale_and_sack) {
  options_on();
  listener.max_half_open = 0;  // the bound is reached from the start
  now = 10 * kSec;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss).mss(1400).ws(7).sack_ok().ts(700, 0)),
            ListenVerdict::kCookieSynAck);
  const uint32_t cookie = cookie_for(kA, kPeerIss, 1400);
  const CookieOptions asked{.wscale_ok = true, .wscale = 7, .sack_ok = true};
  const uint32_t tsval = cookie_tsval(now_ms() + cookie, asked);
  expect(kA, Out(kSyn | kAck, cookie, kPeerIss + 1).mss(1460).ws(0).sack_ok().ts(tsval, 700));
  EXPECT_EQ(cookie_ts_decode(tsval), asked);
  EXPECT_LE(now_ms() + cookie - tsval, 63u);  // at most 63 ms behind our clock, never ahead
  EXPECT_FALSE(live(kA));

  now += 30 * kMsec;
  const std::string req = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(arrive(kA, In(kAck | kPsh, kPeerIss + 1, cookie + 1).win(100).ts(730, tsval).data(req)),
            ListenVerdict::kCookieOpen);
  ASSERT_TRUE(live(kA));
  const Tcb& t = conn(kA).tcb;
  EXPECT_EQ(t.state, State::kEstablished);
  EXPECT_EQ(t.snd_mss, 1300 - 12);  // the table's MSS, less the timestamp option
  EXPECT_TRUE(t.has(tcbf::kWindowScale));
  EXPECT_EQ(t.snd_wscale, 7);
  EXPECT_EQ(t.snd_wnd, 100u << 7);
  EXPECT_TRUE(t.has(tcbf::kSackOk));
  EXPECT_TRUE(t.has(tcbf::kTimestamps));
  EXPECT_EQ(conn(kA).received, req);
  EXPECT_TRUE(conn(kA).events & ev::kAcceptReady);
  // Our clock goes on from the cookie SYN-ACK's: TSval never went backwards.
  expect(kA, Out(kAck, cookie + 1, kPeerIss + 1 + uint32_t(req.size())).ts(now_ms() + cookie, 730));
  EXPECT_EQ(ctx.cnt.cookies_validated, 1u);
  EXPECT_EQ(ctx.cnt.established, 1u);
  EXPECT_EQ(listener.accept_queued, 1u);
  EXPECT_EQ(listener.half_open, 0u);
}

TEST_F(ListenerCookie, cookie_without_timestamps_offers_and_keeps_only_the_mss) {
  options_on();
  listener.max_half_open = 0;
  // The client asks for window scaling and SACK, but without a timestamp nothing can carry them
  // through the handshake: the cookie SYN-ACK must not offer them.
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss).mss(1460).ws(7).sack_ok()),
            ListenVerdict::kCookieSynAck);
  const uint32_t cookie = cookie_for(kA, kPeerIss, 1460);
  expect(kA, Out(kSyn | kAck, cookie, kPeerIss + 1).mss(1460));
  ASSERT_EQ(arrive(kA, In(kAck, kPeerIss + 1, cookie + 1).win(1000)), ListenVerdict::kCookieOpen);
  const Tcb& t = conn(kA).tcb;
  EXPECT_EQ(t.state, State::kEstablished);
  EXPECT_EQ(t.snd_mss, 1460);
  EXPECT_FALSE(t.has(tcbf::kWindowScale));
  EXPECT_FALSE(t.has(tcbf::kSackOk));
  EXPECT_FALSE(t.has(tcbf::kTimestamps));
  EXPECT_EQ(t.snd_wnd, 1000u);  // unscaled
  expect_nothing();             // a pure ACK with no data needs no answer

  // No MSS option at all: the RFC's default, 536.
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t cookie_b = cookie_for(kB, kPeerIss, 0);
  expect(kB, Out(kSyn | kAck, cookie_b, kPeerIss + 1).mss(1460));
  ASSERT_EQ(arrive(kB, In(kAck, kPeerIss + 1, cookie_b + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(kB).tcb.snd_mss, 536);
}

TEST_F(ListenerCookie, always_mode_uses_cookies_from_the_first_syn) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  ASSERT_EQ(listener.half_open, 0u);
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss).mss(1460)), ListenVerdict::kCookieSynAck);
  const uint32_t cookie = cookie_for(kA, kPeerIss, 1460);
  expect(kA, Out(kSyn | kAck, cookie, kPeerIss + 1).mss(1460));
  EXPECT_EQ(live_blocks(), 0u);
  ASSERT_EQ(arrive(kA, In(kAck, kPeerIss + 1, cookie + 1).data("x")), ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);
  EXPECT_EQ(conn(kA).received, "x");
  expect(kA, Out(kAck, cookie + 1, kPeerIss + 2));
  EXPECT_EQ(ctx.cnt.passive_opens, 1u);
}

TEST_F(ListenerCookie, off_mode_drops_the_syn_over_the_bound_and_counts_it) {
  ctx.cfg.syncookies = CookieMode::kOff;
  listener.max_half_open = 2;
  EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  sent.clear();
  EXPECT_EQ(arrive(kC, In(kSyn, kPeerIss)), ListenVerdict::kHalfOpenFull);
  expect_nothing();
  EXPECT_FALSE(live(kC));
  EXPECT_EQ(live_blocks(), 2u);
  EXPECT_EQ(ctx.cnt.half_open_drops, 1u);
  EXPECT_EQ(ctx.cnt.syns_received, 3u);
  EXPECT_EQ(ctx.cnt.cookies_sent, 0u);
}

TEST_F(ListenerCookie, forged_cookie_ack_is_dropped_silently_and_counted) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t cookie = cookie_for(kA, kPeerIss, 0);
  sent.clear();
  // Wrong cookie; right cookie from another tuple (a replay); right cookie, other client ISN.
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, cookie + 2)), ListenVerdict::kDrop);
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, cookie + 1)), ListenVerdict::kDrop);
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 2, cookie + 1).data("x")), ListenVerdict::kDrop);
  expect_nothing();  // no RST: a flood of spoofed ACKs is not reflected (as Linux)
  EXPECT_EQ(live_blocks(), 0u);
  EXPECT_EQ(ctx.cnt.cookies_forged, 3u);
  EXPECT_EQ(ctx.cnt.cookies_validated, 0u);
  EXPECT_EQ(ctx.cnt.rsts_sent, 0u);
  // The genuine ACK still gets in.
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, cookie + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);
}

TEST_F(ListenerCookie, ack_at_a_listener_without_cookies_out_gets_the_rfc_rst) {
  // No cookie sent yet: no hash is spent, the ACK gets <SEQ=SEG.ACK><CTL=RST> (RFC 9293).
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, 777)), ListenVerdict::kReset);
  expect(kA, Out(kRst, 777));
  EXPECT_EQ(ctx.cnt.listen_resets, 1u);
  EXPECT_EQ(ctx.cnt.cookies_forged, 0u);

  // Once the last cookie sent can no longer be valid, the same holds again.
  ctx.cfg.syncookies = CookieMode::kAlways;
  now = 5 * kSec;
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  sent.clear();
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, 777)), ListenVerdict::kDrop);  // might be a cookie
  now = listener.cookies_live_until;
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, 777)), ListenVerdict::kReset);
  expect(kA, Out(kRst, 777));
  EXPECT_EQ(ctx.cnt.cookies_forged, 1u);
  EXPECT_EQ(ctx.cnt.listen_resets, 2u);
}

TEST_F(ListenerCookie, cookie_is_valid_for_its_tick_and_the_next_then_stale_and_reset) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  now = 5 * kCookieTick + 1;  // tick 5
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t ca = cookie_for(kA, kPeerIss, 0);
  const uint32_t cb = cookie_for(kB, kPeerIss, 0);
  sent.clear();
  now = 7 * kCookieTick - 1;  // last moment of tick 6
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, ca + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);
  ASSERT_EQ(arrive(kC, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);  // still flooded
  sent.clear();
  now = 7 * kCookieTick;  // tick 7: B's cookie is two ticks old
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, cb + 1).data("late")), ListenVerdict::kReset);
  // A genuine cookie: the client did get our SYN-ACK, so it is told now rather than left to
  // time out.
  expect(kB, Out(kRst, cb + 1));
  EXPECT_FALSE(live(kB));
  EXPECT_EQ(ctx.cnt.cookies_stale, 1u);
  EXPECT_EQ(ctx.cnt.cookies_forged, 0u);
  EXPECT_EQ(ctx.cnt.cookies_validated, 1u);
}

TEST_F(ListenerCookie, key_rotates_once_per_period_and_a_cookie_survives_one_rotation) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  const SipKey k0 = ctx.cookie_secrets.current;
  now = kCookieRotatePeriod - kSec;
  ASSERT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  EXPECT_EQ(ctx.cnt.cookie_rotations, 0u);  // not due yet
  const uint32_t ca = cookie_for(kA, kPeerIss, 0);
  sent.clear();

  now = kCookieRotatePeriod + kSec;
  EXPECT_EQ(arrive(kA, In(kAck, kPeerIss + 1, ca + 1)), ListenVerdict::kCookieOpen);
  EXPECT_EQ(ctx.cnt.cookie_rotations, 1u);  // rotated before the check...
  EXPECT_EQ(ctx.cookie_secrets.previous, k0);
  EXPECT_NE(ctx.cookie_secrets.current, k0);
  EXPECT_EQ(conn(kA).tcb.state, State::kEstablished);  // ...and the previous key still holds

  // Not again within the period.
  ASSERT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  const uint32_t cb = cookie_for(kB, kPeerIss, 0);
  now += kCookieRotatePeriod - 2 * kSec;
  EXPECT_EQ(arrive(kC, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  EXPECT_EQ(ctx.cnt.cookie_rotations, 1u);
  EXPECT_EQ(keys_drawn, 1u);
  sent.clear();

  // Two rotations (more than time ever allows within a cookie's life): B's key is gone, and its
  // ACK is indistinguishable from a forgery.
  ASSERT_EQ(cookie_check(ctx.cookie_secrets, kB, kPeerIss, cb, cookie_counter(now)).status,
            CookieStatus::kValid);  // young enough still
  cookie_rotate(ctx.cookie_secrets, fresh_key());
  cookie_rotate(ctx.cookie_secrets, fresh_key());
  const CookieResult r = cookie_check(ctx.cookie_secrets, kB, kPeerIss, cb, cookie_counter(now));
  EXPECT_EQ(r.status, CookieStatus::kForged);
  EXPECT_EQ(arrive(kB, In(kAck, kPeerIss + 1, cb + 1)), ListenVerdict::kDrop);
  EXPECT_FALSE(live(kB));
  EXPECT_EQ(ctx.cnt.cookies_forged, 1u);
}

TEST_F(ListenerCookie, auto_mode_returns_to_blocks_once_half_open_entries_drain) {
  listener.max_half_open = 1;
  EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss)), ListenVerdict::kCookieSynAck);
  advance(120 * kSec);  // A never answers: SYN-ACK retries run out, the block goes
  EXPECT_FALSE(live(kA));
  EXPECT_EQ(conn(kA).reason, CloseReason::kHandshakeTimeout);
  EXPECT_EQ(listener.half_open, 0u);
  EXPECT_EQ(arrive(kC, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
  EXPECT_EQ(ctx.cnt.cookies_sent, 1u);
}

TEST_F(ListenerCookie, syn_reopening_time_wait_never_gets_a_cookie) {
  ctx.cfg.syncookies = CookieMode::kAlways;
  EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss), /*tw_reopen=*/true), ListenVerdict::kOpen);
  EXPECT_EQ(conn(kA).tcb.state, State::kSynReceived);
  EXPECT_EQ(ctx.cnt.cookies_sent, 0u);
}

// Linux's tcp_conn_request admits a SYN carrying a TIME-WAIT ISN past a full SYN queue: dropping
// it would cost the client a SYN retransmission (1 s) for a tuple that already proved itself.
TEST_F(ListenerCookie, syn_reopening_time_wait_is_admitted_past_a_full_half_open_bound) {
  for (CookieMode mode : {CookieMode::kOff, CookieMode::kAuto}) {
    ctx.cfg.syncookies = mode;
    conns.clear();
    listener = Listener{};
    listener.max_half_open = 1;
    ctx.cnt = Counters{};
    EXPECT_EQ(arrive(kA, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
    sent.clear();
    EXPECT_EQ(arrive(kB, In(kSyn, kPeerIss), /*tw_reopen=*/true), ListenVerdict::kOpen);
    EXPECT_EQ(conn(kB).tcb.state, State::kSynReceived);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].second.flags, kSyn | kAck);
    EXPECT_EQ(ctx.cnt.half_open_drops, 0u);
    EXPECT_EQ(ctx.cnt.cookies_sent, 0u);
    // A fresh SYN still meets the bound.
    sent.clear();
    EXPECT_NE(arrive(kC, In(kSyn, kPeerIss)), ListenVerdict::kOpen);
    EXPECT_FALSE(live(kC));
  }
}

// A flood of spoofed SYNs costs at most the half-open bound in blocks, while a real client that
// arrives in the middle of it connects; then a flood of random ACKs opens nothing.
TEST_F(ListenerCookie, syn_flood_is_bounded_and_a_real_client_still_connects) {
  listener.max_half_open = 64;
  std::mt19937 rng(4987);
  const FourTuple real = client(50000, 0xc6130001);
  uint32_t real_cookie = 0;
  for (int i = 0; i < 20000; ++i) {
    now += 50;  // 20000 SYNs/s
    if (i == 10000) {
      ASSERT_EQ(arrive(real, In(kSyn, kPeerIss).mss(1460)), ListenVerdict::kCookieSynAck);
      real_cookie = cookie_for(real, kPeerIss, 1460);
      continue;
    }
    const FourTuple spoofed = client(uint16_t(rng()), 0xc6120000 | (rng() & 0xffff));
    arrive(spoofed, In(kSyn, rng()).mss(1460));
  }
  EXPECT_EQ(live_blocks(), 64u);
  EXPECT_EQ(listener.half_open, 64u);
  EXPECT_EQ(ctx.cnt.cookies_sent, 20000u - 64u);
  EXPECT_EQ(ctx.cnt.half_open_drops, 0u);
  now += 40 * kMsec;
  ASSERT_EQ(arrive(real, In(kAck, kPeerIss + 1, real_cookie + 1).data("hi")),
            ListenVerdict::kCookieOpen);
  EXPECT_EQ(conn(real).tcb.state, State::kEstablished);
  EXPECT_EQ(conn(real).received, "hi");

  sent.clear();
  const uint64_t blocks = live_blocks();
  for (int i = 0; i < 100000; ++i) {
    const FourTuple spoofed = client(uint16_t(rng()), 0xc6120000 | (rng() & 0xffff));
    arrive(spoofed, In(kAck, rng(), rng()));
  }
  EXPECT_EQ(live_blocks(), blocks);
  EXPECT_EQ(ctx.cnt.cookies_forged, 100000u);
  EXPECT_EQ(ctx.cnt.cookies_validated, 1u);
  expect_nothing();
}

}  // namespace
}  // namespace ts::tcp::testing
