// Series: the per-interval lines printed during a run and the JSON's series hold the same
// points, so that both add up to the totals, the run's last sliver included.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "series.h"

using ts::cps::Interval;
using ts::cps::Series;
using ts::cps::Totals;

namespace {

Totals done(uint64_t completed) {
  Totals t;
  t.completed = t.attempted = completed;
  return t;
}

uint64_t sum(const std::vector<Interval>& s) {
  uint64_t n = 0;
  for (const Interval& i : s) n += i.completed;
  return n;
}

}  // namespace

// A run of 2.3 s at 1-s lines: two full lines, then the last 0.3 s, printed as a partial line
// once the run is over; the JSON has those three points and no other.
TEST(Series, the_last_sliver_is_a_partial_line_as_in_the_json) {
  Series s;
  std::vector<std::string> lines;
  auto print = [&] { for (auto& l : s.take_lines()) lines.push_back(l); };
  s.add(done(100), 1.0);
  print();
  s.add(done(250), 2.0);
  print();
  s.close(done(280), 2.3);
  print();
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_EQ(s.points().size(), 3u);
  EXPECT_EQ(sum(s.points()), 280u);
  EXPECT_FALSE(s.points()[1].partial);
  EXPECT_TRUE(s.points()[2].partial);
  EXPECT_EQ(s.points()[2].completed, 30u);
  EXPECT_EQ(lines[1].find("partial"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("| partial: the last 0.300 s"), std::string::npos) << lines[2];
}

// A sliver under 50 ms after a printed line: still a point of its own (the printed line stays as
// it was shown), not folded into the line already printed, which the JSON would then differ from.
TEST(Series, a_printed_line_is_never_restated) {
  Series s;
  s.add(done(100), 1.0);
  const std::vector<std::string> first = s.take_lines();
  ASSERT_EQ(first.size(), 1u);
  s.close(done(104), 1.02);
  const std::vector<std::string> rest = s.take_lines();
  ASSERT_EQ(rest.size(), 1u);
  ASSERT_EQ(s.points().size(), 2u);
  EXPECT_EQ(s.points()[0].completed, 100u);  // as printed
  EXPECT_EQ(first[0], ts::cps::interval_line(s.points()[0]));
  EXPECT_EQ(s.points()[1].completed, 4u);
  EXPECT_TRUE(s.points()[1].partial);
  EXPECT_EQ(rest[0], ts::cps::interval_line(s.points()[1]));
}

// Without lines (--stats-interval 0) nothing is printed, and a sliver under 50 ms still goes into
// the last point (a sliver of an interval would plot as a spike of its rate); closing again with
// later totals restates that point, never adding one.
TEST(Series, unprinted_a_sliver_stretches_the_last_point_and_a_second_close_restates_it) {
  Series s;
  s.add(done(100), 1.0);
  s.add(done(200), 2.0);
  s.close(done(205), 2.03);
  ASSERT_EQ(s.points().size(), 2u);
  EXPECT_EQ(s.points()[1].completed, 105u);
  EXPECT_NEAR(s.points()[1].seconds, 1.03, 1e-9);
  s.close(done(207), 2.03);
  ASSERT_EQ(s.points().size(), 2u);
  EXPECT_EQ(sum(s.points()), 207u);
  Series p;
  p.add(done(100), 1.0);
  p.close(done(150), 1.5);
  p.close(done(151), 1.5);
  ASSERT_EQ(p.points().size(), 2u);
  EXPECT_TRUE(p.points()[1].partial);
  EXPECT_EQ(p.points()[1].completed, 51u);
}

// A run that ends before its first line: one partial point, printed as such.
TEST(Series, a_run_shorter_than_a_step_is_one_partial_line) {
  Series s;
  s.close(done(7), 0.4);
  const std::vector<std::string> lines = s.take_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("partial: the last 0.400 s"), std::string::npos) << lines[0];
  EXPECT_EQ(sum(s.points()), 7u);
}
