#include <gtest/gtest.h>

#include <random>

#include "tcp/syncookie.h"

namespace ts::tcp {
namespace {

constexpr FourTuple kTuple{0xC6120001, 0xC6120102, 80, 40000};
constexpr uint32_t kClientIsn = 0x12345678;
const CookieSecrets kSecrets{{0x1111222233334444, 0x5555666677778888},
                             {0x9999aaaabbbbcccc, 0xddddeeeeffff0000}};

CookieResult check_at(const CookieSecrets& s, uint32_t cookie, uint32_t counter,
                      const FourTuple& t = kTuple, uint32_t isn = kClientIsn) {
  return cookie_check(s, t, isn, cookie, counter);
}

TEST(SynCookie, mss_table_is_sorted_and_starts_at_the_rfc_minimum) {
  EXPECT_EQ(kCookieMss[0], 536);
  for (int i = 1; i < kCookieMssCount; i++) EXPECT_LT(kCookieMss[i - 1], kCookieMss[i]);
}

TEST(SynCookie, peer_mss_maps_to_the_largest_entry_not_above_it) {
  EXPECT_EQ(cookie_mss_index(0), 0);  // no MSS option: the default 536
  EXPECT_EQ(cookie_mss_index(500), 0);
  EXPECT_EQ(cookie_mss_index(536), 0);
  EXPECT_EQ(cookie_mss_index(1299), 0);
  EXPECT_EQ(cookie_mss_index(1300), 1);
  EXPECT_EQ(cookie_mss_index(1452), 2);  // PPPoE
  EXPECT_EQ(cookie_mss_index(1460), 3);
  EXPECT_EQ(cookie_mss_index(8960), 3);  // jumbo frames still get 1460
}

TEST(SynCookie, round_trip_for_every_mss_index_and_option_combination) {
  std::mt19937 rng(1);
  const uint32_t counter = cookie_counter(3 * kCookieTick + 5 * kSec);
  for (uint8_t mss = 0; mss < kCookieMssCount; mss++) {
    for (int ws = -1; ws <= 14; ws++) {
      for (int sack = 0; sack < 2; sack++) {
        for (int ecn = 0; ecn < 2; ecn++) {
          const CookieOptions opts{ws >= 0, uint8_t(ws >= 0 ? ws : 0), sack == 1, ecn == 1};
          const FourTuple t{uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())};
          const uint32_t isn = uint32_t(rng());
          const uint32_t cookie = cookie_make(kSecrets, t, isn, mss, counter);
          const uint32_t ts_now = uint32_t(rng());
          const uint32_t tsval = cookie_tsval(ts_now, opts);

          const CookieResult r = check_at(kSecrets, cookie, counter, t, isn);
          ASSERT_EQ(r.status, CookieStatus::kValid);
          EXPECT_EQ(r.mss_index, mss);
          EXPECT_EQ(r.mss, kCookieMss[mss]);
          EXPECT_EQ(cookie_ts_decode(tsval), opts);
          EXPECT_LT(ts_now - tsval, 64u);  // never ahead of our timestamp clock
        }
      }
    }
  }
}

TEST(SynCookie, valid_for_the_tick_it_was_made_in_and_the_next_then_stale) {
  const Time made = 1000 * kSec + 1;
  const uint32_t c = cookie_counter(made);
  const uint32_t cookie = cookie_make(kSecrets, kTuple, kClientIsn, 2, c);
  EXPECT_EQ(check_at(kSecrets, cookie, c).status, CookieStatus::kValid);
  // The last microsecond of the next tick is still fine: 64 to 128 s of life.
  const Time last = (Time(c) + 2) * kCookieTick - 1;
  EXPECT_EQ(check_at(kSecrets, cookie, cookie_counter(last)).status, CookieStatus::kValid);
  EXPECT_GE(last - made, 64 * kSec);
  EXPECT_LT(last - made, 128 * kSec);
  EXPECT_EQ(check_at(kSecrets, cookie, cookie_counter(last + 1)).status, CookieStatus::kStale);
  EXPECT_EQ(check_at(kSecrets, cookie, c + kCookieStaleHorizon - 1).status, CookieStatus::kStale);
  // Past the horizon it is not worth a hash: reported as forged.
  EXPECT_EQ(check_at(kSecrets, cookie, c + kCookieStaleHorizon).status, CookieStatus::kForged);
  // A full turn of the 8-bit count later the count field matches again, but the MAC covers the
  // whole counter.
  EXPECT_EQ(check_at(kSecrets, cookie, c + 256).status, CookieStatus::kForged);
  // From the future (clock went back, or a forgery): not valid.
  EXPECT_EQ(check_at(kSecrets, cookie, c - 1).status, CookieStatus::kForged);
}

TEST(SynCookie, changed_secret_tuple_or_client_isn_fails) {
  const uint32_t c = 77;
  const uint32_t cookie = cookie_make(kSecrets, kTuple, kClientIsn, 3, c);
  ASSERT_EQ(check_at(kSecrets, cookie, c).status, CookieStatus::kValid);

  const CookieSecrets other{{1, 2}, {3, 4}};
  EXPECT_EQ(check_at(other, cookie, c).status, CookieStatus::kForged);

  FourTuple t = kTuple;
  t.laddr ^= 1;
  EXPECT_EQ(check_at(kSecrets, cookie, c, t).status, CookieStatus::kForged);
  t = kTuple;
  t.raddr ^= 0x100;
  EXPECT_EQ(check_at(kSecrets, cookie, c, t).status, CookieStatus::kForged);
  t = kTuple;
  t.lport++;
  EXPECT_EQ(check_at(kSecrets, cookie, c, t).status, CookieStatus::kForged);
  t = kTuple;
  t.rport++;
  EXPECT_EQ(check_at(kSecrets, cookie, c, t).status, CookieStatus::kForged);

  EXPECT_EQ(check_at(kSecrets, cookie, c, kTuple, kClientIsn + 1).status, CookieStatus::kForged);
  // Neighbouring cookie values (an ACK off by one) fail too.
  EXPECT_EQ(check_at(kSecrets, cookie + 1, c).status, CookieStatus::kForged);
  EXPECT_EQ(check_at(kSecrets, cookie - 1, c).status, CookieStatus::kForged);
}

TEST(SynCookie, every_bit_of_the_cookie_is_checked) {
  const uint32_t c = 1234;
  for (uint8_t mss = 0; mss < kCookieMssCount; mss++) {
    const uint32_t cookie = cookie_make(kSecrets, kTuple, kClientIsn, mss, c);
    for (int bit = 0; bit < 32; bit++) {
      EXPECT_NE(check_at(kSecrets, cookie ^ (1u << bit), c).status, CookieStatus::kValid) << bit;
    }
  }
}

TEST(SynCookie, previous_secret_is_accepted_for_one_rotation_then_dropped) {
  CookieSecrets s = kSecrets;
  const uint32_t c = 500;
  const uint32_t cookie = cookie_make(s, kTuple, kClientIsn, 1, c);
  cookie_rotate(s, {0xaaaa, 0xbbbb});
  EXPECT_EQ(s.previous, kSecrets.current);
  const CookieResult r = check_at(s, cookie, c + 1);
  EXPECT_EQ(r.status, CookieStatus::kValid);
  EXPECT_EQ(r.mss, 1300);
  // New cookies use the new key.
  EXPECT_NE(cookie_make(s, kTuple, kClientIsn, 1, c + 1),
            cookie_make(kSecrets, kTuple, kClientIsn, 1, c + 1));
  cookie_rotate(s, {0xcccc, 0xdddd});
  EXPECT_EQ(check_at(s, cookie, c + 1).status, CookieStatus::kForged);
}

TEST(SynCookie, rotation_period_keeps_every_valid_cookie_verifiable) {
  // A cookie lives at most (kCookieMaxAge + 1) ticks; rotating no faster than that means its key is
  // at worst the previous one when it is checked.
  EXPECT_GE(kCookieRotatePeriod, (kCookieMaxAge + 1) * kCookieTick);
}

TEST(SynCookie, isn_looks_random_count_and_mss_are_not_visible) {
  // Same tick and MSS, consecutive client ports: the top byte of the cookie (where the count sits
  // before H0 is added) takes many values, as a random ISN would.
  bool seen[256] = {};
  int distinct = 0;
  for (uint32_t p = 0; p < 4096; p++) {
    FourTuple t = kTuple;
    t.rport = uint16_t(20000 + p);
    const uint32_t top = cookie_make(kSecrets, t, kClientIsn, 3, 9) >> 24;
    distinct += !seen[top];
    seen[top] = true;
  }
  EXPECT_GT(distinct, 250);
}

// One million random ACKs: random cookie values and client ISNs on random tuples. The cookie
// holds a 22-bit MAC, and the count field must fall in the 2 accepted values out of 256, under
// either of 2 keys: a forgery succeeds with probability at most 2 * 2^-7 * 2^-22 = 2^-28 per guess,
// so 10^6 guesses expect 0.0037 acceptances. We allow at most 1: P(>= 2) is below 10^-5 for a
// correct implementation, while a MAC 10 bits narrower (2^-18 per guess) would expect about 4.
TEST(SynCookie, one_million_random_acks_validate_no_more_than_the_mac_width_allows) {
  constexpr double kRatePerGuess = 1.0 / (1u << 28);
  constexpr int kGuesses = 1'000'000;
  static_assert(kGuesses * kRatePerGuess < 0.01);
  std::mt19937_64 rng(4987);
  int valid = 0, stale = 0;
  const uint32_t counter = 31337;
  for (int i = 0; i < kGuesses; i++) {
    const FourTuple t{uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())};
    const CookieResult r = cookie_check(kSecrets, t, uint32_t(rng()), uint32_t(rng()), counter);
    valid += r.status == CookieStatus::kValid;
    stale += r.status == CookieStatus::kStale;
  }
  EXPECT_LE(valid, 1);
  EXPECT_LE(stale, 1);  // "stale" also needs the MAC to match
}

