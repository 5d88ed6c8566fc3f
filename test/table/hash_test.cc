// The shard's digest: what goes into it. The ports word is built from the two ports (f3cc390, a
// code-generation fix): it must stay the packed form, pack_ports << 32 | rss, bit for bit.
#include "table/hash.h"

#include <gtest/gtest.h>

#include <random>

namespace ts::table::detail {
namespace {

uint64_t digest_from_packed(const tcp::FourTuple& t, uint32_t rss, Seed seed) {
  const uint64_t a = pack_addrs(t) ^ seed.k0;
  const uint64_t b = (uint64_t{pack_ports(t)} << 32 | rss) ^ seed.k1;
  __extension__ const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

TEST(Digest, mix_tuple_equals_the_packed_form) {
  const Seed seed{0x243f6a8885a308d3ull, 0x13198a2e03707344ull};
  const uint16_t edge[] = {0, 1, 80, 0x7fff, 0x8000, 0xffff};
  for (uint16_t lp : edge)
    for (uint16_t rp : edge) {
      const tcp::FourTuple t{0xc6120003, 0xc6120002, lp, rp};
      for (uint32_t rss : {0u, 1u, 0x80000000u, 0xffffffffu})
        ASSERT_EQ(digest(t, rss, seed, HashMode::kMixTuple), digest_from_packed(t, rss, seed))
            << lp << " " << rp << " " << rss;
    }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100'000; ++i) {
    const tcp::FourTuple t{static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng()),
                           static_cast<uint16_t>(rng()), static_cast<uint16_t>(rng())};
    const Seed s{rng(), rng()};
    const auto rss = static_cast<uint32_t>(rng());
    ASSERT_EQ(digest(t, rss, s, HashMode::kMixTuple), digest_from_packed(t, rss, s));
  }
}

// Every bit of either port moves the digest: a port bit lost in the word would put tuples that
// differ only there in the same bucket pair, with the same tag.
TEST(Digest, every_port_bit_counts) {
  const Seed seed{0x243f6a8885a308d3ull, 0x13198a2e03707344ull};
  const tcp::FourTuple base{0xc6120003, 0xc6120002, 0x8123, 0x0050};
  const uint64_t d0 = digest(base, 0x1234, seed, HashMode::kMixTuple);
  for (int bit = 0; bit < 16; ++bit) {
    tcp::FourTuple l = base, r = base;
    l.lport ^= static_cast<uint16_t>(1u << bit);
    r.rport ^= static_cast<uint16_t>(1u << bit);
    EXPECT_NE(digest(l, 0x1234, seed, HashMode::kMixTuple), d0) << "lport bit " << bit;
    EXPECT_NE(digest(r, 0x1234, seed, HashMode::kMixTuple), d0) << "rport bit " << bit;
  }
}

}  // namespace
}  // namespace ts::table::detail
