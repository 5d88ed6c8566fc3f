// Seeded tuples and hashes for the table tests.
#pragma once
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

#include "tcp/tuple.h"

namespace ts::table::test {

struct Keyed {
  tcp::FourTuple tuple;
  uint32_t hash;
};

// `n` distinct tuples shaped like a server's: two local addresses, a few listening ports,
// peers from 198.18.0.0/15 with ephemeral ports. The hash stands in for the RSS hash.
inline std::vector<Keyed> make_tuples(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::unordered_set<uint64_t> seen;
  std::vector<Keyed> out;
  out.reserve(n);
  while (out.size() < n) {
    const tcp::FourTuple t{0xc6120001u + static_cast<uint32_t>(rng() % 2),
                           0xc6120000u + static_cast<uint32_t>(rng() % 0x20000),
                           static_cast<uint16_t>(80 + rng() % 4),
                           static_cast<uint16_t>(1024 + rng() % 64512)};
    const uint64_t id = (uint64_t{t.raddr - 0xc6120000u} << 32) | uint64_t{t.laddr & 1} << 31 |
                        uint64_t{t.lport} << 16 | t.rport;
    if (!seen.insert(id).second) continue;
    out.push_back({t, static_cast<uint32_t>(rng())});
  }
  return out;
}

// What the symmetric Toeplitz key leaves of a hash: a function of the XOR of the tuple's six
// 16-bit words, so at most 65,536 values (here spread over 32 bits by a multiply).
inline uint32_t symmetric_like_hash(const tcp::FourTuple& t) {
  const uint32_t x = (t.laddr >> 16) ^ (t.laddr & 0xffff) ^ (t.raddr >> 16) ^ (t.raddr & 0xffff) ^
                     t.lport ^ t.rport;
  return x * 0x9e3779b1u;
}

}  // namespace ts::table::test