TEST(SynCookie, a_replayed_cookie_does_not_open_other_tuples) {
  // An attacker holds a genuine cookie (its own connection) and replays it from a million
  // other source addresses and ports.
  const uint32_t counter = 4242;
  const uint32_t cookie = cookie_make(kSecrets, kTuple, kClientIsn, 3, counter);
  std::mt19937 rng(99);
  int valid = 0;
  for (int i = 0; i < 1'000'000; i++) {
    FourTuple t = kTuple;
    t.raddr = rng();
    t.rport = uint16_t(rng());
    valid += cookie_check(kSecrets, t, kClientIsn, cookie, counter).status == CookieStatus::kValid;
  }
  EXPECT_LE(valid, 1);
}

TEST(SynCookie, options_from_the_syn) {
  wire::TcpOptions syn;
  syn.has_wscale = true;
  syn.wscale = 7;
  syn.sack_permitted = true;
  EXPECT_EQ(cookie_options(syn, false), (CookieOptions{true, 7, true, false}));
  syn.wscale = 20;  // RFC 7323 §2.3: used as 14
  EXPECT_EQ(cookie_options(syn, true), (CookieOptions{true, 14, true, true}));
  EXPECT_EQ(cookie_options(wire::TcpOptions{}, false), CookieOptions{});
}

