// The set of per-lcore counter blocks of one stack, and sums over them.
//
// Thread safety: slot(i) is handed to lcore i once at start-up and written only by it.
// total() and of() may be called from any thread at any time (stats thread, telemetry thread).
#pragma once
#include <memory>

#include "stats/counters.h"

namespace ts::stats {

class Registry {
 public:
  explicit Registry(unsigned n_slots);

  LcoreCounters& slot(unsigned i) { return slots_[i]; }
  const LcoreCounters& slot(unsigned i) const { return slots_[i]; }
  unsigned size() const { return n_; }

  Snapshot total() const;
  Snapshot of(unsigned i) const;

 private:
  unsigned n_;
  std::unique_ptr<LcoreCounters[]> slots_;
};

}  // namespace ts::stats
