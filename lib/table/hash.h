// Where a tuple lives in a shard: its two candidate buckets and its 16-bit tag, derived from the
// RSS hash the caller already has. Internal to lib/table (tests look at it to build collisions).
#pragma once
#include <cstdint>

#include "tcp/tuple.h"

namespace ts::table {

// How a shard turns (tuple, RSS hash) into a bucket. Either way the caller must pass the same
// hash for a tuple on every call: the NIC's, or lib/rss's software Toeplitz where they agree.
//  kMixTuple: one 64x64->128 multiply folds the tuple into the hash. The default, because the
//    symmetric Toeplitz key (0x6d5a repeated) makes the RSS hash a function of the XOR of the six
//    16-bit words of the tuple: at most 65,536 distinct values in all, and fewer in one queue.
//    Indexed by that alone, a shard of millions would have hundreds of tuples per hash value,
//    and a two-bucket cuckoo table holds 16.
//  kRssOnly: trust the hash as it comes (a full-entropy Toeplitz key, a NIC's own hash); it is
//    still mixed, because its low bits chose the queue and are nearly constant inside a shard.
enum class HashMode : uint8_t { kMixTuple, kRssOnly };

namespace detail {

// The tuple as the two words a bucket stores.
inline uint64_t pack_addrs(const tcp::FourTuple& t) { return uint64_t{t.laddr} << 32 | t.raddr; }
inline uint32_t pack_ports(const tcp::FourTuple& t) { return uint32_t{t.lport} << 16 | t.rport; }

inline tcp::FourTuple unpack(uint64_t addrs, uint32_t ports) {
  return {static_cast<uint32_t>(addrs >> 32), static_cast<uint32_t>(addrs),
          static_cast<uint16_t>(ports >> 16), static_cast<uint16_t>(ports)};
}

struct Seed {
  uint64_t k0;
  uint64_t k1;
};

// A 64-bit digest: bucket from its low half, tag from its top 16 bits.
inline uint64_t digest(const tcp::FourTuple& t, uint32_t rss, Seed seed, HashMode mode) {
  if (mode == HashMode::kMixTuple) {
    // The multiply-and-fold of wyhash: each output bit depends on every input bit, in about four
    // cycles. The seed keeps an off-path attacker from aiming tuples at one bucket pair.
    // b is pack_ports(t) << 32 | rss, built from the two ports: from the packed 32-bit word, GCC
    // 12 spilled it with a 4-byte store and read it back with an 8-byte load, which the store
    // cannot forward, a stall that doubled bench_table's single find (bench/README.md).
    const uint64_t a = pack_addrs(t) ^ seed.k0;
    const uint64_t b = (uint64_t{t.lport} << 48 | uint64_t{t.rport} << 32 | rss) ^ seed.k1;
    __extension__ const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
  }
  uint64_t h = rss ^ seed.k0;  // MurmurHash3's 64-bit finaliser
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

// Lemire's multiply-shift reduction: any bucket count, no division, no power-of-two rounding.
inline uint32_t reduce(uint32_t x, uint32_t n) {
  return static_cast<uint32_t>((uint64_t{x} * n) >> 32);
}

struct Place {
  uint32_t bucket;  // primary bucket
  uint16_t tag;     // never 0: 0 marks an empty slot
};

inline Place place(uint64_t digest, uint32_t n_buckets) {
  uint16_t tag = static_cast<uint16_t>(digest >> 48);
  tag += tag == 0;
  return {reduce(static_cast<uint32_t>(digest), n_buckets), tag};
}

// The other bucket of an entry, from the bucket it is in and its tag alone, so a cuckoo move
// never needs the key's hash again. x -> (d - x) mod n is its own inverse: alt(alt(b)) == b.
inline uint32_t alt_bucket(uint32_t bucket, uint16_t tag, uint32_t n_buckets) {
  const uint32_t d = reduce(uint32_t{tag} * 0x9e3779b1u, n_buckets);
  return d >= bucket ? d - bucket : d + n_buckets - bucket;
}

}  // namespace detail
}  // namespace ts::table
