// The shard against a std::unordered_map, at capacity, under colliding hashes, in bulk.
#include "table/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <unordered_map>
#include <vector>

#include "table/table.h"
#include "table/value.h"
#include "tuples.h"

namespace ts::table {
namespace {

using test::Keyed;
using test::make_tuples;

// One-to-one on the tuples make_tuples() draws (local .1/.2, peers in 198.18.0.0/15).
uint64_t key_of(const tcp::FourTuple& t) {
  return uint64_t{t.laddr & 0xff} << 56 | uint64_t{t.raddr & 0xffffff} << 32 |
         uint64_t{t.lport} << 16 | t.rport;
}

struct TupleHash {
  size_t operator()(const tcp::FourTuple& t) const { return std::hash<uint64_t>{}(key_of(t)); }
};
using Reference = std::unordered_map<tcp::FourTuple, uint64_t, TupleHash>;

std::unique_ptr<Shard> make_shard(uint32_t capacity, HashMode mode = HashMode::kMixTuple) {
  auto s = Shard::create({.capacity = capacity, .hash_mode = mode, .seed = 42});
  EXPECT_NE(s, nullptr);
  return s;
}

using Contents = std::vector<std::pair<uint64_t, uint64_t>>;  // (key_of(tuple), value), sorted

// Everything the shard holds, by walking it; a tuple visited twice shows up as a repeated key.
Contents contents(const Shard& s) {
  Contents out;
  const bool exact =
      s.for_each([&](const tcp::FourTuple& t, uint64_t v) { out.emplace_back(key_of(t), v); });
  EXPECT_TRUE(exact);
  std::sort(out.begin(), out.end());
  return out;
}

Contents contents(const Reference& r) {
  Contents out;
  for (const auto& [t, v] : r) out.emplace_back(key_of(t), v);
  std::sort(out.begin(), out.end());
  return out;
}

enum class HashSource { kRandom, kSymmetricKey, kAllEqual };

struct WorkloadCase {
  HashMode mode;
  HashSource source;
};

class ReferenceWorkload : public ::testing::TestWithParam<WorkloadCase> {};

// Three million seeded operations over a pool half again as large as the capacity, so that
// inserts meet a full table, erases and finds meet absent tuples, and cuckoo moves are frequent.
TEST_P(ReferenceWorkload, every_result_matches_unordered_map) {
  constexpr uint32_t kCapacity = 200'000;
  constexpr int kOps = 3'000'000;
  auto pool = make_tuples(300'000, 7);
  for (auto& k : pool) {
    if (GetParam().source == HashSource::kSymmetricKey) k.hash = test::symmetric_like_hash(k.tuple);
    if (GetParam().source == HashSource::kAllEqual) k.hash = 0x5a5a5a5a;
  }
  auto shard = make_shard(kCapacity, GetParam().mode);
  Reference ref;
  std::mt19937_64 rng(11);
  for (int op = 1; op <= kOps; ++op) {
    const Keyed& k = pool[rng() % pool.size()];
    const auto it = ref.find(k.tuple);
    const uint64_t r = rng() % 100;
    if (r < 40) {
      const uint64_t value = rng();
      const InsertResult got = shard->insert(k.tuple, k.hash, value);
      if (it != ref.end()) {
        ASSERT_EQ(got, InsertResult::kExists);
      } else if (ref.size() == kCapacity) {
        ASSERT_EQ(got, InsertResult::kTableFull);
      } else {
        ASSERT_EQ(got, InsertResult::kInserted) << "op " << op;
        ref.emplace(k.tuple, value);
      }
    } else if (r < 65) {
      const auto got = shard->erase(k.tuple, k.hash);
      ASSERT_EQ(got.has_value(), it != ref.end());
      if (got) {
        ASSERT_EQ(*got, it->second);
        ref.erase(it);
      }
    } else if (r < 90) {
      const auto got = shard->find(k.tuple, k.hash);
      ASSERT_EQ(got.has_value(), it != ref.end());
      if (got) {
        ASSERT_EQ(*got, it->second);
      }
    } else {
      const uint64_t value = rng();
      ASSERT_EQ(shard->update(k.tuple, k.hash, value), it != ref.end());
      if (it != ref.end()) it->second = value;
    }
    ASSERT_EQ(shard->size(), ref.size());
    if (op % 1'000'000 == 0) {
      ASSERT_EQ(contents(*shard), contents(ref)) << "after op " << op;
    }
  }
  EXPECT_EQ(shard->no_room(), 0u);
  EXPECT_GT(shard->moves(), 0u) << "the workload never displaced an entry";
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceWorkload,
    ::testing::Values(WorkloadCase{HashMode::kMixTuple, HashSource::kRandom},
                      WorkloadCase{HashMode::kMixTuple, HashSource::kSymmetricKey},
                      WorkloadCase{HashMode::kMixTuple, HashSource::kAllEqual},
                      WorkloadCase{HashMode::kRssOnly, HashSource::kRandom}),
    [](const auto& info) {
      const char* mode = info.param.mode == HashMode::kMixTuple ? "mix_tuple" : "rss_only";
      const char* src = info.param.source == HashSource::kRandom         ? "random_hash"
                        : info.param.source == HashSource::kSymmetricKey ? "symmetric_key_hash"
                                                                         : "all_equal_hash";
      return std::string(mode) + "_" + src;
    });

TEST(Shard, full_table_rejects_then_accepts_after_erase) {
  constexpr uint32_t kCapacity = 1000;
  const auto pool = make_tuples(kCapacity + 1, 3);
  auto shard = make_shard(kCapacity);
  for (uint32_t i = 0; i < kCapacity; ++i)
    ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted);
  const Keyed& extra = pool[kCapacity];
  EXPECT_EQ(shard->insert(extra.tuple, extra.hash, 7), InsertResult::kTableFull);
  EXPECT_EQ(shard->size(), kCapacity);
  EXPECT_FALSE(shard->find(extra.tuple, extra.hash));
  // An existing tuple is reported as such even when full, and keeps its value.
  EXPECT_EQ(shard->insert(pool[5].tuple, pool[5].hash, 99), InsertResult::kExists);
  for (uint32_t i = 0; i < kCapacity; ++i) ASSERT_EQ(shard->find(pool[i].tuple, pool[i].hash), i);

  EXPECT_EQ(shard->erase(pool[17].tuple, pool[17].hash), 17u);
  EXPECT_FALSE(shard->find(pool[17].tuple, pool[17].hash));
  EXPECT_EQ(shard->insert(extra.tuple, extra.hash, 7), InsertResult::kInserted);
  EXPECT_EQ(shard->find(extra.tuple, extra.hash), 7u);
  EXPECT_EQ(shard->size(), kCapacity);
}

// insert_absent (the caller looked first) fills, displaces and refuses as insert does, given the
// hash or the place worked out ahead (a burst's first pass); find() by place answers as by hash.
TEST(Shard, insert_absent_behaves_as_insert_for_new_tuples) {
  constexpr uint32_t kCapacity = 4096;
  const auto pool = make_tuples(kCapacity + 1, 11);
  auto a = make_shard(kCapacity), b = make_shard(kCapacity), c = make_shard(kCapacity);
  for (uint32_t i = 0; i < kCapacity; ++i) {
    ASSERT_EQ(a->insert(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted);
    ASSERT_EQ(b->insert_absent(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted);
    const Shard::Place p = c->place(pool[i].tuple, pool[i].hash);
    c->prefetch(p);
    ASSERT_FALSE(c->find(pool[i].tuple, p));
    ASSERT_EQ(c->insert_absent(pool[i].tuple, p, i), InsertResult::kInserted);
  }
  EXPECT_EQ(b->insert_absent(pool[kCapacity].tuple, pool[kCapacity].hash, 7), InsertResult::kTableFull);
  const Shard::Place last = c->place(pool[kCapacity].tuple, pool[kCapacity].hash);
  EXPECT_EQ(c->insert_absent(pool[kCapacity].tuple, last, 7), InsertResult::kTableFull);
  EXPECT_EQ(a->moves(), b->moves());
  EXPECT_EQ(a->moves(), c->moves());
  EXPECT_EQ(contents(*a), contents(*b));
  EXPECT_EQ(contents(*a), contents(*c));
  for (uint32_t i = 0; i < kCapacity; i += 97)
    EXPECT_EQ(c->find(pool[i].tuple, c->place(pool[i].tuple, pool[i].hash)), i);
}

// Cuckoo displacement must carry the shard to its stated capacity, not short of it.
TEST(Shard, fills_to_capacity_at_every_size) {
  for (uint32_t capacity : {1u, 2u, 7u, 100u, 115u, 116u, 4096u, 1'000'000u}) {
    const auto pool = make_tuples(capacity, capacity);
    auto shard = make_shard(capacity);
    for (uint32_t i = 0; i < capacity; ++i)
      ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted)
          << "capacity " << capacity << " entry " << i;
    for (uint32_t i = 0; i < capacity; ++i) ASSERT_EQ(shard->find(pool[i].tuple, pool[i].hash), i);
    EXPECT_EQ(shard->no_room(), 0u);
  }
}

TEST(Shard, memory_is_26_7_bytes_per_entry_at_capacity) {
  EXPECT_EQ(sizeof(detail::Bucket), 192u);
  const size_t bytes = Shard::bytes_for(10'000'000);
  EXPECT_NEAR(static_cast<double>(bytes) / 10'000'000, 192.0 / 8 / 0.9, 0.01);
  auto shard = make_shard(10'000'000);
  EXPECT_EQ(shard->memory_bytes(), bytes);
  EXPECT_GE(shard->slots() * 9ull, 10'000'000ull * 10);
}

// With kRssOnly, tuples of one hash share both buckets and the tag: 16 fit, the 17th cannot,
// and every lookup must tell them apart by the full key.
TEST(Shard, equal_hashes_fill_two_buckets_then_report_no_room) {
  constexpr uint32_t kHash = 0xdeadbeef;
  const auto pool = make_tuples(40, 5);
  // (For this hash and seed the two buckets differ; a hash whose buckets coincide, about one
  // in 1,400 here, would hold 8.)
  auto shard = make_shard(10'000, HashMode::kRssOnly);
  unsigned inserted = 0;
  while (shard->insert(pool[inserted].tuple, kHash, inserted) == InsertResult::kInserted)
    ++inserted;
  EXPECT_EQ(inserted, 2 * detail::kSlots);
  EXPECT_EQ(shard->insert(pool[inserted].tuple, kHash, 0), InsertResult::kNoRoom);
  EXPECT_EQ(shard->no_room(), 2u);
  EXPECT_EQ(shard->size(), inserted);
  for (unsigned i = 0; i < inserted; ++i) ASSERT_EQ(shard->find(pool[i].tuple, kHash), i);
  for (unsigned i = inserted; i < pool.size(); ++i) ASSERT_FALSE(shard->find(pool[i].tuple, kHash));
  // A different hash is unaffected.
  EXPECT_EQ(shard->insert(pool[inserted].tuple, kHash + 1, 5), InsertResult::kInserted);
  // Room made by an erase is found again.
  EXPECT_EQ(shard->erase(pool[3].tuple, kHash), 3u);
  EXPECT_EQ(shard->insert(pool[inserted + 1].tuple, kHash, 77), InsertResult::kInserted);
  EXPECT_EQ(shard->find(pool[inserted + 1].tuple, kHash), 77u);
}

// The default mode does not depend on the caller's hash having entropy: a hundred thousand
// tuples sharing one hash are stored and found like any others.
TEST(Shard, equal_hashes_are_harmless_when_the_tuple_is_mixed_in) {
  const auto pool = make_tuples(100'000, 9);
  auto shard = make_shard(100'000);
  for (uint32_t i = 0; i < pool.size(); ++i)
    ASSERT_EQ(shard->insert(pool[i].tuple, 0, i), InsertResult::kInserted);
  for (uint32_t i = 0; i < pool.size(); ++i) ASSERT_EQ(shard->find(pool[i].tuple, 0), i);
  EXPECT_EQ(shard->no_room(), 0u);
}

// Why kMixTuple is the default: with the symmetric Toeplitz key the RSS hash has 16 bits, and
// a shard that trusts it runs out of room long before it is full.
TEST(Shard, symmetric_key_hashes_overflow_rss_only_but_not_mix_tuple) {
  const auto pool = make_tuples(600'000, 13);
  auto count_no_room = [&](HashMode mode) {
    auto shard = make_shard(600'000, mode);
    unsigned no_room = 0;
    for (uint32_t i = 0; i < pool.size(); ++i) {
      const auto r = shard->insert(pool[i].tuple, test::symmetric_like_hash(pool[i].tuple), i);
      no_room += r == InsertResult::kNoRoom;
      EXPECT_TRUE(r == InsertResult::kInserted || r == InsertResult::kNoRoom);
    }
    return no_room;
  };
  EXPECT_GT(count_no_room(HashMode::kRssOnly), 100u);
  EXPECT_EQ(count_no_room(HashMode::kMixTuple), 0u);
}

TEST(Shard, bulk_lookup_equals_single_lookups) {
  const auto pool = make_tuples(40'000, 21);
  auto shard = make_shard(25'000);
  for (uint32_t i = 0; i < pool.size(); i += 2)
    ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, uint64_t{i} * 3), InsertResult::kInserted);
  std::mt19937_64 rng(4);
  constexpr uint64_t kUntouched = 0xabababababababab;
  for (int round = 0; round < 20'000; ++round) {
    const unsigned n = 1 + rng() % Shard::kMaxBulk;
    tcp::FourTuple tuples[Shard::kMaxBulk];
    uint32_t hashes[Shard::kMaxBulk];
    uint64_t values[Shard::kMaxBulk];
    for (unsigned i = 0; i < n; ++i) {
      // Repeats within a burst are allowed, as a burst of one flow's packets has.
      const Keyed& k = pool[rng() % (round % 2 ? 64 : pool.size())];
      tuples[i] = k.tuple;
      hashes[i] = k.hash;
      values[i] = kUntouched;
    }
    const uint64_t hits = shard->find_bulk(tuples, hashes, n, values);
    for (unsigned i = 0; i < n; ++i) {
      const auto single = shard->find(tuples[i], hashes[i]);
      ASSERT_EQ((hits >> i) & 1, single.has_value()) << "round " << round << " key " << i;
      ASSERT_EQ(values[i], single ? *single : kUntouched);
    }
    if (n < 64) {
      ASSERT_EQ(hits >> n, 0u);
    }
  }
}

TEST(Shard, bulk_lookup_stops_at_64) {
  const auto pool = make_tuples(80, 2);
  auto shard = make_shard(100);
  tcp::FourTuple tuples[80];
  uint32_t hashes[80];
  uint64_t values[80] = {};
  for (unsigned i = 0; i < 80; ++i) {
    ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, i + 1), InsertResult::kInserted);
    tuples[i] = pool[i].tuple;
    hashes[i] = pool[i].hash;
  }
  EXPECT_EQ(shard->find_bulk(tuples, hashes, 80, values), ~uint64_t{0});
  EXPECT_EQ(values[63], 64u);
  EXPECT_EQ(values[64], 0u);
}

TEST(Shard, update_changes_value_in_place_and_never_inserts) {
  const auto pool = make_tuples(2, 1);
  auto shard = make_shard(10);
  ASSERT_EQ(shard->insert(pool[0].tuple, pool[0].hash, 1), InsertResult::kInserted);
  EXPECT_TRUE(shard->update(pool[0].tuple, pool[0].hash, 2));
  EXPECT_EQ(shard->find(pool[0].tuple, pool[0].hash), 2u);
  EXPECT_FALSE(shard->update(pool[1].tuple, pool[1].hash, 3));
  EXPECT_FALSE(shard->find(pool[1].tuple, pool[1].hash));
  EXPECT_EQ(shard->size(), 1u);
}

TEST(Shard, erase_of_absent_tuple_changes_nothing) {
  const auto pool = make_tuples(2, 1);
  auto shard = make_shard(10);
  ASSERT_EQ(shard->insert(pool[0].tuple, pool[0].hash, 1), InsertResult::kInserted);
  EXPECT_FALSE(shard->erase(pool[1].tuple, pool[1].hash));
  EXPECT_EQ(shard->size(), 1u);
  EXPECT_EQ(shard->find(pool[0].tuple, pool[0].hash), 1u);
}

TEST(Shard, for_each_visits_every_entry_once) {
  const auto pool = make_tuples(5000, 8);
  auto shard = make_shard(5000);
  Reference ref;
  for (uint32_t i = 0; i < pool.size(); ++i) {
    ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted);
    ref.emplace(pool[i].tuple, i);
  }
  for (uint32_t i = 0; i < pool.size(); i += 3) {
    ASSERT_TRUE(shard->erase(pool[i].tuple, pool[i].hash));
    ref.erase(pool[i].tuple);
  }
  EXPECT_EQ(contents(*shard), contents(ref));
}

TEST(Shard, creation_rejects_bad_capacity_and_bad_memory) {
  EXPECT_EQ(Shard::create({.capacity = 0}), nullptr);
  EXPECT_EQ(Shard::create({.capacity = Shard::kMaxCapacity + 1}), nullptr);
  EXPECT_EQ(Shard::bytes_for(0), 0u);

  const size_t bytes = Shard::bytes_for(1000);
  void* memory = std::aligned_alloc(64, bytes + 64);
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(Shard::create_in({.capacity = 1000}, memory, bytes - 1), nullptr);
  EXPECT_EQ(Shard::create_in({.capacity = 1000}, static_cast<char*>(memory) + 8, bytes), nullptr);
  {
    auto shard = Shard::create_in({.capacity = 1000}, memory, bytes);
    ASSERT_NE(shard, nullptr);
    const auto pool = make_tuples(1000, 6);
    for (uint32_t i = 0; i < pool.size(); ++i)
      ASSERT_EQ(shard->insert(pool[i].tuple, pool[i].hash, i), InsertResult::kInserted);
    EXPECT_EQ(shard->find(pool[999].tuple, pool[999].hash), 999u);
  }
  std::free(memory);
}

TEST(Table, shards_are_independent_and_sizes_add_up) {
  auto table = Table::create(4, {.capacity = 100});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->shards(), 4u);
  EXPECT_EQ(Table::create(0, {.capacity = 100}), nullptr);
  const auto pool = make_tuples(3, 1);
  EXPECT_EQ(table->shard(0).insert(pool[0].tuple, pool[0].hash, 1), InsertResult::kInserted);
  EXPECT_EQ(table->shard(3).insert(pool[0].tuple, pool[0].hash, 2), InsertResult::kInserted);
  EXPECT_EQ(table->shard(3).insert(pool[1].tuple, pool[1].hash, 3), InsertResult::kInserted);
  EXPECT_EQ(table->shard(0).find(pool[0].tuple, pool[0].hash), 1u);
  EXPECT_EQ(table->shard(3).find(pool[0].tuple, pool[0].hash), 2u);
  EXPECT_FALSE(table->shard(1).find(pool[0].tuple, pool[0].hash));
  EXPECT_EQ(table->size(), 3u);
  EXPECT_EQ(table->memory_bytes(), 4 * Shard::bytes_for(100));
}

TEST(Value, kind_and_payload_round_trip) {
  EXPECT_EQ(kind_of(make_value(EntryKind::kTimeWait, 12345)), EntryKind::kTimeWait);
  EXPECT_EQ(index_of(make_value(EntryKind::kTimeWait, 12345)), 12345u);
  EXPECT_EQ(index_of(make_value(EntryKind::kHalfOpen, kMaxIndex)), kMaxIndex);
  EXPECT_EQ(kind_of(make_value(EntryKind::kHalfOpen, kMaxIndex)), EntryKind::kHalfOpen);
  alignas(8) static int block[4];
  const uint64_t v = make_value(EntryKind::kConnection, &block[2]);
  EXPECT_EQ(kind_of(v), EntryKind::kConnection);
  EXPECT_EQ(pointer_of<int>(v), &block[2]);
  const uint64_t o = make_value(EntryKind::kOther, &block[0]);
  EXPECT_EQ(kind_of(o), EntryKind::kOther);
  EXPECT_EQ(pointer_of<int>(o), &block[0]);
}

}  // namespace
}  // namespace ts::table
