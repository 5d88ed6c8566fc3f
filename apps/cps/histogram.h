// Connect times in a log-linear histogram (HdrHistogram's layout, fixed precision): values below
// 16 ns have a bucket each; above, every power of two is split into 16 buckets, so a bucket is at
// most 1/16 of its value wide (percentiles within ~3% when read at the bucket's middle). 608
// buckets reach 2^40 ns (18 minutes); larger values land in the last one. Recording is an index
// computation and an increment: no allocation, no branch on the value's size beyond one compare.
//
// Thread safety: one writer (the lcore that records); readers on other threads copy it with
// snapshot(), counter by counter (relaxed), as stats::LcoreCounters.
#pragma once
#include <array>
#include <bit>
#include <cstdint>

namespace ts::cps {

class Histogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kSub = 1 << kSubBits;          // 16 buckets per power of two
  static constexpr int kBuckets = kSub + 37 * kSub;   // up to 2^40 ns

  static int index_of(uint64_t ns) {
    if (ns < kSub) return static_cast<int>(ns);
    const int e = std::bit_width(ns) - 1 - kSubBits;  // >= 0: ns >> e is in [16, 32)
    const int i = kSub + e * kSub + static_cast<int>((ns >> e) - kSub);
    return i < kBuckets ? i : kBuckets - 1;
  }
  // [lowest, highest] value of bucket i.
  static uint64_t lowest(int i) {
    if (i < kSub) return static_cast<uint64_t>(i);
    const int e = (i - kSub) / kSub;
    return static_cast<uint64_t>(kSub + (i - kSub) % kSub) << e;
  }
  static uint64_t highest(int i) {
    if (i < kSub) return static_cast<uint64_t>(i);
    const int e = (i - kSub) / kSub;
    return lowest(i) + (uint64_t(1) << e) - 1;
  }

  void record(uint64_t ns) {
    bump(&counts_[index_of(ns)], 1);
    bump(&sum_, ns);
    if (ns > __atomic_load_n(&max_, __ATOMIC_RELAXED)) __atomic_store_n(&max_, ns, __ATOMIC_RELAXED);
  }

  // A plain copy, and the difference of two (for one interval's percentiles).
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    uint64_t total = 0;
    uint64_t sum = 0;
    uint64_t max = 0;

    // The value below which a fraction q of the recorded values lie (the bucket's middle); 0 if empty.
    uint64_t percentile(double q) const;
    double mean() const { return total ? double(sum) / double(total) : 0.0; }
    void add(const Snapshot& o);
    Snapshot minus(const Snapshot& earlier) const;  // max: this one's (the interval's is unknown)
  };
  Snapshot snapshot() const;

 private:
  static void bump(uint64_t* p, uint64_t n) {
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  }
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace ts::cps
