// Sequence numbers (RFC 9293 §3.4): 32-bit values compared modulo 2^32.
// A type of its own so that `a < b` can never silently mean the unsigned comparison.
#pragma once
#include <cstdint>

namespace ts::tcp {

struct Seq {
  uint32_t v = 0;

  constexpr Seq() = default;
  constexpr explicit Seq(uint32_t x) : v(x) {}

  constexpr Seq operator+(uint32_t n) const { return Seq(v + n); }
  constexpr Seq operator-(uint32_t n) const { return Seq(v - n); }
  constexpr Seq& operator+=(uint32_t n) { v += n; return *this; }
  // Distance from b to a; meaningful when the two are less than 2^31 apart.
  constexpr int32_t operator-(Seq b) const { return static_cast<int32_t>(v - b.v); }

  constexpr bool operator==(const Seq&) const = default;
  constexpr bool operator<(Seq b) const { return (*this - b) < 0; }
  constexpr bool operator<=(Seq b) const { return (*this - b) <= 0; }
  constexpr bool operator>(Seq b) const { return (*this - b) > 0; }
  constexpr bool operator>=(Seq b) const { return (*this - b) >= 0; }
};

// lo <= s < hi, modulo 2^32 (the RFC's "acceptable" windows are written this way).
constexpr bool seq_in(Seq s, Seq lo, Seq hi) { return (s - lo) >= 0 && (hi - s) > 0; }
constexpr Seq seq_max(Seq a, Seq b) { return a > b ? a : b; }
constexpr Seq seq_min(Seq a, Seq b) { return a < b ? a : b; }

}  // namespace ts::tcp
