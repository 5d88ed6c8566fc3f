// One shard of the connection table: the tuples of one RX queue, owned by that queue's lcore.
//
// Shape. A bucketised cuckoo hash (as rte_hash): buckets of 8 slots, two candidate buckets per
// tuple, 16-bit tags so that a miss reads one cache line per bucket and a hit two. Keys and values
// live in the bucket itself (24 bytes a slot, no key store, no indirection). The bucket count is
// capacity / 7.2 (load at most 0.9), any integer: 24 / 0.9 = 26.7 bytes per entry at full
// capacity, all allocated at creation. Nothing on any path allocates, locks or makes a system
// call. The bucket comes from the caller's RSS hash with the tuple folded in (hash.h says why).
//
// Threads.
//   Writer: the owning lcore alone calls insert(), erase(), update(). Nothing protects two writers
//     from each other.
//   Readers: any thread may call find(), find_bulk(), for_each(), size(), concurrently with the
//     writer and with each other. They never write shared memory and never block the writer; a
//     reader spins only while the writer is inside a write of the very bucket it matched in (a few
//     stores), and retries when a cuckoo move may have hidden its key.
//
// Memory-ordering protocol.
//   1. Each bucket carries a seqlock version, odd while the writer changes the bucket. A reader
//      that matches a key loads the version (acquire), the tags, key and value (relaxed), an
//      acquire fence, the version again; it returns the value only if the two versions are equal
//      and even, else it retries. A hit is therefore never torn: key and value come from one
//      state of the slot.
//   2. A cuckoo move copies an entry into the other bucket, then increments the shard's move
//      counter (release), then clears the old slot. A find reads the move counter (acquire)
//      before it probes; on a miss it reads it again after an acquire fence and starts over if it
//      changed. A key present throughout a find is therefore always found: if the find saw the
//      old slot already cleared, it also sees the new count.
//   3. Inserts and erases do not move other keys; a find that races one returns either outcome.
//      update() is one release store of the value word.
//   4. The writer stores a slot after a release fence (the seqlock's opening) and update() is a
//      release store; a reader's load of the value is followed by an acquire fence. So whatever
//      the writer wrote into the object a value names before insert() or update() is visible to
//      a reader that got that value.
//   (Versions are 32 bits: a reader fooled by wrap-around would have to stall across 2^31 writes
//   of one bucket between two of its loads.)
//   Quiescence is the caller's business: erase() removes the tuple, but a reader that found it a
//   moment before may still hold its value. Do not free or reuse the object a value names until
//   every reader has passed a quiescent point (rte_rcu_qsbr, an epoch, or the datapath's own
//   knowledge that only the owner ever dereferences values). The shard's own memory is only freed
//   by its destructor, after all threads are done with it.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "table/bucket.h"
#include "table/hash.h"
#include "tcp/tuple.h"
#include "wire/prefetch.h"

namespace ts::table {

struct Config {
  uint32_t capacity = 0;  // most entries the shard will hold, 1 .. Shard::kMaxCapacity
  HashMode hash_mode = HashMode::kMixTuple;
  uint64_t seed = 0x243f6a8885a308d3ull;  // from the caller's randomness; may differ per shard
};

enum class InsertResult : uint8_t {
  kInserted,
  kExists,     // the tuple is already there; its value is unchanged
  kTableFull,  // size() == capacity()
  kNoRoom,     // both buckets full and no cuckoo path within bounds: the tuple's hash collides
               // with too many others (an attack on kRssOnly, or a shard sized too small)
};

class alignas(64) Shard {
 public:
  static constexpr uint32_t kMaxCapacity = 1u << 30;
  static constexpr unsigned kMaxBulk = 64;  // find_bulk's limit: its hit mask is 64 bits

