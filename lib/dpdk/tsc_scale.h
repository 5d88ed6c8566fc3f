// TSC cycles to microseconds without a division on every call: us = (cycles * mult) >> shift,
// with mult and shift chosen once from the TSC frequency (Linux's clocksource mult/shift). A
// 128-bit division (__udivti3) on every poll iteration cost 2.5 to 3% of a busy lcore.
//
// With a/b = 10^6/hz in lowest terms, mult = ceil(2^shift * a / b) for the largest shift that
// keeps mult within 64 bits, i.e. mult = (2^shift * a + r) / b with 0 <= r < b. Then
//   convert(c) = floor(c * a / b + c * r / (b * 2^shift)).
// The fraction of c * a / b is at most (b - 1) / b, so the result is exact while c * r < 2^shift
// (exact_below(): more than 2^63 / a cycles, so over 40 minutes at any rate up to 3.7 GHz; in
// practice r is well below b: 1.4 days at 3,700,123,457 Hz, 110 days at 2,994,374,000 Hz, the
// whole 64-bit range at 3 GHz). Beyond, it is never below the exact value and at most 1 above it
// (shift >= 64, so c * r / (b * 2^shift) < 1 for any 64-bit c).
// It never goes backwards: convert() is non-decreasing in c.
//
// Pure arithmetic (no DPDK), so that a unit test can hold it against the division.
#pragma once
#include <bit>
#include <cstdint>
#include <limits>
#include <numeric>

namespace ts::dpdk {

class TscScale {
 public:
  // hz: the TSC's frequency, above per_second (every TSC runs above 1 MHz).
  explicit TscScale(uint64_t hz, uint64_t per_second = 1000000) {
    const uint64_t g = std::gcd(hz, per_second);
    const uint64_t a = per_second / g, b = hz / g;
    if (b == 0) return;  // no frequency (a clock read before EAL's calibration): always 0
    using u128 = unsigned __int128;
    // 2^shift * a must fit in 128 bits; below that, the largest shift whose mult fits in 64.
    for (shift_ = 127 - std::bit_width(a); shift_ > 0; shift_--) {
      const u128 m = ((u128(a) << shift_) + b - 1) / b;
      if ((m >> 64) == 0) {
        mult_ = static_cast<uint64_t>(m);
        break;
      }
    }
    const u128 r = u128(mult_) * b - (u128(a) << shift_);
    const u128 top = u128(1) << shift_;
    const u128 exact = r == 0 ? top : (top - 1) / r + 1;  // every c below it has c * r < 2^shift
    exact_below_ = exact >> 64 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(exact);
  }

  uint64_t convert(uint64_t cycles) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(cycles) * mult_) >> shift_);
  }
  // convert(c) == floor(c * per_second / hz) for every c below this.
  uint64_t exact_below() const { return exact_below_; }
  uint64_t mult() const { return mult_; }
  unsigned shift() const { return shift_; }

 private:
  uint64_t mult_ = 0;
  unsigned shift_ = 0;
  uint64_t exact_below_ = 0;
};

}  // namespace ts::dpdk
