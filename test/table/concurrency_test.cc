// One writer (the owning lcore) and one reader thread on the same shard. Every value names the
// tuple it belongs to (its pool index in the high half) and, for pinned tuples, a generation in
// the low half that the writer only ever increases. So the reader can check, without any clock:
//   - a pinned tuple (inserted first, never erased, carried around by cuckoo moves) is always
//     found: no false miss;
//   - every value found belongs to the tuple looked up: no torn or crossed read;
//   - a pinned tuple's generation never goes backwards: no stale read after a newer one.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "table/shard.h"
#include "tuples.h"

#if defined(__SANITIZE_THREAD__)
#define TS_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TS_UNDER_TSAN 1
#endif
#endif

namespace ts::table {
namespace {

#ifdef TS_UNDER_TSAN
constexpr int kWriterOps = 400'000;  // ThreadSanitizer runs an order of magnitude slower
#else
constexpr int kWriterOps = 4'000'000;
#endif

uint64_t value_for(uint32_t index, uint32_t generation) {
  return uint64_t{index} << 32 | generation;
}
uint32_t index_in(uint64_t value) { return static_cast<uint32_t>(value >> 32); }
uint32_t generation_in(uint64_t value) { return static_cast<uint32_t>(value); }

struct ReaderReport {
  uint64_t finds = 0;
  uint64_t hits = 0;
  uint64_t walks = 0;
  uint64_t false_misses = 0;  // pinned tuple not found
  uint64_t wrong_values = 0;  // value of another tuple
  uint64_t stale_values = 0;  // pinned generation went backwards
};

struct Case {
  uint32_t capacity;
  uint32_t pinned;
  uint32_t pool;
  HashMode mode = HashMode::kMixTuple;
  bool equal_hashes = false;  // every tuple the same hash: under kRssOnly, one bucket pair
  uint64_t min_moves = 1000;  // cuckoo moves the writer must have made for the case to count
};

class OneWriterOneReader : public ::testing::TestWithParam<Case> {};

TEST_P(OneWriterOneReader, reader_never_misses_tears_or_goes_back) {
  const Case c = GetParam();
  auto pool = test::make_tuples(c.pool, 99);
  if (c.equal_hashes)
    for (auto& k : pool) k.hash = 0x01234567;
  std::unordered_map<uint64_t, uint32_t> index_of_tuple;
  auto id = [](const tcp::FourTuple& t) {
    return uint64_t{t.raddr} << 32 ^ uint64_t { t.laddr } << 30 ^ uint64_t { t.lport } << 16 ^
           t.rport;
  };
  for (uint32_t i = 0; i < pool.size(); ++i) index_of_tuple.emplace(id(pool[i].tuple), i);

  auto shard = Shard::create({.capacity = c.capacity, .hash_mode = c.mode, .seed = 5});
  ASSERT_NE(shard, nullptr);
  std::vector<uint32_t> generation(c.pinned, 1);
  for (uint32_t i = 0; i < c.pinned; ++i)
    ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, value_for(i, 1)), InsertResult::kInserted);

  std::atomic<bool> reader_started{false};
  std::atomic<bool> writer_done{false};
  ReaderReport report;