  // Memory create_in() needs for this capacity (0 for an invalid capacity).
  static size_t bytes_for(uint32_t capacity);
  // A shard owning its memory; nullptr for an invalid capacity or when memory is short.
  static std::unique_ptr<Shard> create(const Config& config);
  // A shard in caller memory (hugepages, the lcore's NUMA node): 64-byte aligned, at least
  // bytes_for(capacity) long, outliving the shard. nullptr if it is not.
  static std::unique_ptr<Shard> create_in(const Config& config, void* memory, size_t bytes);

  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // --- any thread ---
  std::optional<uint64_t> find(const tcp::FourTuple& tuple, uint32_t hash) const;
  // Looks up min(n, kMaxBulk) tuples, prefetching all their buckets first. Returns the hit mask
  // (bit i: tuples[i] found); values[i] is the value on a hit and left unwritten on a miss.
  uint64_t find_bulk(const tcp::FourTuple* tuples, const uint32_t* hashes, unsigned n,
                     uint64_t* values) const;
  // Asks for the lines a find() or insert() of this tuple reads (both buckets' tag lines, the
  // primary's entries), for a caller that knows a tuple ahead and has other work meanwhile:
  // the frames of a burst, the next active open. Reads nothing, changes nothing.
  void prefetch(const tcp::FourTuple& tuple, uint32_t hash) const;
  // Where a tuple is or would go (its primary bucket and tag, hash.h), for a caller that both
  // prefetches a tuple and then looks it up or inserts it (the frames of a burst): worked out
  // once, kept, and handed back to the calls below instead of the hash. Valid only for the
  // tuple and hash it was worked out from, in this shard.
  using Place = detail::Place;
  Place place(const tcp::FourTuple& t, uint32_t hash) const {
    return detail::place(detail::digest(t, hash, seed_, mode_), n_buckets_);
  }
  void prefetch(Place p) const;
  std::optional<uint64_t> find(const tcp::FourTuple& tuple, Place p) const;
  // Calls f(const tcp::FourTuple&, uint64_t value) for each entry, bucket by bucket, each bucket
  // read as one consistent snapshot. On the owner it is exact. On another thread, an entry that
  // a concurrent cuckoo move carried across the walk may be missed or seen twice: the return is
  // false when that may have happened (some move ran), true when the walk was exact.
  template <class F>
  bool for_each(F&& f) const;
  uint32_t size() const { return size_.load(std::memory_order_relaxed); }
  uint32_t capacity() const { return capacity_; }
  uint32_t slots() const { return n_buckets_ * detail::kSlots; }
  size_t memory_bytes() const { return size_t{n_buckets_} * sizeof(detail::Bucket); }
  uint64_t moves() const { return moves_.load(std::memory_order_relaxed); }
  uint64_t no_room() const { return no_room_.load(std::memory_order_relaxed); }

  // --- the owning lcore only ---
  InsertResult insert(const tcp::FourTuple& tuple, uint32_t hash, uint64_t value);
  // insert() for a tuple the caller has just looked up and not found: the lookup's bucket reads
  // are not made again (nothing else writes the shard, so it cannot have appeared since).
  InsertResult insert_absent(const tcp::FourTuple& tuple, uint32_t hash, uint64_t value);
  InsertResult insert_absent(const tcp::FourTuple& tuple, Place p, uint64_t value);
  // Removes the tuple and returns the value it had; nullopt if absent.
  std::optional<uint64_t> erase(const tcp::FourTuple& tuple, uint32_t hash);
  // Replaces the value in place; false if the tuple is absent.
  bool update(const tcp::FourTuple& tuple, uint32_t hash, uint64_t value);

 private:
  static constexpr uint32_t kUnknownBucket = ~0u;
  InsertResult insert_new(const detail::Place& p, uint32_t alt_bucket, uint64_t addrs, uint32_t ports,
                          uint64_t value);

  struct Located {
    uint32_t bucket;
    int slot;  // -1: absent
  };

  Shard(const Config& config, uint32_t n_buckets, detail::Bucket* buckets, bool owned);
  uint32_t alt(uint32_t bucket, uint16_t tag) const {
    return detail::alt_bucket(bucket, tag, n_buckets_);
  }
  static bool read_match(const detail::Bucket& b, uint16_t tag, uint64_t addrs, uint32_t ports,
                         uint64_t& value);
  // alt_bucket: the primary's alternate, or kUnknownBucket to compute it if needed.
  std::optional<uint64_t> find_placed(const tcp::FourTuple& t, detail::Place p,
                                      uint32_t alt_bucket) const;
  Located locate(const tcp::FourTuple& t, uint32_t hash) const;
  bool make_room(uint32_t b0, uint32_t b1, uint32_t& bucket, int& slot);
  void write_slot(uint32_t bucket, unsigned slot, uint16_t tag, uint64_t addrs, uint32_t ports,
                  uint64_t value);
  void clear_slot(uint32_t bucket, unsigned slot);
  void move_entry(uint32_t from_bucket, unsigned from_slot, uint32_t to_bucket, unsigned to_slot);

