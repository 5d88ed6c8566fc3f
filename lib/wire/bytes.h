// Big-endian loads and stores at any alignment. memcpy lets the compiler emit one unaligned
// load plus a byte swap; casting a frame pointer to uint32_t* would be undefined behaviour.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>

namespace ts::wire {

// Host order to big-endian and back (the same swap both ways).
inline uint16_t be_swap(uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap16(v);
  return v;
}

inline uint32_t be_swap(uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
  return v;
}

inline uint16_t load_be16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return be_swap(v);
}

inline uint32_t load_be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return be_swap(v);
}

inline void store_be16(uint8_t* p, uint16_t v) {
  v = be_swap(v);
  std::memcpy(p, &v, 2);
}

inline void store_be32(uint8_t* p, uint32_t v) {
  v = be_swap(v);
  std::memcpy(p, &v, 4);
}

}  // namespace ts::wire
