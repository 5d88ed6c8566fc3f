#include "wire/checksum.h"

#include <bit>
#include <cstring>

namespace ts::wire {

namespace {

inline uint64_t add_carry(uint64_t a, uint64_t b) {
  a += b;
  return a + (a < b);  // the end-around carry: add + adc on x86-64
}

// The one's-complement sum in native order, unfolded. Bulk: 64-bit words with end-around
// carry (add + adc each) into two accumulators, so that two carry chains run side by side:
// about half the instructions of 32-bit words into 64-bit sums, which baseline x86-64 code
// does not vectorise. The tail (under 16 bytes, all of most headers' bytes) in one or two
// 64-bit words, and no loop. The native-order sum is the byte-swap of the big-endian one
// (RFC 1071 §2(B)). Inline: a caller with a constant length gets its branches folded away.
[[gnu::always_inline]] inline uint64_t sum_native(const uint8_t* p, size_t len) {
  uint64_t a0 = 0, a1 = 0;
  for (; len >= 16; p += 16, len -= 16) {
    uint64_t w[2];
    std::memcpy(w, p, 16);
    a0 = add_carry(a0, w[0]);
    a1 = add_carry(a1, w[1]);
  }
  uint64_t acc = add_carry(a0, a1);
  if (len & 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc = add_carry(acc, w);
    p += 8;
  }
  // At most 7 bytes left, each 16-bit word kept in a 16-bit lane (any lane: 2^16 = 1 mod 0xffff).
  uint64_t tail = 0;
  if (len & 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    tail = w;
    p += 4;
  }
  if (len & 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    tail += uint64_t{w} << 32;
    p += 2;
  }
  if (len & 1) {
    // The odd byte is the high half of a big-endian word padded with zero.
    tail += (std::endian::native == std::endian::little ? uint64_t{p[0]} : uint64_t{p[0]} << 8) << 48;
  }
  return add_carry(acc, tail);
}

// The big-endian sum from the native one.
uint16_t fold_to_be(uint64_t native_sum) {
  const uint16_t native = checksum_fold(native_sum);
  return std::endian::native == std::endian::little ? __builtin_bswap16(native) : native;
}

}  // namespace

uint32_t checksum_partial(const uint8_t* data, size_t len, uint32_t sum) {
  return checksum_fold(uint64_t{fold_to_be(sum_native(data, len))} + sum);
}

// Every header the datapath receives has no options: its 20 bytes are summed with the length a
// constant (two 8-byte words and a 4-byte one, no loop and no tests), the other lengths as any
// data.
uint16_t ipv4_header_checksum(const uint8_t* hdr, size_t hdr_len) {
  constexpr size_t kPlainHeaderLen = 20;
  if (hdr_len == kPlainHeaderLen) return checksum_finish(fold_to_be(sum_native(hdr, kPlainHeaderLen)));
  return checksum_finish(checksum_partial(hdr, hdr_len));
}

uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t* seg, size_t len) {
  uint32_t s = pseudo_header_sum(src, dst, kIpProtoTcp, static_cast<uint16_t>(len));
  return checksum_finish(checksum_partial(seg, len, s));
}

bool tcp_checksum_ok(const uint8_t* ip, const uint8_t* seg, size_t len) {
  constexpr size_t kAddrsOff = 12;  // source and destination, side by side
  uint64_t addrs;
  std::memcpy(&addrs, ip + kAddrsOff, 8);
  // Zero and protocol, and the length: big-endian words as native-order loads would read them
  // (any 16-bit lane will do: 2^16 = 1 mod 0xffff).
  const uint64_t proto_len = uint64_t{be_swap(uint16_t{kIpProtoTcp})} + be_swap(static_cast<uint16_t>(len));
  // All ones reads the same in either byte order: the native fold needs no swap back.
  return checksum_fold(add_carry(add_carry(sum_native(seg, len), addrs), proto_len)) == 0xffff;
}

}  // namespace ts::wire
