#include "rss/toeplitz.h"

#include <gtest/gtest.h>

#include <random>

namespace ts::rss {
namespace {

constexpr uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | d;
}

// Microsoft's "Verifying the RSS Hash Calculation" IPv4 table (the same five tuples are in the
// Intel 82599 datasheet and DPDK's test_thash.c). Source is the sender, as the NIC sees it.
struct Vector {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint32_t hash_addrs, hash_4tuple;
};
constexpr Vector kVectors[] = {
    {ip(66, 9, 149, 187), ip(161, 142, 100, 80), 2794, 1766, 0x323e8fc2, 0x51ccc178},
    {ip(199, 92, 111, 2), ip(65, 69, 140, 83), 14230, 4739, 0xd718262a, 0xc626b0ea},
    {ip(24, 19, 198, 95), ip(12, 22, 207, 184), 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
    {ip(38, 27, 205, 30), ip(209, 142, 163, 6), 48228, 2217, 0x82989176, 0xafc7327f},
    {ip(153, 39, 163, 191), ip(202, 188, 127, 2), 44251, 1303, 0x5d1809c5, 0x10e828a2},
};

void to_bytes(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t out[12]) {
  for (int i = 0; i < 4; i++) {
    out[i] = uint8_t(src >> (24 - 8 * i));
    out[4 + i] = uint8_t(dst >> (24 - 8 * i));
  }
  out[8] = uint8_t(sport >> 8);
  out[9] = uint8_t(sport);
  out[10] = uint8_t(dport >> 8);
  out[11] = uint8_t(dport);
}

TEST(Toeplitz, microsoft_verification_suite_reference) {
  for (const Vector& v : kVectors) {
    uint8_t in[12];
    to_bytes(v.src, v.dst, v.sport, v.dport, in);
    EXPECT_EQ(toeplitz_reference(kMicrosoftKey, in, 8), v.hash_addrs);
    EXPECT_EQ(toeplitz_reference(kMicrosoftKey, in, 12), v.hash_4tuple);
  }
}

TEST(Toeplitz, microsoft_verification_suite_tables) {
  const Toeplitz t(kMicrosoftKey);
  for (const Vector& v : kVectors) {
    EXPECT_EQ(t.hash_v4_addrs(v.src, v.dst), v.hash_addrs);
    EXPECT_EQ(t.hash_v4(v.src, v.dst, v.sport, v.dport), v.hash_4tuple);
  }
}

TEST(Toeplitz, tables_match_reference_for_random_tuples_and_keys) {
  std::mt19937_64 rng(7);
  for (int k = 0; k < 4; k++) {
    Key key;
    for (auto& b : key) b = uint8_t(rng());
    if (k == 0) key = kSymmetricKey;
    const Toeplitz t(key);
    for (int i = 0; i < 2000; i++) {
      const uint32_t src = uint32_t(rng()), dst = uint32_t(rng());
      const uint16_t sport = uint16_t(rng()), dport = uint16_t(rng());
      uint8_t in[12];
      to_bytes(src, dst, sport, dport, in);
      ASSERT_EQ(t.hash_v4(src, dst, sport, dport), toeplitz_reference(key, in, 12));
      ASSERT_EQ(t.hash_v4_addrs(src, dst), toeplitz_reference(key, in, 8));
    }
  }
}

TEST(Toeplitz, symmetric_key_hashes_both_directions_alike) {
  const Toeplitz t(kSymmetricKey);
  std::mt19937 rng(11);
  for (int i = 0; i < 10000; i++) {
    const uint32_t a = rng(), b = rng();
    const uint16_t pa = uint16_t(rng()), pb = uint16_t(rng());
    ASSERT_EQ(t.hash_v4(a, b, pa, pb), t.hash_v4(b, a, pb, pa));
    ASSERT_EQ(t.hash_v4_addrs(a, b), t.hash_v4_addrs(b, a));
  }
}

TEST(Toeplitz, microsoft_key_is_not_symmetric) {
  const Toeplitz t(kMicrosoftKey);
  int differ = 0;
  for (const Vector& v : kVectors) {
    differ +=
        t.hash_v4(v.src, v.dst, v.sport, v.dport) != t.hash_v4(v.dst, v.src, v.dport, v.sport);
  }
  EXPECT_EQ(differ, 5);
}

TEST(Toeplitz, symmetric_key_is_0x6d5a_repeated) {
  for (size_t i = 0; i < kKeyLen; i += 2) {
    EXPECT_EQ(kSymmetricKey[i], 0x6d);
    EXPECT_EQ(kSymmetricKey[i + 1], 0x5a);
  }
}

TEST(Toeplitz, hash_is_linear_in_the_input) {
  // What makes the byte tables valid: h(x ^ y) == h(x) ^ h(y) ^ h(0).
  const Toeplitz t(kMicrosoftKey);
  EXPECT_EQ(t.hash_v4(0, 0, 0, 0), 0u);
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; i++) {
    const uint32_t a = rng(), b = rng(), c = rng(), d = rng();
    const uint16_t p = uint16_t(rng()), q = uint16_t(rng()), r = uint16_t(rng()),
                   s = uint16_t(rng());
    ASSERT_EQ(t.hash_v4(a ^ c, b ^ d, p ^ r, q ^ s), t.hash_v4(a, b, p, q) ^ t.hash_v4(c, d, r, s));
  }
}

}  // namespace
}  // namespace ts::rss
