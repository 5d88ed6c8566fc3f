#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "tcp/timer_wheel.h"

namespace ts::tcp {
namespace {

// Advances until nothing due at `now` is left, collecting what fired.
std::vector<TimerId> drain(TimerWheel& w, Time now, uint32_t batch = 64) {
  std::vector<TimerId> fired;
  TimerId buf[4096];
  do {
    const uint32_t n = w.advance(now, buf, batch);
    fired.insert(fired.end(), buf, buf + n);
  } while (w.behind(now));
  return fired;
}

// The same without building a vector, for loops over millions of ticks.
template <class F>
void drain_each(TimerWheel& w, Time now, F&& fired) {
  TimerId buf[256];
  do {
    const uint32_t n = w.advance(now, buf, 256);
    for (uint32_t i = 0; i < n; i++) fired(buf[i]);
  } while (w.behind(now));
}

TEST(TimerWheel, fires_at_the_tick_of_its_deadline_never_before) {
  TimerWheel w(16, kMsec);
  w.arm(3, 10 * kMsec + 500);  // rounds up to the 11 ms tick
  EXPECT_TRUE(w.armed(3));
  EXPECT_EQ(w.expiry(3), 11 * kMsec);
  EXPECT_TRUE(drain(w, 10 * kMsec).empty());
  EXPECT_TRUE(drain(w, 11 * kMsec - 1).empty());
  EXPECT_EQ(drain(w, 11 * kMsec), std::vector<TimerId>{3});
  EXPECT_FALSE(w.armed(3));
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, deadline_on_a_tick_boundary_fires_in_that_tick) {
  TimerWheel w(16, kMsec);
  w.arm(1, 10 * kMsec);
  EXPECT_TRUE(drain(w, 10 * kMsec - 1).empty());
  EXPECT_EQ(drain(w, 10 * kMsec), std::vector<TimerId>{1});
}

TEST(TimerWheel, a_deadline_already_past_fires_at_the_next_advance) {
  TimerWheel w(16, kMsec, 50 * kMsec);
  w.arm(2, 5 * kMsec);
  EXPECT_EQ(drain(w, 50 * kMsec), std::vector<TimerId>{2});
  drain(w, 60 * kMsec);
  w.arm(4, 59 * kMsec);
  EXPECT_EQ(drain(w, 60 * kMsec), std::vector<TimerId>{});  // 60 ms already processed
  EXPECT_EQ(drain(w, 61 * kMsec), std::vector<TimerId>{4});
}

TEST(TimerWheel, fires_in_deadline_order_across_one_advance) {
  TimerWheel w(16, kMsec);
  w.arm(5, 300 * kMsec);
  w.arm(6, 2 * kMsec);
  w.arm(7, 70 * kMsec);
  w.arm(8, 5000 * kMsec);
  EXPECT_EQ(drain(w, 10 * kSec), (std::vector<TimerId>{6, 7, 5, 8}));
}

TEST(TimerWheel, cancel_stops_it_and_rearm_moves_it) {
  TimerWheel w(16, kMsec);
  w.arm(1, 100 * kMsec);
  w.arm(2, 100 * kMsec);
  w.cancel(1);
  w.cancel(1);  // no-op
  w.cancel(9);  // never armed: no-op
  EXPECT_FALSE(w.armed(1));
  EXPECT_EQ(w.size(), 1u);
  w.arm(2, 200 * kMsec);  // later
  EXPECT_EQ(w.size(), 1u);
  EXPECT_TRUE(drain(w, 150 * kMsec).empty());
  w.arm(2, 160 * kMsec);  // earlier
  EXPECT_EQ(drain(w, 160 * kMsec), std::vector<TimerId>{2});
  EXPECT_TRUE(drain(w, 300 * kMsec).empty());
}

TEST(TimerWheel, an_expired_timer_can_be_rearmed_from_its_own_expiry) {
  // RTO backoff: the handler re-arms the timer it was just given.
  TimerWheel w(4, kMsec);
  w.arm(0, 200 * kMsec);
  std::vector<Time> fired_at;
  Time rto = 200 * kMsec;
  for (Time now = 0; now <= 4 * kSec; now += kMsec) {
    for (TimerId id : drain(w, now)) {
      ASSERT_EQ(id, 0u);
      fired_at.push_back(now);
      rto *= 2;
      w.arm(0, now + rto);
    }
  }
  EXPECT_EQ(fired_at, (std::vector<Time>{200 * kMsec, 600 * kMsec, 1400 * kMsec, 3000 * kMsec}));
}

TEST(TimerWheel, protocol_timeouts_fire_exactly_on_time) {
  // 120 s RTO cap, 60 s TIME-WAIT, 2 h keepalive idle, 75 s probe, advanced tick by tick.
  TimerWheel w(8, kMsec, 1234 * kMsec);
  const Time start = 1234 * kMsec;
  const Time deadlines[] = {120 * kSec, 60 * kSec, 7200 * kSec, 75 * kSec, 7200 * kSec + 75 * kSec};
  for (TimerId id = 0; id < 5; id++) w.arm(id, start + deadlines[id]);
  std::map<TimerId, Time> fired;
  for (Time now = start; now <= start + 7300 * kSec; now += kMsec) {
    drain_each(w, now, [&](TimerId id) { fired[id] = now; });
  }
  ASSERT_EQ(fired.size(), 5u);
  for (TimerId id = 0; id < 5; id++) EXPECT_EQ(fired[id], start + deadlines[id]) << id;
}

TEST(TimerWheel, never_early_and_at_most_one_tick_late_for_random_deadlines) {
  std::mt19937_64 rng(42);
  const Time tick = kMsec;
  TimerWheel w(20000, tick);
  std::vector<Time> deadline(20000);
  for (TimerId id = 0; id < 20000; id++) {
    deadline[id] = rng() % (3 * 3600 * kSec);  // anywhere within 3 h, not on tick boundaries
    w.arm(id, deadline[id]);
  }
  size_t count = 0;
  size_t early = 0, late = 0;
  for (Time now = 0; now <= 3 * 3600 * kSec + tick; now += tick) {
    drain_each(w, now, [&](TimerId id) {
      early += now < deadline[id];
      late += now >= deadline[id] + tick;
      count++;
    });
  }
  EXPECT_EQ(early, 0u);
  EXPECT_EQ(late, 0u);
  EXPECT_EQ(count, 20000u);
}

TEST(TimerWheel, timers_beyond_the_wheel_wait_and_fire_on_time) {
  // 1 us ticks: six levels reach 2^36 us, about 19 h; 48 h must still fire, neither early nor lost.
  TimerWheel w(4, kUsec);
  const Time far = 48 * 3600 * kSec + 17;
  w.arm(0, far);
  w.arm(1, 5 * kSec);
  Time fired0 = 0, fired1 = 0;
  for (Time now = 0; now <= far + kSec; now += 997 * kMsec) {
    for (TimerId id : drain(w, now)) (id == 0 ? fired0 : fired1) = now;
  }
  EXPECT_GE(fired1, 5 * kSec);
  EXPECT_LT(fired1, 5 * kSec + 997 * kMsec);
  ASSERT_NE(fired0, 0u);
  EXPECT_GE(fired0, far);
  EXPECT_LT(fired0, far + 997 * kMsec);
  EXPECT_TRUE(drain(w, far).empty());
  // And exactly: one advance at far - 1 us does nothing, one at far fires.
  w.arm(0, 100 * 3600 * kSec);
  EXPECT_TRUE(drain(w, 100 * 3600 * kSec - 1).empty());
  EXPECT_EQ(drain(w, 100 * 3600 * kSec), std::vector<TimerId>{0});
}

TEST(TimerWheel, a_long_idle_gap_is_crossed_in_few_steps) {
  TimerWheel w(4, kUsec);
  w.arm(0, 3600 * kSec);
  TimerId buf[4];
  // One advance call per event: jumping over an hour of 1 us ticks takes a handful of
  // cascades, not 3.6e9 steps (which would time the test out).
  EXPECT_EQ(w.advance(3600 * kSec, buf, 4), 1u);
  EXPECT_EQ(buf[0], 0u);
  EXPECT_LE(w.stats().cascaded, uint64_t(TimerWheel::kLevels));
}

TEST(TimerWheel, work_per_advance_is_bounded_and_the_rest_waits) {
  TimerWheel w(10000, kMsec);
  for (TimerId id = 0; id < 10000; id++) w.arm(id, 300 * kMsec);  // one level-1 slot
  TimerId buf[100];
  uint32_t total = 0, calls = 0;
  uint64_t moved_before = 0;
  while (w.behind(300 * kMsec) || calls == 0) {
    const uint32_t n = w.advance(300 * kMsec, buf, 100);
    EXPECT_LE(n, 100u);
    EXPECT_LE(w.stats().cascaded - moved_before, 100u * TimerWheel::kMovesPerExpiry);
    moved_before = w.stats().cascaded;
    total += n;
    calls++;
  }
  EXPECT_EQ(total, 10000u);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_GE(calls, 100u);
}

TEST(TimerWheel, two_million_timers_armed_and_expired_in_batches) {
  constexpr uint32_t kTimers = 2'000'000;
  constexpr uint32_t kBatch = 4096;
  std::mt19937_64 rng(2024);
  TimerWheel w(kTimers, kMsec);
  std::vector<uint32_t> deadline_ms(kTimers);
  for (TimerId id = 0; id < kTimers; id++) {
    deadline_ms[id] = uint32_t(rng() % 120'000) + 1;  // up to the 120 s RTO cap
    w.arm(id, Time(deadline_ms[id]) * kMsec);
  }
  EXPECT_EQ(w.size(), kTimers);
  std::vector<TimerId> buf(kBatch);
  uint64_t fired = 0, calls = 0;
  for (Time now = 0; now <= 121 * kSec; now += 10 * kMsec) {
    do {
      const uint32_t n = w.advance(now, buf.data(), kBatch);
      calls++;
      ASSERT_LE(n, kBatch);
      for (uint32_t i = 0; i < n; i++) {
        const Time d = Time(deadline_ms[buf[i]]) * kMsec;
        ASSERT_LE(d, now);
        ASSERT_LT(now - d, 10 * kMsec);  // the step we advance by
        deadline_ms[buf[i]] = 0;         // fired once
      }
      fired += n;
    } while (w.behind(now));
  }
  EXPECT_EQ(fired, kTimers);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(std::count(deadline_ms.begin(), deadline_ms.end(), 0u), kTimers);
  EXPECT_GE(calls, kTimers / kBatch);
}

TEST(TimerWheel, memory_per_timer_is_16_bytes) { EXPECT_EQ(TimerWheel::kBytesPerTimer, 16u); }

// Random arm / re-arm / cancel / advance against a reference model: a multimap from the expiry
// tick to the id, where expiry tick = deadline rounded up, and never before the first tick not
// yet processed.
TEST(TimerWheel, matches_a_reference_model_under_random_operations) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    std::mt19937_64 rng(seed);
    constexpr uint32_t kIds = 512;
    const Time tick = (seed % 2) ? kMsec : 10 * kUsec;
    Time now = (rng() % 1000) * tick + rng() % tick;
    TimerWheel w(kIds, tick, now);
    std::multimap<uint64_t, TimerId> model;
    std::vector<std::multimap<uint64_t, TimerId>::iterator> where(kIds, model.end());
    uint64_t next_tick = now / tick;  // first tick the wheel has not processed
    auto forget = [&](TimerId id) {
      if (where[id] != model.end()) model.erase(where[id]);
      where[id] = model.end();
    };
    for (int op = 0; op < 20000; op++) {
      const TimerId id = TimerId(rng() % kIds);
      const int what = int(rng() % 10);
      if (what < 5) {
        // Deadlines across every level and some already in the past.
        static const Time spans[] = {3, 70, 5000, 300000, 20000000, 2000000000};
        const Time span = spans[rng() % 6] * tick;
        const Time deadline =
            (rng() % 8 == 0) ? now - std::min(now, rng() % span) : now + rng() % span;
        w.arm(id, deadline);
        forget(id);
        const uint64_t e = std::max<uint64_t>((deadline + tick - 1) / tick, next_tick);
        where[id] = model.emplace(e, id);
      } else if (what < 7) {
        w.cancel(id);
        forget(id);
      } else {
        static const Time steps[] = {0, 1, 40, 3000, 200000, 50000000};
        now += rng() % (steps[rng() % 6] * tick + 1);
        std::set<TimerId> expected;
        while (!model.empty() && model.begin()->first <= now / tick) {
          expected.insert(model.begin()->second);
          where[model.begin()->second] = model.end();
          model.erase(model.begin());
        }
        next_tick = std::max(next_tick, now / tick + 1);
        const std::vector<TimerId> got = drain(w, now, uint32_t(1 + rng() % 8));
        ASSERT_EQ(std::set<TimerId>(got.begin(), got.end()), expected) << "seed " << seed;
        ASSERT_EQ(got.size(), expected.size());
      }
      ASSERT_EQ(w.size(), model.size());
      ASSERT_EQ(w.armed(id), where[id] != model.end());
      if (w.armed(id)) {
        ASSERT_EQ(w.expiry(id), where[id]->first * tick);
      }
    }
  }
}

}  // namespace
}  // namespace ts::tcp
