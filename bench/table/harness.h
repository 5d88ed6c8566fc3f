// The four measurements, written once for any table with the adapter shape below, and the cache
// that builds each (table, size) once: filling 10 M entries takes longer than measuring them.
//
// Adapter:
//   explicit T(size_t capacity);             empty table for `capacity` entries
//   bool insert(const FourTuple&, uint32_t hash, uint64_t value);
//   bool find(const FourTuple&, uint32_t hash, uint64_t& value);
//   bool erase(const FourTuple&, uint32_t hash);
//   uint64_t find_bulk(const FourTuple*, const uint32_t*, unsigned n, uint64_t* values);
//   double bytes() const;                    memory the table holds
#pragma once
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "workload.h"

namespace ts::table::bench {

inline const Workload& workload(size_t n) {
  static std::map<size_t, std::unique_ptr<Workload>> cache;
  auto& w = cache[n];
  if (!w) w = make_workload(n);
  return *w;
}

struct Built {
  virtual ~Built() = default;
};

template <class T>
struct BuiltTable : Built {
  explicit BuiltTable(size_t n) : table(n) {}
  T table;
  double bytes_per_entry = 0;
};

// The one table alive at a time (whatever its type), filled with workload(n).insert_order.
inline std::unique_ptr<Built> current;
inline std::string current_key;

template <class T>
BuiltTable<T>& built(size_t n) {
  const std::string key = std::string(T::kName) + "/" + std::to_string(n);
  if (current_key != key) {
    current.reset();
    const Workload& w = workload(n);
    auto b = std::make_unique<BuiltTable<T>>(n);
    for (size_t i = 0; i < n; ++i) {
      if (!b->table.insert(w.insert_order.tuples[i], w.insert_order.hashes[i], i)) {
        std::fprintf(stderr, "%s: insert %zu of %zu failed\n", T::kName, i, n);
        std::abort();
      }
    }
    b->bytes_per_entry = b->table.bytes() / static_cast<double>(n);
    current = std::move(b);
    current_key = key;
  }
  return static_cast<BuiltTable<T>&>(*current);
}

template <class T>
void find_hit(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto& b = built<T>(n);
  const Keys& k = workload(n).lookup_order;
  size_t i = 0;
  for (auto _ : state) {
    uint64_t v = 0;
    const bool hit = b.table.find(k.tuples[i], k.hashes[i], v);
    benchmark::DoNotOptimize(hit);
    benchmark::DoNotOptimize(v);
    if (++i == n) i = 0;
  }
  state.counters["B/entry"] = b.bytes_per_entry;
}

template <class T>
void find_miss(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto& b = built<T>(n);
  const Keys& k = workload(n).absent;
  size_t i = 0;
  for (auto _ : state) {
    uint64_t v = 0;
    const bool hit = b.table.find(k.tuples[i], k.hashes[i], v);
    benchmark::DoNotOptimize(hit);
    if (++i == k.size()) i = 0;
  }
}

// One erase and one insert of the same tuple per iteration: the size stays n.
template <class T>
void insert_erase(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto& b = built<T>(n);
  const Keys& k = workload(n).lookup_order;
  size_t i = 0;
  for (auto _ : state) {
    if (!b.table.erase(k.tuples[i], k.hashes[i]) || !b.table.insert(k.tuples[i], k.hashes[i], i)) {
      state.SkipWithError("erase or insert failed");
      break;
    }
    if (++i == n) i = 0;
  }
}

// 32 present tuples per iteration, as one RX burst; items/s counts tuples.
template <class T>
void bulk_find_32(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto& b = built<T>(n);
  const Keys& k = workload(n).lookup_order;
  size_t i = 0;
  for (auto _ : state) {
    uint64_t values[32];
    const uint64_t hits = b.table.find_bulk(&k.tuples[i], &k.hashes[i], 32, values);
    benchmark::DoNotOptimize(hits);
    benchmark::DoNotOptimize(values);
    i += 32;
    if (i + 32 > n) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * 32);
}

inline constexpr int64_t kSizes[] = {1'000, 1'000'000, 10'000'000};

// Registered size by size, so that each table is built once per size.
template <class T>
void register_size(int64_t n) {
  const std::string name = T::kName;
  // Bounded runs: at 10 M entries a find misses every cache level, and filling takes seconds.
  const double min_time = n >= 10'000'000 ? 0.5 : 0.2;
  benchmark::RegisterBenchmark((name + "/find_hit").c_str(), find_hit<T>)
      ->Arg(n)
      ->MinTime(min_time);
  benchmark::RegisterBenchmark((name + "/find_miss").c_str(), find_miss<T>)
      ->Arg(n)
      ->MinTime(min_time);
  benchmark::RegisterBenchmark((name + "/insert_erase").c_str(), insert_erase<T>)
      ->Arg(n)
      ->MinTime(min_time);
  benchmark::RegisterBenchmark((name + "/bulk_find_32").c_str(), bulk_find_32<T>)
      ->Arg(n)
      ->MinTime(min_time);
}

}  // namespace ts::table::bench
