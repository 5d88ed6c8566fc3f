// One bucket of a shard: eight slots in three cache lines, and the seqlock that lets readers on
// other threads read it while the owner writes. Internal to lib/table.
#pragma once
#include <atomic>
#include <cstdint>

namespace ts::table::detail {

inline constexpr unsigned kSlots = 8;

// Line 0 is what every probe reads: the version, the tags, the ports. A miss (a tag that matches
// nothing) ends there; a hit also reads one more line, where the slot's address word and value
// sit side by side (slots 0-3 on line 1, 4-7 on line 2). All three lines are known from the
// bucket index alone, so a lookup can ask for them before it knows the slot.
// Every field is atomic because readers load it while the owner writes it: relaxed loads and
// stores are plain moves on x86-64 and AArch64, and they keep ThreadSanitizer's view exact.
struct alignas(64) Bucket {
  std::atomic<uint32_t> version;        // seqlock: odd while the owner writes this bucket
  uint32_t reserved;
  std::atomic<uint64_t> tags[2];        // 16-bit tag per slot, four per word; 0: slot empty
  std::atomic<uint32_t> ports[kSlots];  // lport << 16 | rport
  struct Entry {
    std::atomic<uint64_t> addrs;  // laddr << 32 | raddr
    std::atomic<uint64_t> value;
  };
  alignas(64) Entry entries[kSlots];
};
static_assert(sizeof(Bucket) == 3 * 64);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

// High bit of each 16-bit lane set exactly where the lane of `word` equals `tag`. Exact, with no
// borrow between lanes: the low 15 bits are tested by an add that cannot carry out of the lane.
inline uint64_t lanes_equal(uint64_t word, uint16_t tag) {
  constexpr uint64_t kLow15 = 0x7fff7fff7fff7fffull;
  const uint64_t x = word ^ (tag * 0x0001000100010001ull);
  return ~(((x & kLow15) + kLow15) | x | kLow15);
}

// Slot number of the lowest lane set in a lanes_equal() result of tag word w.
inline unsigned lane_slot(unsigned w, uint64_t lanes) {
  return w * 4 + (static_cast<unsigned>(__builtin_ctzll(lanes)) >> 4);
}

inline uint16_t tag_at(const Bucket& b, unsigned slot) {
  const uint64_t w = b.tags[slot / 4].load(std::memory_order_relaxed);
  return static_cast<uint16_t>(w >> (16 * (slot % 4)));
}

// The owner is the only writer, so a plain load-modify-store of the tag word is enough.
inline void set_tag(Bucket& b, unsigned slot, uint16_t tag) {
  const unsigned shift = 16 * (slot % 4);
  uint64_t w = b.tags[slot / 4].load(std::memory_order_relaxed);
  w = (w & ~(uint64_t{0xffff} << shift)) | uint64_t{tag} << shift;
  b.tags[slot / 4].store(w, std::memory_order_relaxed);
}

// First slot with this tag, or -1. With tag 0: the first empty slot.
inline int first_tag_match(const Bucket& b, uint16_t tag) {
  for (unsigned w = 0; w < 2; ++w) {
    const uint64_t lanes = lanes_equal(b.tags[w].load(std::memory_order_relaxed), tag);
    if (lanes != 0) return static_cast<int>(lane_slot(w, lanes));
  }
  return -1;
}

inline int empty_slot(const Bucket& b) { return first_tag_match(b, 0); }

// Slot holding this key, or -1. Loads are relaxed: a reader validates them with the version.
inline int match_slot(const Bucket& b, uint16_t tag, uint64_t addrs, uint32_t ports) {
  for (unsigned w = 0; w < 2; ++w) {
    uint64_t lanes = lanes_equal(b.tags[w].load(std::memory_order_relaxed), tag);
    while (lanes != 0) {
      const unsigned s = lane_slot(w, lanes);
      if (b.ports[s].load(std::memory_order_relaxed) == ports &&
          b.entries[s].addrs.load(std::memory_order_relaxed) == addrs)
        return static_cast<int>(s);
      lanes &= lanes - 1;
    }
  }
  return -1;
}

// Writer side of the seqlock (Boehm, "Can seqlocks get along with programming language memory
// models?"): odd version, release fence, the data, even version with release.
inline void begin_write(Bucket& b) {
  b.version.store(b.version.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
}

inline void end_write(Bucket& b) {
  b.version.store(b.version.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace ts::table::detail
