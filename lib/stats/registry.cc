#include "stats/registry.h"

namespace ts::stats {

Registry::Registry(unsigned n_slots) : n_(n_slots), slots_(new LcoreCounters[n_slots]()) {}

Snapshot Registry::total() const {
  Snapshot s;
  for (unsigned i = 0; i < n_; i++) s.accumulate(slots_[i]);
  return s;
}

Snapshot Registry::of(unsigned i) const {
  Snapshot s;
  if (i < n_) s.accumulate(slots_[i]);
  return s;
}

}  // namespace ts::stats
