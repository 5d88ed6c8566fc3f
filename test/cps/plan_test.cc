// make_plans and sharing_problem: each lcore gets exactly its share of --requests (none being a
// share), and a --concurrency that cannot give every lcore one connection is refused;
// settle_concurrency and holding_problem: the default concurrency is what the blocks allow, and
// --hold end with more --requests than can be open at once is refused.
#include <gtest/gtest.h>

#include <string>

#include "plan.h"

using ts::cps::Options;

namespace {

Options with(uint64_t requests, uint32_t concurrency, bool concurrency_given) {
  Options o;
  o.requests = requests;
  o.concurrency = concurrency;
  o.concurrency_given = concurrency_given;
  return o;
}

constexpr uint32_t kBlocks = 65536;
constexpr uint64_t kHz = 1'000'000'000;

}  // namespace

TEST(Plan, requests_below_lcores_gives_the_rest_none_not_unbounded) {
  const auto plans = ts::cps::make_plans(with(1, 256, false), 2, kBlocks, kHz);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].quota, 1u);
  EXPECT_EQ(plans[1].quota, 0u);
}

TEST(Plan, requests_shared_to_the_last_one) {
  const auto plans = ts::cps::make_plans(with(10, 256, false), 4, kBlocks, kHz);
  ASSERT_EQ(plans.size(), 4u);
  uint64_t sum = 0;
  for (const auto& p : plans) sum += p.quota;
  EXPECT_EQ(sum, 10u);
  EXPECT_EQ(plans[0].quota, 3u);
  EXPECT_EQ(plans[3].quota, 2u);
}

TEST(Plan, no_requests_is_unbounded) {
  const auto plans = ts::cps::make_plans(with(0, 256, false), 2, kBlocks, kHz);
  ASSERT_EQ(plans.size(), 2u);
  for (const auto& p : plans) EXPECT_EQ(p.quota, ts::cps::kNoQuota);
}

TEST(Plan, concurrency_below_lcores_is_refused) {
  const std::string why = ts::cps::sharing_problem(with(0, 3, true), 4, kBlocks);
  EXPECT_NE(why.find("--concurrency 3 is below the 4 lcores"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos);
}

TEST(Plan, concurrency_of_one_per_lcore_is_kept_exactly) {
  EXPECT_EQ(ts::cps::sharing_problem(with(0, 4, true), 4, kBlocks), "");
  uint64_t sum = 0;
  for (const auto& p : ts::cps::make_plans(with(0, 4, true), 4, kBlocks, kHz)) sum += p.concurrency;
  EXPECT_EQ(sum, 4u);
}

TEST(Plan, concurrency_beyond_the_blocks_is_refused) {
  const std::string why = ts::cps::sharing_problem(with(0, 100000, true), 1, kBlocks);
  EXPECT_NE(why.find("--concurrency 100000 needs 100000 connection blocks per lcore; the profile gives 65536"),
            std::string::npos)
      << why;
}

TEST(Plan, default_concurrency_is_not_refused) {
  EXPECT_EQ(ts::cps::sharing_problem(with(0, 256, false), 512, kBlocks), "");
}

// The default concurrency (10,000 with a rate) above the blocks was reported as 10,000 while the
// lcores ran with the blocks' 100: it is lowered to them, --drain's default with it.
TEST(Plan, default_concurrency_is_settled_to_the_blocks) {
  Options o = with(0, 10000, false);
  o.hold_to_end = true;
  o.timeout = 5;
  o.drain = ts::cps::default_drain(o);
  ts::cps::settle_concurrency(&o, 1, 100);
  EXPECT_EQ(o.concurrency, 100u);
  EXPECT_DOUBLE_EQ(o.drain, 5 + 0.1);
  o = with(0, 10000, false);
  ts::cps::settle_concurrency(&o, 4, 100);
  EXPECT_EQ(o.concurrency, 400u);
  o = with(0, 256, false);
  ts::cps::settle_concurrency(&o, 512, kBlocks);
  EXPECT_EQ(o.concurrency, 512u);  // one per lcore at least
  o = with(0, 50, true);
  o.drain = 7;
  o.drain_given = true;
  ts::cps::settle_concurrency(&o, 1, 16);
  EXPECT_EQ(o.concurrency, 50u);  // given: sharing_problem's to refuse, not ours to change
  EXPECT_EQ(o.drain, 7);
}

namespace {

// --hold end --requests N with no --duration, after settle_concurrency.
Options holding(uint64_t requests, uint32_t concurrency, bool given, unsigned lcores, uint32_t blocks) {
  Options o = with(requests, concurrency, given);
  o.hold_to_end = true;
  o.duration = 0;
  ts::cps::settle_concurrency(&o, lcores, blocks);
  return o;
}

}  // namespace

// All N open at once, with no --duration to end the wait: fewer tuples or blocks than N ran forever.
TEST(Plan, hold_end_beyond_the_tuples_is_refused) {
  Options o = holding(200, 200, true, 1, kBlocks);
  o.port_lo = 40000;
  o.port_hi = 40099;
  std::string why = ts::cps::holding_problem(o, 1, kBlocks);
  EXPECT_NE(why.find("--hold end with --requests 200 would never end: it keeps 200 connections open at once, and "
                     "--ip-range 1 with --port-range 40000-40099 gives 100 local tuples"),
            std::string::npos)
      << why;
  o.ip_count = 2;
  EXPECT_EQ(ts::cps::holding_problem(o, 1, kBlocks), "");
  o.ip_count = 1;
  o.duration = 5;  // the duration ends it
  EXPECT_EQ(ts::cps::holding_problem(o, 1, kBlocks), "");
}

TEST(Plan, hold_end_beyond_the_blocks_is_refused) {
  const Options o = holding(201, 10000, false, 2, 100);
  EXPECT_EQ(o.concurrency, 200u);
  const std::string why = ts::cps::holding_problem(o, 2, 100);
  EXPECT_NE(why.find("--hold end with --requests 201 would never end: it keeps 101 connections open at once on "
                     "an lcore, and the profile gives 100 connection blocks per lcore"),
            std::string::npos)
      << why;
  EXPECT_EQ(ts::cps::holding_problem(holding(200, 10000, false, 2, 100), 2, 100), "");
}
