// Histogram: bucket layout, percentiles within the promised precision, interval differences.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "histogram.h"

using ts::cps::Histogram;

TEST(Histogram, buckets_tile_the_value_range_without_gaps) {
  for (int i = 1; i < Histogram::kBuckets; i++) EXPECT_EQ(Histogram::lowest(i), Histogram::highest(i - 1) + 1) << i;
  for (uint64_t v : {0ull, 1ull, 15ull, 16ull, 17ull, 31ull, 32ull, 1000ull, 123456789ull, 1ull << 39}) {
    const int i = Histogram::index_of(v);
    EXPECT_LE(Histogram::lowest(i), v);
    EXPECT_GE(Histogram::highest(i), v);
  }
}

TEST(Histogram, bucket_width_is_at_most_a_sixteenth_of_its_values) {
  for (int i = Histogram::kSub; i < Histogram::kBuckets; i++) {
    const uint64_t w = Histogram::highest(i) - Histogram::lowest(i) + 1;
    EXPECT_LE(w * 16, Histogram::lowest(i)) << i;
  }
}

TEST(Histogram, huge_values_land_in_the_last_bucket) {
  EXPECT_EQ(Histogram::index_of(~uint64_t(0)), Histogram::kBuckets - 1);
}

TEST(Histogram, percentiles_of_a_uniform_spread_within_three_percent) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; v++) h.record(v * 10);  // 10 ns .. 1 ms
  const Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.total, 100000u);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double want = q * 1e6;
    EXPECT_NEAR(static_cast<double>(s.percentile(q)), want, want * 0.03) << q;
  }
  EXPECT_EQ(s.max, 1000000u);
  EXPECT_NEAR(s.mean(), 500005.0, 1.0);
}

TEST(Histogram, interval_difference_sees_only_the_new_values) {
  Histogram h;
  for (int i = 0; i < 1000; i++) h.record(100);
  const Histogram::Snapshot a = h.snapshot();
  for (int i = 0; i < 10; i++) h.record(50000);
  const Histogram::Snapshot d = h.snapshot().minus(a);
  EXPECT_EQ(d.total, 10u);
  EXPECT_NEAR(static_cast<double>(d.percentile(0.5)), 50000.0, 50000 * 0.03);
}

TEST(Histogram, empty_has_no_percentiles) {
  Histogram h;
  EXPECT_EQ(h.snapshot().percentile(0.99), 0u);
}
