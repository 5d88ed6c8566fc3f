#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tcp/isn.h"
#include "tcp/seq.h"

namespace ts::tcp {
namespace {

constexpr IsnKey kKey{0x243f6a8885a308d3, 0x13198a2e03707344};
constexpr FourTuple kTuple{0xC6120001, 0xC6120102, 80, 40000};

TEST(Isn, is_clock_plus_keyed_hash_of_the_tuple) {
  // RFC 6528: ISN = M + F(tuple, secret), M in 4 us ticks.
  const Time now = 123'456'789;
  const uint32_t f = uint32_t(siphash_tuple(kKey, kTuple));
  EXPECT_EQ(make_isn(kKey, kTuple, now), uint32_t(now / 4) + f);
  EXPECT_EQ(make_isn(kKey, kTuple, 0), f);
}

TEST(Isn, same_tuple_advances_one_per_4_microseconds) {
  const Time t0 = 40 * kSec;  // a multiple of 4 us
  const uint32_t base = make_isn(kKey, kTuple, t0);
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + 3), base);  // within the same tick
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + 4), base + 1);
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + kMsec), base + 250);
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + kSec), base + 250'000);
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + 60 * kSec), base + 15'000'000);
  // The clock wraps with the sequence space, after 2^32 ticks (about 4.77 h).
  EXPECT_EQ(make_isn(kKey, kTuple, t0 + (Time(1) << 32) * 4), base);
}

TEST(Isn, a_later_incarnation_starts_ahead_of_the_earlier_one) {
  // Seq comparison: an ISN taken 1 s later is "after" the earlier one as long as the earlier
  // connection sent less than 250000 bytes per second on average.
  const Seq a(make_isn(kKey, kTuple, 10 * kSec));
  const Seq b(make_isn(kKey, kTuple, 11 * kSec));
  EXPECT_TRUE(b > a);
  EXPECT_EQ(b - a, 250'000);
}

TEST(Isn, every_tuple_field_changes_the_isn) {
  const Time now = 5 * kSec;
  const uint32_t base = make_isn(kKey, kTuple, now);
  FourTuple t = kTuple;
  t.laddr++;
  EXPECT_NE(make_isn(kKey, t, now), base);
  t = kTuple;
  t.raddr++;
  EXPECT_NE(make_isn(kKey, t, now), base);
  t = kTuple;
  t.lport++;
  EXPECT_NE(make_isn(kKey, t, now), base);
  t = kTuple;
  t.rport++;
  EXPECT_NE(make_isn(kKey, t, now), base);
  // Swapping the ends is another connection.
  const FourTuple swapped{kTuple.raddr, kTuple.laddr, kTuple.rport, kTuple.lport};
  EXPECT_NE(make_isn(kKey, swapped, now), base);
}

TEST(Isn, neighbouring_ports_give_unrelated_isns) {
  // An attacker who opens connections from port p learns nothing of port p+1's ISN: over 10000
  // consecutive ports at one instant, every ISN differs and they spread over the whole space.
  std::set<uint32_t> seen;
  uint32_t high_bit = 0;
  for (uint32_t p = 0; p < 10000; p++) {
    FourTuple t = kTuple;
    t.rport = uint16_t(30000 + p);
    const uint32_t isn = make_isn(kKey, t, 7 * kSec);
    seen.insert(isn);
    high_bit += isn >> 31;
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_GT(high_bit, 4700u);
  EXPECT_LT(high_bit, 5300u);
}

TEST(Isn, changes_with_the_key) {
  const Time now = 9 * kSec;
  IsnKey other = kKey;
  other.k1 ^= 1;
  EXPECT_NE(make_isn(other, kTuple, now), make_isn(kKey, kTuple, now));
  other = kKey;
  other.k0 ^= 1ull << 63;
  EXPECT_NE(make_isn(other, kTuple, now), make_isn(kKey, kTuple, now));
}

TEST(TsOffset, is_keyed_hash_of_the_address_pair_plus_the_origin_in_ms) {
  // SipHash-2-4 of laddr, raddr as 8 little-endian bytes, low 32 bits.
  const uint8_t m[8] = {0x01, 0x00, 0x12, 0xC6, 0x02, 0x01, 0x12, 0xC6};
  const auto h = uint32_t(siphash24(kKey, m, 8));
  EXPECT_EQ(make_ts_offset(kKey, kTuple.laddr, kTuple.raddr, 0), h);
  EXPECT_EQ(make_ts_offset(kKey, kTuple.laddr, kTuple.raddr, 5 * kSec + 999), h + 5000);
}

TEST(TsOffset, ports_do_not_change_it_addresses_and_the_key_do) {
  const uint32_t base = make_ts_offset(kKey, kTuple.laddr, kTuple.raddr, 0);
  EXPECT_NE(make_ts_offset(kKey, kTuple.laddr + 1, kTuple.raddr, 0), base);
  EXPECT_NE(make_ts_offset(kKey, kTuple.laddr, kTuple.raddr + 1, 0), base);
  EXPECT_NE(make_ts_offset(kKey, kTuple.raddr, kTuple.laddr, 0), base);
  IsnKey other = kKey;
  other.k0 ^= 1;
  EXPECT_NE(make_ts_offset(other, kTuple.laddr, kTuple.raddr, 0), base);
}

TEST(TsOffset, a_later_process_with_the_same_key_sends_newer_tsvals) {
  // Process 1 starts at 100 s on the shared clock and sends its last TSval 30 s in; process 2
  // starts at 131 s. Its first TSval on the pair is newer than process 1's last, so a peer that
  // holds TIME-WAIT from process 1 takes process 2's SYN as a new incarnation (RFC 6191).
  const uint32_t off1 = make_ts_offset(kKey, kTuple.laddr, kTuple.raddr, 100 * kSec);
  const uint32_t off2 = make_ts_offset(kKey, kTuple.laddr, kTuple.raddr, 131 * kSec);
  const uint32_t last1 = uint32_t(30 * kSec / kMsec) + off1;
  const uint32_t first2 = uint32_t(0) + off2;
  EXPECT_GT(int32_t(first2 - last1), 0);
  EXPECT_EQ(first2 - last1, 1000u);
}

}  // namespace
}  // namespace ts::tcp
