// The server's stats line (lib/stats/format.cc), one per --stats-interval: every count on it is a
// rate over its interval. RSTs, retransmits, drops, cookies, half-open drops and accept-queue
// overflows were running totals since start, shown beside the rates as if they were the
// interval's own.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "stats/format.h"

using ts::stats::Counter;
using ts::stats::Snapshot;

namespace {

// `rate` a second of `k` over `secs` from a total of 1000 (a run that has seen some already).
void add(Snapshot& prev, Snapshot& now, Counter k, uint64_t rate, double secs) {
  prev.c[static_cast<size_t>(k)] = 1000;
  now.c[static_cast<size_t>(k)] = 1000 + static_cast<uint64_t>(rate * secs);
}

}  // namespace

TEST(StatsLine, counts_are_rates_over_the_interval_not_totals_since_start) {
  Snapshot prev, now;
  const std::pair<Counter, uint64_t> rates[] = {
      {Counter::tcp_rst_in, 3},        {Counter::tcp_rst_out, 5},     {Counter::tcp_retransmits, 7},
      {Counter::syncookies_ok, 11},    {Counter::syncookies_bad, 13}, {Counter::half_open_drops, 17},
      {Counter::accept_overflow, 19},  {Counter::drop_ip_checksum, 23}};
  for (const auto& [k, r] : rates) add(prev, now, k, r, 2.0);
  const std::string line = ts::stats::stats_line(now, prev, 2.0, 10.0);
  for (const char* want : {"rst in 3/s out 5/s", "retx 7/s", "ok 11/s bad 13/s", "half-open drops 17/s",
                           "accept ovf 19/s", "drops 23/s"})
    EXPECT_NE(line.find(want), std::string::npos) << "no '" << want << "' in: " << line;
  EXPECT_EQ(line.find("100"), std::string::npos) << "a total since start: " << line;
}

// A rate is rounded to a whole number only from 1 a second up: one retransmit in a 10 s interval
// is 0.1/s, not 0/s (which would hide it where the total showed it).
TEST(StatsLine, a_rare_event_in_a_long_interval_is_not_rounded_away) {
  Snapshot prev, now;
  add(prev, now, Counter::tcp_retransmits, 0, 10.0);
  now.c[static_cast<size_t>(Counter::tcp_retransmits)] += 1;
  const std::string line = ts::stats::stats_line(now, prev, 10.0, 10.0);
  EXPECT_NE(line.find("retx 0.1/s"), std::string::npos) << line;
  EXPECT_NE(line.find("drops 0/s"), std::string::npos) << line;
}
