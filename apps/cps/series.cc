#include "series.h"

namespace ts::cps {

void Series::add(const Totals& now, double t) {
  points_.push_back(interval(now, at_last_, t, t - last_t_));
  at_before_ = at_last_;
  before_t_ = last_t_;
  at_last_ = now;
  last_t_ = t;
}

void Series::close(const Totals& final_totals, double t) {
  const bool last_open = !points_.empty() && shown_ < points_.size();
  if (last_open && (points_.back().partial || t - last_t_ <= 0.05)) {
    const bool partial = points_.back().partial;
    points_.back() = interval(final_totals, at_before_, t, t - before_t_);
    points_.back().partial = partial;
  } else {
    points_.push_back(interval(final_totals, at_last_, t, t - last_t_));
    points_.back().partial = true;
    at_before_ = at_last_;
    before_t_ = last_t_;
  }
  at_last_ = final_totals;
  last_t_ = t;
}

std::vector<std::string> Series::take_lines() {
  std::vector<std::string> lines;
  for (; shown_ < points_.size(); shown_++) lines.push_back(interval_line(points_[shown_]));
  return lines;
}

}  // namespace ts::cps
