// The tag match that every probe starts with: exact in every lane, whatever the neighbours hold.
#include "table/bucket.h"

#include <gtest/gtest.h>

#include <random>

namespace ts::table::detail {
namespace {

uint64_t lanes_by_loop(uint64_t word, uint16_t tag) {
  uint64_t out = 0;
  for (unsigned lane = 0; lane < 4; ++lane)
    if (static_cast<uint16_t>(word >> (16 * lane)) == tag) out |= uint64_t{0x8000} << (16 * lane);
  return out;
}

TEST(Bucket, tag_match_is_exact_in_every_lane) {
  // Values that provoke borrows and carries between lanes: 0, 1, 0x7fff, 0x8000, 0xffff.
  const uint16_t edge[] = {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff};
  for (uint16_t a : edge)
    for (uint16_t b : edge)
      for (uint16_t c : edge)
        for (uint16_t d : edge)
          for (uint16_t tag : edge) {
            const uint64_t w =
                uint64_t{a} | uint64_t{b} << 16 | uint64_t{c} << 32 | uint64_t{d} << 48;
            ASSERT_EQ(lanes_equal(w, tag), lanes_by_loop(w, tag)) << std::hex << w << " " << tag;
          }
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1'000'000; ++i) {
    uint64_t w = rng();
    const uint16_t tag = static_cast<uint16_t>(rng());
    // Plant the tag in some lanes so that matches are common.
    for (unsigned lane = 0; lane < 4; ++lane)
      if (rng() % 3 == 0)
        w = (w & ~(uint64_t{0xffff} << (16 * lane))) | uint64_t{tag} << (16 * lane);
    ASSERT_EQ(lanes_equal(w, tag), lanes_by_loop(w, tag));
  }
}

TEST(Bucket, slots_are_found_by_tag_and_full_key) {
  Bucket b{};
  EXPECT_EQ(empty_slot(b), 0);
  for (unsigned s = 0; s < kSlots; ++s) {
    set_tag(b, s, 0x1234);  // the same tag everywhere: only the key tells them apart
    b.ports[s].store(s, std::memory_order_relaxed);
    b.entries[s].addrs.store(100 + s, std::memory_order_relaxed);
  }
  EXPECT_EQ(empty_slot(b), -1);
  for (unsigned s = 0; s < kSlots; ++s) EXPECT_EQ(match_slot(b, 0x1234, 100 + s, s), int(s));
  EXPECT_EQ(match_slot(b, 0x1234, 100, 1), -1);
  EXPECT_EQ(match_slot(b, 0x1235, 100, 0), -1);
  set_tag(b, 5, 0);
  EXPECT_EQ(empty_slot(b), 5);
  EXPECT_EQ(match_slot(b, 0x1234, 105, 5), -1);
  EXPECT_EQ(tag_at(b, 4), 0x1234);
}

}  // namespace
}  // namespace ts::table::detail
