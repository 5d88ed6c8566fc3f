#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace ts::cps {

uint64_t Histogram::Snapshot::percentile(double q) const {
  if (total == 0) return 0;
  // The rank of the value asked for, 1-based: p99.9 of 1000 values is the 999th.
  const auto rank = static_cast<uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(total))));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; i++) {
    seen += counts[i];
    if (seen >= rank) return std::min(max, (lowest(i) + highest(i)) / 2);
  }
  return max;
}

void Histogram::Snapshot::add(const Snapshot& o) {
  for (int i = 0; i < kBuckets; i++) counts[i] += o.counts[i];
  total += o.total;
  sum += o.sum;
  max = std::max(max, o.max);
}

Histogram::Snapshot Histogram::Snapshot::minus(const Snapshot& e) const {
  Snapshot d;
  for (int i = 0; i < kBuckets; i++) d.counts[i] = counts[i] - e.counts[i];
  d.total = total - e.total;
  d.sum = sum - e.sum;
  d.max = max;
  return d;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  // The total is the buckets' sum, so that a copy taken while the lcore records stays
  // consistent with itself.
  for (int i = 0; i < kBuckets; i++) {
    s.counts[i] = __atomic_load_n(&counts_[i], __ATOMIC_RELAXED);
    s.total += s.counts[i];
  }
  s.sum = __atomic_load_n(&sum_, __ATOMIC_RELAXED);
  s.max = __atomic_load_n(&max_, __ATOMIC_RELAXED);
  return s;
}

}  // namespace ts::cps