  std::thread reader([&] {
    std::mt19937_64 rng(1);
    std::vector<uint32_t> last_seen(c.pinned, 0);
    auto check = [&](uint32_t i, const std::optional<uint64_t>& v) {
      ++report.finds;
      if (!v) {
        report.false_misses += i < c.pinned;
        return;
      }
      ++report.hits;
      if (index_in(*v) != i) {
        ++report.wrong_values;
      } else if (i < c.pinned) {
        report.stale_values += generation_in(*v) < last_seen[i];
        last_seen[i] = generation_in(*v);
      }
    };
    // Half the lookups go to pinned tuples: they are the ones whose absence is an error.
    auto pick = [&](std::mt19937_64& r) {
      const uint64_t x = r();
      return static_cast<uint32_t>(x & 1 ? (x >> 1) % c.pinned : (x >> 1) % pool.size());
    };
    reader_started.store(true, std::memory_order_release);
    for (uint64_t round = 0; !writer_done.load(std::memory_order_acquire); ++round) {
      if (round % 4 == 0) {
        tcp::FourTuple tuples[32];
        uint32_t hashes[32], idx[32];
        uint64_t values[32];
        for (unsigned k = 0; k < 32; ++k) {
          idx[k] = pick(rng);
          tuples[k] = pool[idx[k]].tuple;
          hashes[k] = pool[idx[k]].hash;
        }
        const uint64_t hits = shard->find_bulk(tuples, hashes, 32, values);
        for (unsigned k = 0; k < 32; ++k)
          check(idx[k], (hits >> k) & 1 ? std::optional<uint64_t>(values[k]) : std::nullopt);
      } else {
        const uint32_t i = pick(rng);
        check(i, shard->find(pool[i].tuple, pool[i].hash));
      }
      if (round % 4096 == 4095) {
        ++report.walks;
        shard->for_each([&](const tcp::FourTuple& t, uint64_t v) {
          const auto it = index_of_tuple.find(id(t));
          report.wrong_values += it == index_of_tuple.end() || index_in(v) != it->second;
        });
      }
    }
  });

  while (!reader_started.load(std::memory_order_acquire)) detail::cpu_relax();
  std::mt19937_64 rng(2);
  std::vector<bool> present(pool.size(), false);
  for (uint32_t i = 0; i < c.pinned; ++i) present[i] = true;
  for (int op = 0; op < kWriterOps; ++op) {
    if (op % 3 == 0) {
      const uint32_t i = static_cast<uint32_t>(rng() % c.pinned);
      ASSERT_TRUE(shard->update(pool[i].tuple, pool[i].hash, value_for(i, ++generation[i])));
      continue;
    }
    const uint32_t i = c.pinned + static_cast<uint32_t>(rng() % (pool.size() - c.pinned));
    if (present[i]) {
      if (rng() % 4 == 0) {
        ASSERT_TRUE(
            shard->update(pool[i].tuple, pool[i].hash, value_for(i, static_cast<uint32_t>(rng()))));
      } else {
        ASSERT_TRUE(shard->erase(pool[i].tuple, pool[i].hash));
        present[i] = false;
      }
    } else {
      const InsertResult r = shard->insert(pool[i].tuple, pool[i].hash, value_for(i, 0));
      ASSERT_TRUE(r == InsertResult::kInserted || r == InsertResult::kTableFull);
      present[i] = r == InsertResult::kInserted;
    }
  }
  writer_done.store(true, std::memory_order_release);
  reader.join();

  EXPECT_GT(report.finds, 0u);
  EXPECT_GT(report.hits, 0u);
  EXPECT_EQ(report.false_misses, 0u);
  EXPECT_EQ(report.wrong_values, 0u);
  EXPECT_EQ(report.stale_values, 0u);
  // The test means something only if the writer displaced entries while the reader looked.
  EXPECT_GE(shard->moves(), c.min_moves);
  for (uint32_t i = 0; i < c.pinned; ++i)
    ASSERT_EQ(shard->find(pool[i].tuple, pool[i].hash), value_for(i, generation[i]));
  RecordProperty("reader_finds", std::to_string(report.finds));
  RecordProperty("cuckoo_moves", std::to_string(shard->moves()));
}

INSTANTIATE_TEST_SUITE_P(
    Table, OneWriterOneReader,
    ::testing::Values(Case{.capacity = 16'384, .pinned = 4'000, .pool = 24'000},
                      // A few buckets, so that the reader is nearly always in the bucket the
                      // writer is changing.
                      Case{.capacity = 200, .pinned = 100, .pool = 400},
                      // Two buckets, every slot rewritten over and over under the reader: a
                      // match whose value is read after the slot changed hands is caught here.
                      Case{.capacity = 16,
                           .pinned = 4,
                           .pool = 32,
                           .mode = HashMode::kRssOnly,
                           .equal_hashes = true,
                           .min_moves = 0}),
    [](const auto& info) {
      return "capacity_" + std::to_string(info.param.capacity) +
             (info.param.equal_hashes ? "_one_bucket_pair" : "");
    });

}  // namespace
}  // namespace ts::table
