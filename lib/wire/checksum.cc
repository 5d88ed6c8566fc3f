#include "wire/checksum.h"

#include <bit>
#include <cstring>

namespace ts::wire {

namespace {

// Sums 32-bit words in native order into a 64-bit accumulator: no carry is ever lost (2^32 words
// would be needed to overflow), and the loop has no dependency on a carry flag, so the compiler
// can vectorise it. The native-order sum is the byte-swap of the big-endian one (RFC 1071 §2(B)).
uint64_t sum_native(const uint8_t* p, size_t len) {
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (; len >= 16; p += 16, len -= 16) {
    uint32_t w[4];
    std::memcpy(w, p, 16);
    a0 += w[0];
    a1 += w[1];
    a2 += w[2];
    a3 += w[3];
  }
  uint64_t acc = a0 + a1 + a2 + a3;
  for (; len >= 4; p += 4, len -= 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
  }
  if (len >= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
    p += 2;
    len -= 2;
  }
  if (len) {
    // The odd byte is the high half of a big-endian word padded with zero.
    acc += std::endian::native == std::endian::little ? uint64_t{p[0]} : uint64_t{p[0]} << 8;
  }
  return acc;
}

}  // namespace

uint32_t checksum_partial(const uint8_t* data, size_t len, uint32_t sum) {
  uint16_t native = checksum_fold(sum_native(data, len));
  uint16_t be = std::endian::native == std::endian::little ? __builtin_bswap16(native) : native;
  return checksum_fold(uint64_t{be} + sum);
}

uint16_t ipv4_header_checksum(const uint8_t* hdr, size_t hdr_len) {
  return checksum_finish(checksum_partial(hdr, hdr_len));
}

uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t* seg, size_t len) {
  uint32_t s = pseudo_header_sum(src, dst, kIpProtoTcp, static_cast<uint16_t>(len));
  return checksum_finish(checksum_partial(seg, len, s));
}

}  // namespace ts::wire
