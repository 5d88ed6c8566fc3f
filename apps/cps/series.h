// The per-interval series of a run, the same points on stdout (one line each) and in the JSON:
// a point once printed is final, so that the lines shown add up to the totals as the JSON's
// series does. The run's end cuts the last interval short: that point is marked partial.
#pragma once
#include <string>
#include <vector>

#include "report.h"

namespace ts::cps {

class Series {
 public:
  // The series counts from `base` (its CPU times; the counts are zeros, so that the series adds
  // up to the totals, the warm-up's few connections in its first interval).
  void start(const Totals& base) { at_last_ = base; }
  // A point for the interval from the last one to `t` (seconds since the start), ending at `now`.
  void add(const Totals& now, double t);
  // The run ended at `t` with `final_totals`: what came after the last point goes into a partial
  // one, or, when that point is not printed yet and at most 50 ms behind, into it (a sliver of an
  // interval would plot as a spike of its rate). Called again, it restates that last point.
  void close(const Totals& final_totals, double t);
  // The lines of the points not printed yet, each point's once; they are final from then on.
  std::vector<std::string> take_lines();

  const std::vector<Interval>& points() const { return points_; }
  bool empty() const { return points_.empty(); }

 private:
  std::vector<Interval> points_;
  size_t shown_ = 0;  // points printed: final
  // The totals and time of the last point, and of the one before it.
  Totals at_last_, at_before_;
  double last_t_ = 0, before_t_ = 0;
};

}  // namespace ts::cps
