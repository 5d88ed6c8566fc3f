// The stack's notion of now: the TSC read on the lcore, converted to tcp::Time (microseconds).
// Invariant TSC is assumed (every x86 server of the last decade; DPDK assumes it too).
#pragma once
#include <rte_cycles.h>

#include "tcp/time.h"

namespace ts::dpdk {

class TscClock {
 public:
  TscClock() : hz_(rte_get_tsc_hz()), origin_(rte_rdtsc()) {}

  tcp::Time now() const { return to_us(rte_rdtsc() - origin_); }
  uint64_t hz() const { return hz_; }
  tcp::Time to_us(uint64_t cycles) const {
    return static_cast<tcp::Time>((static_cast<unsigned __int128>(cycles) * 1000000u) / hz_);
  }

 private:
  uint64_t hz_;
  uint64_t origin_;
};

}  // namespace ts::dpdk
