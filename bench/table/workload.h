// What every table in bench_table is measured on: N distinct server-side tuples with an RSS-like
// hash, inserted in one order and looked up in another (a shuffle), plus tuples that are absent.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "tcp/tuple.h"

namespace ts::table::bench {

inline uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Tuple number i: distinct for every i below 131072 * 64512, peers in 198.18.0.0/15.
inline tcp::FourTuple tuple_of(uint64_t i) {
  return {0xc6120001u, 0xc6120000u + static_cast<uint32_t>(i % 131072), 80,
          static_cast<uint16_t>(1024 + i / 131072)};
}

// A full-entropy stand-in for the NIC's RSS hash (a Toeplitz hash with a random key).
inline uint32_t rss_of(const tcp::FourTuple& t) {
  return static_cast<uint32_t>(
      splitmix(uint64_t{t.raddr} << 32 ^ uint64_t{t.lport} << 16 ^ t.rport ^ t.laddr));
}

// Structure of arrays, as a burst hands them to a bulk lookup.
struct Keys {
  std::vector<tcp::FourTuple> tuples;
  std::vector<uint32_t> hashes;
  size_t size() const { return tuples.size(); }
};

struct Workload {
  size_t n = 0;
  Keys insert_order;  // tuple 0 .. n-1
  Keys lookup_order;  // the same, shuffled: lookups do not walk memory in insertion order
  Keys absent;        // tuples n .. n+m-1, never inserted
};

inline Keys keys_for(const std::vector<uint64_t>& ids) {
  Keys k;
  k.tuples.reserve(ids.size());
  k.hashes.reserve(ids.size());
  for (const uint64_t i : ids) {
    k.tuples.push_back(tuple_of(i));
    k.hashes.push_back(rss_of(k.tuples.back()));
  }
  return k;
}

inline std::unique_ptr<Workload> make_workload(size_t n) {
  auto w = std::make_unique<Workload>();
  w->n = n;
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = i;
  w->insert_order = keys_for(ids);
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(n));
  w->lookup_order = keys_for(ids);
  const size_t m = std::min<size_t>(n, 1 << 20);
  std::vector<uint64_t> absent(m);
  for (size_t i = 0; i < m; ++i) absent[i] = n + i;
  w->absent = keys_for(absent);
  return w;
}

}  // namespace ts::table::bench