TEST(SynCookie, timestamp_bits_layout_matches_linux) {
  // bits 0-3 window scale (15: none), bit 4 SACK, bit 5 ECN.
  EXPECT_EQ(cookie_tsval(0x1000, {true, 7, false, false}) & 63, 7u);
  EXPECT_EQ(cookie_tsval(0x1000, {false, 0, false, false}) & 63, 15u);
  EXPECT_EQ(cookie_tsval(0x1000, {true, 0, true, false}) & 63, 16u);
  EXPECT_EQ(cookie_tsval(0x1000, {true, 14, true, true}) & 63, 14u | 16u | 32u);
  // At or below ts_now, within 64.
  EXPECT_EQ(cookie_tsval(0x1000 + 63, {true, 7, false, false}), 0x1007u);
  EXPECT_EQ(cookie_tsval(0x1000 + 3, {true, 7, false, false}), 0x1007u - 64);
  // Near zero the value wraps, as timestamps do.
  EXPECT_EQ(cookie_tsval(2, {true, 7, false, false}), 0xffffffc7u);
  // Every 6-bit value decodes.
  for (uint32_t v = 0; v < 64; v++) {
    const CookieOptions o = cookie_ts_decode(v);
    EXPECT_EQ(cookie_tsval(v, o), v);
  }
}

}  // namespace
}  // namespace ts::tcp
