// The stack's notion of now: the TSC read on the lcore, converted to tcp::Time (microseconds).
// Invariant TSC is assumed (every x86 server of the last decade; DPDK assumes it too).
#pragma once
#include <time.h>

#include <rte_cycles.h>

#include "dpdk/tsc_scale.h"
#include "tcp/time.h"

namespace ts::dpdk {

class TscClock {
 public:
  TscClock() : hz_(rte_get_tsc_hz()), scale_(hz_), origin_(rte_rdtsc()), host_origin_(monotonic_us()) {}

  tcp::Time now() const { return at(rte_rdtsc()); }
  // Where now() == 0 lies on CLOCK_MONOTONIC, which every process of the host shares: what the
  // ISN clock and the timestamp offsets add, so that they run on from one process to the next.
  tcp::Time host_origin() const { return host_origin_; }
  tcp::Time at(uint64_t tsc) const { return to_us(tsc - origin_); }
  uint64_t hz() const { return hz_; }
  // A multiply and a shift (tsc_scale.h): exact for the first exact_below() cycles after the
  // origin (2^63 / 10^6 at least: 40 minutes at 3.7 GHz, usually days), then at most 1 us above
  // the exact quotient, and never backwards.
  tcp::Time to_us(uint64_t cycles) const { return scale_.convert(cycles); }

 private:
  static tcp::Time monotonic_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return tcp::Time(ts.tv_sec) * tcp::kSec + tcp::Time(ts.tv_nsec) / 1000;
  }

  uint64_t hz_;
  TscScale scale_;
  uint64_t origin_;
  tcp::Time host_origin_;
};

}  // namespace ts::dpdk
