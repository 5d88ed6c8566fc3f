// median_cps: the median of a series' rates, whatever its step (--stats-interval), over the
// intervals of steady opening only; interval_line and the JSON: no connect-time figures for an
// interval without samples.
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
  EXPECT_DOUBLE_EQ(*ts::cps::median_cps(s, 0.25, 1.25), 1000);
}

TEST(MedianCps, a_sliver_at_the_end_is_left_out) {
  auto s = series(1.0, {1000, 1000});
  Interval sliver;
  sliver.seconds = 0.2;
  sliver.completed = 10;  // 50/s: noise
  sliver.t = 2.2;
  s.push_back(sliver);
  EXPECT_DOUBLE_EQ(*ts::cps::median_cps(s, 1.0, 2.2), 1000);
}

TEST(MedianCps, the_first_left_out_when_others_remain) {
  const auto s = series(0.1, {1, 200, 300, 400, 1});
  EXPECT_DOUBLE_EQ(*ts::cps::median_cps(s, 0.1, 0.4), 3000);
  EXPECT_DOUBLE_EQ(*ts::cps::median_cps(s, 0.1, 0.1), 10);  // the only one
}

// --duration 3 --rate 1000 --stats-interval 0.5 on a lossy wire: six steady intervals of 500, then
// the drain's, four of them as retransmissions trickle in. Their rates made the median 504/s.
TEST(MedianCps, the_drain_after_opening_stopped_is_left_out) {
  const auto s = series(0.5, {400, 500, 500, 500, 500, 500, 10, 4, 2, 1, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(*ts::cps::median_cps(s, 0.5, 3.0), 1000);
}

// Shorter than one interval: no interval of steady opening, no median (not a median of 0/s).
TEST(MedianCps, none_when_no_interval_ends_before_opening_stopped) {
  const auto s = series(1.0, {300, 2});
  EXPECT_FALSE(ts::cps::median_cps(s, 1.0, 0.4).has_value());
  EXPECT_FALSE(ts::cps::median_cps({}, 1.0, 5).has_value());
  ts::cps::RunInfo r;
  r.opened = 0.4;
  const nlohmann::json j = ts::cps::report_json(ts::cps::Options{}, ts::cps::Totals{}, r, s);
  EXPECT_TRUE(j["cps_median"].is_null()) << j["cps_median"];
  const std::string sum = ts::cps::summary(ts::cps::Options{}, ts::cps::Totals{}, r, s);
  EXPECT_NE(sum.find("median of intervals -\n"), std::string::npos) << sum;
}

namespace {

// An interval of `done` connections, `samples` of them with a connect time of 40 us.
Interval with_connects(uint64_t done, uint64_t samples) {
  ts::cps::Totals prev, now;
  now.completed = now.attempted = done;
  ts::cps::Histogram h;
  for (uint64_t k = 0; k < samples; k++) h.record(40000);
  now.hist = h.snapshot();
  return ts::cps::interval(now, prev, 1.0, 1.0);
}

}  // namespace

// An interval with no connect-time sample (the drain's, a stalled one) has no percentiles: "-" in
// its line and null in the JSON, not 0.0 us, which reads as a connect time.
TEST(IntervalLine, no_connect_samples_print_a_dash_not_zero) {
  const std::string none = ts::cps::interval_line(with_connects(0, 0));
  EXPECT_NE(none.find("| connect p50 - p99 - p99.9 - us |"), std::string::npos) << none;
  const std::string some = ts::cps::interval_line(with_connects(5, 5));
  EXPECT_EQ(some.find("p50 -"), std::string::npos) << some;
  EXPECT_NE(some.find("connect p50 4"), std::string::npos) << some;
}

TEST(ReportJson, an_interval_without_connect_samples_has_null_percentiles) {
  const std::vector<Interval> s{with_connects(5, 5), with_connects(0, 0)};
  const nlohmann::json j = ts::cps::report_json(ts::cps::Options{}, ts::cps::Totals{}, ts::cps::RunInfo{}, s);
  for (const char* k : {"connect_p50_us", "connect_p99_us", "connect_p999_us"}) {
    EXPECT_TRUE(j["series"][0][k].is_number()) << k;
    EXPECT_GT(j["series"][0][k].get<double>(), 0) << k;
    EXPECT_TRUE(j["series"][1][k].is_null()) << k << ": " << j["series"][1][k];
  }
}
