// make_plans and sharing_problem: each lcore gets exactly its share of --requests (none being a
// share), and a --concurrency that cannot give every lcore one connection is refused.
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
