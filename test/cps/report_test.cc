// median_cps: the median of a series' rates, whatever its step (--stats-interval).
#include <gtest/gtest.h>

#include <vector>

#include "report.h"

using ts::cps::Interval;

namespace {

std::vector<Interval> series(double step, std::vector<uint64_t> completed) {
  std::vector<Interval> s;
  for (uint64_t c : completed) {
    Interval i;
    i.seconds = step;
    i.completed = c;
    i.t = (s.empty() ? 0 : s.back().t) + step;
    s.push_back(i);
  }
  return s;
}

}  // namespace

// With intervals of 0.5 s or less, a fixed "longer than 0.5 s" left out every one: a median of 0.
TEST(MedianCps, quarter_second_intervals_count) {
  const auto s = series(0.25, {100, 250, 250, 250, 250, 10});
  EXPECT_DOUBLE_EQ(ts::cps::median_cps(s, 0.25), 1000);
}

TEST(MedianCps, a_sliver_at_the_end_is_left_out) {
  auto s = series(1.0, {1000, 1000});
  Interval sliver;
  sliver.seconds = 0.2;
  sliver.completed = 10;  // 50/s: noise
  s.push_back(sliver);
  EXPECT_DOUBLE_EQ(ts::cps::median_cps(s, 1.0), 1000);
}

TEST(MedianCps, first_and_last_left_out_when_there_are_enough) {
  const auto s = series(0.1, {1, 200, 300, 400, 1});
  EXPECT_DOUBLE_EQ(ts::cps::median_cps(s, 0.1), 3000);
}