  // Read by every lookup, written never.
  detail::Bucket* buckets_;
  uint32_t n_buckets_;
  uint32_t capacity_;
  detail::Seed seed_;
  HashMode mode_;
  bool owned_;
  // Read by every lookup, written only by a cuckoo move: a line of its own, so that the writer's
  // counters below do not drag it between cores.
  alignas(64) std::atomic<uint64_t> moves_{0};
  alignas(64) std::atomic<uint32_t> size_{0};
  std::atomic<uint64_t> no_room_{0};
};

// --- readers, inline: they are the hot path ---

inline bool Shard::read_match(const detail::Bucket& b, uint16_t tag, uint64_t addrs,
                              uint32_t ports, uint64_t& value) {
  for (;;) {
    const uint32_t v1 = b.version.load(std::memory_order_acquire);
    const int s = detail::match_slot(b, tag, addrs, ports);
    // No match needs no validation: a key that stayed in this bucket is never rewritten, and one
    // that moved away is caught by the move counter.
    if (s < 0) return false;
    value = b.entries[s].value.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if ((v1 & 1) == 0 && b.version.load(std::memory_order_relaxed) == v1) return true;
    detail::cpu_relax();
  }
}

inline std::optional<uint64_t> Shard::find_placed(const tcp::FourTuple& t, detail::Place p,
                                                  uint32_t alt_bucket) const {
  const uint64_t addrs = detail::pack_addrs(t);
  const uint32_t ports = detail::pack_ports(t);
  for (;;) {
    const uint64_t moves = moves_.load(std::memory_order_acquire);
    uint64_t value;
    if (read_match(buckets_[p.bucket], p.tag, addrs, ports, value)) return value;
    // Most tuples live in their primary bucket: the other is worked out only when needed.
    if (alt_bucket == kUnknownBucket) alt_bucket = alt(p.bucket, p.tag);
    if (read_match(buckets_[alt_bucket], p.tag, addrs, ports, value)) return value;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (moves_.load(std::memory_order_relaxed) == moves) return std::nullopt;
  }
}

inline std::optional<uint64_t> Shard::find(const tcp::FourTuple& t, uint32_t hash) const {
  return find(t, place(t, hash));
}

inline std::optional<uint64_t> Shard::find(const tcp::FourTuple& t, Place p) const {
  // The key and value lines of a hit hang on the tag line only through the slot number; asking
  // for them now overlaps their misses with the tag line's instead of following it.
  wire::prefetch_line(&buckets_[p.bucket].entries[0]);
  wire::prefetch_line(&buckets_[p.bucket].entries[4]);
  return find_placed(t, p, kUnknownBucket);
}

inline void Shard::prefetch(const tcp::FourTuple& t, uint32_t hash) const {
  prefetch(place(t, hash));
}

inline void Shard::prefetch(Place p) const {
  const detail::Bucket& primary = buckets_[p.bucket];
  wire::prefetch_line(&primary);
  wire::prefetch_line(&primary.entries[0]);
  wire::prefetch_line(&primary.entries[4]);
  wire::prefetch_line(&buckets_[alt(p.bucket, p.tag)]);
}

inline uint64_t Shard::find_bulk(const tcp::FourTuple* tuples, const uint32_t* hashes,
                                 unsigned n, uint64_t* values) const {
  if (n > kMaxBulk) n = kMaxBulk;
  detail::Place p[kMaxBulk];
  uint32_t alts[kMaxBulk];
  // Stage 1: every line a hit in the primary bucket needs, and the alternate's tag line, for
  // every tuple at once. The addresses hang on nothing but the hash, so they all issue at once.
  for (unsigned i = 0; i < n; ++i) {
    p[i] = place(tuples[i], hashes[i]);
    alts[i] = alt(p[i].bucket, p[i].tag);
    const detail::Bucket& primary = buckets_[p[i].bucket];
    wire::prefetch_line(&primary);
    wire::prefetch_line(&primary.entries[0]);
    wire::prefetch_line(&primary.entries[4]);
    wire::prefetch_line(&buckets_[alts[i]]);
  }
  // Stage 2: the entry lines of the alternate, for tuples whose tag is only there (one in eight
  // at full load: inserts fill the primary bucket first).
  for (unsigned i = 0; i < n; ++i) {
    const detail::Bucket& other = buckets_[alts[i]];
    if (detail::first_tag_match(buckets_[p[i].bucket], p[i].tag) < 0 &&
        detail::first_tag_match(other, p[i].tag) >= 0) {
      wire::prefetch_line(&other.entries[0]);
      wire::prefetch_line(&other.entries[4]);
    }
  }
  // Stage 3: the lookups proper, from lines now in cache.
  uint64_t hits = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (const auto v = find_placed(tuples[i], p[i], alts[i])) {
      values[i] = *v;
      hits |= uint64_t{1} << i;
    }
  }
  return hits;
}

template <class F>
bool Shard::for_each(F&& f) const {
  const uint64_t moves = moves_.load(std::memory_order_acquire);
  for (uint32_t b = 0; b < n_buckets_; ++b) {
    const detail::Bucket& bk = buckets_[b];
    tcp::FourTuple tuples[detail::kSlots];
    uint64_t values[detail::kSlots];
    unsigned n;
    for (;;) {
      const uint32_t v1 = bk.version.load(std::memory_order_acquire);
      n = 0;
      for (unsigned s = 0; s < detail::kSlots; ++s) {
        if (detail::tag_at(bk, s) == 0) continue;
        tuples[n] = detail::unpack(bk.entries[s].addrs.load(std::memory_order_relaxed),
                                   bk.ports[s].load(std::memory_order_relaxed));
        values[n++] = bk.entries[s].value.load(std::memory_order_relaxed);
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if ((v1 & 1) == 0 && bk.version.load(std::memory_order_relaxed) == v1) break;
      detail::cpu_relax();
    }
    for (unsigned i = 0; i < n; ++i) f(tuples[i], values[i]);
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  return moves_.load(std::memory_order_relaxed) == moves;
}

}  // namespace ts::table
