#include "rss/reta.h"

#include <gtest/gtest.h>

#include <random>

namespace ts::rss {
namespace {

TEST(Reta, round_robin_fills_entries_in_turn) {
  const Reta r = Reta::round_robin(3);
  ASSERT_EQ(r.size(), 128u);
  EXPECT_EQ(r.nqueues(), 3);
  for (uint32_t i = 0; i < 128; i++) EXPECT_EQ(r.entries()[i], i % 3);
}

TEST(Reta, lookup_uses_the_low_bits_of_the_hash) {
  const Reta r = Reta::round_robin(3);
  EXPECT_EQ(r.queue_of(0), 0);
  EXPECT_EQ(r.queue_of(127), 127 % 3);
  EXPECT_EQ(r.queue_of(128), 0);                  // wraps to entry 0
  EXPECT_EQ(r.queue_of(0xffffff80u + 5), 5 % 3);  // only the low 7 bits count
  std::mt19937 rng(1);
  for (int i = 0; i < 10000; i++) {
    const uint32_t h = rng();
    ASSERT_EQ(r.queue_of(h), (h & 127) % 3);
  }
}

TEST(Reta, round_robin_differs_from_modulo_when_queues_do_not_divide_the_table) {
  const Reta table = Reta::round_robin(3), mod = Reta::modulo(3);
  EXPECT_EQ(mod.size(), 0u);
  EXPECT_EQ(mod.queue_of(128), 128 % 3);
  EXPECT_NE(table.queue_of(128), mod.queue_of(128));
  // With a power-of-two queue count that divides the table, both agree.
  const Reta t4 = Reta::round_robin(4), m4 = Reta::modulo(4);
  for (uint32_t h = 0; h < 4096; h++) ASSERT_EQ(t4.queue_of(h), m4.queue_of(h));
}

TEST(Reta, sizes_other_than_the_default) {
  const Reta r = Reta::round_robin(6, 512);
  EXPECT_EQ(r.size(), 512u);
  EXPECT_EQ(r.queue_of(511), 511 % 6);
  EXPECT_EQ(r.queue_of(512 + 7), 7 % 6);
}

TEST(Reta, programmed_table_is_used_as_given) {
  uint16_t entries[8] = {2, 2, 0, 1, 1, 1, 0, 2};
  const Reta r = Reta::from_entries(entries, 8);
  EXPECT_EQ(r.nqueues(), 3);
  for (uint32_t h = 0; h < 64; h++) EXPECT_EQ(r.queue_of(h), entries[h & 7]);
}

TEST(Reta, sizes_that_are_not_powers_of_two_round_down) {
  EXPECT_EQ(Reta::round_robin(2, 100).size(), 64u);
  EXPECT_EQ(Reta::round_robin(2, 4096).size(), Reta::kMaxSize);
  EXPECT_EQ(Reta::round_robin(0).nqueues(), 1);
  EXPECT_EQ(Reta::round_robin(0).queue_of(77), 0);
}

}  // namespace
}  // namespace ts::rss
