#include <gtest/gtest.h>

#include <random>

#include "tcp/siphash.h"

namespace ts::tcp {
namespace {

// The reference implementation's vectors_sip64: key 00 01 .. 0f, message 00 01 .. (len-1).
constexpr uint64_t kVectors[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};
constexpr SipKey kReferenceKey{0x0706050403020100, 0x0f0e0d0c0b0a0908};

TEST(SipHash, reference_vectors_for_every_length_up_to_63) {
  uint8_t msg[64];
  for (int i = 0; i < 64; i++) msg[i] = uint8_t(i);
  for (size_t len = 0; len < 64; len++) {
    EXPECT_EQ(siphash24(kReferenceKey, msg, len), kVectors[len]) << "len " << len;
  }
}

TEST(SipHash, paper_appendix_example) {
  // Appendix A of the paper: 15 bytes 00..0e under key 00..0f.
  const uint8_t msg[15] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  EXPECT_EQ(siphash24(kReferenceKey, msg, sizeof msg), 0xa129ca6149be45e5ull);
}

TEST(SipHash, usable_at_compile_time) {
  constexpr uint64_t h = [] {
    SipHash24 s(kReferenceKey);
    s.word(0x0706050403020100);
    return s.finish(0, 8);
  }();
  static_assert(h == 0x93f5f5799a932462);
}

// The tuple helpers hash the byte strings their comment promises.
void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = uint8_t(v >> (8 * i));
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}

TEST(SipHash, tuple_helpers_hash_the_documented_bytes) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; i++) {
    const SipKey key{rng(), rng()};
    const FourTuple t{uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())};
    const uint32_t a = uint32_t(rng()), b = uint32_t(rng());
    uint8_t m[20];
    put32(m, t.laddr);
    put32(m + 4, t.raddr);
    put16(m + 8, t.lport);
    put16(m + 10, t.rport);
    put32(m + 12, a);
    put32(m + 16, b);
    ASSERT_EQ(siphash_tuple(key, t), siphash24(key, m, 12));
    ASSERT_EQ(siphash_tuple(key, t, a), siphash24(key, m, 16));
    ASSERT_EQ(siphash_tuple(key, t, a, b), siphash24(key, m, 20));
  }
}

TEST(SipHash, a_shared_prefix_can_finish_several_ways) {
  SipHash24 s(kReferenceKey);
  s.word(0x0706050403020100);
  const uint64_t eight = s.finish(0, 8);
  const uint64_t nine = s.finish(0x08, 9);
  EXPECT_EQ(eight, kVectors[8]);
  EXPECT_EQ(nine, kVectors[9]);
}

TEST(SipHash, every_key_bit_changes_the_output) {
  const FourTuple t{0xC6120001, 0xC6120102, 80, 40000};
  const SipKey base{0x0123456789abcdef, 0xfedcba9876543210};
  const uint64_t h = siphash_tuple(base, t);
  for (int bit = 0; bit < 128; bit++) {
    SipKey k = base;
    (bit < 64 ? k.k0 : k.k1) ^= 1ull << (bit % 64);
    EXPECT_NE(siphash_tuple(k, t), h) << bit;
  }
}

}  // namespace
}  // namespace ts::tcp
