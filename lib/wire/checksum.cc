#include "wire/checksum.h"

#include <bit>
#include <cstring>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace ts::wire {

namespace {

inline uint64_t add_carry(uint64_t a, uint64_t b) {
  a += b;
  return a + (a < b);  // the end-around carry: add + adc on x86-64
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// The N 64-bit words at p added to `a` with the carry c in, returning the carry out. On x86-64
// one carry chain, an adc a word with its load folded in: GCC writes no such chain from
// portable code, whose add + adc a word (carry folded in at once) is twice the instructions.
template <int N>
[[gnu::always_inline]] inline unsigned char add_words(uint64_t& a, unsigned char c, const uint8_t* p) {
#if defined(__x86_64__)
  unsigned long long x = a;
  for (int i = 0; i < N; i++) c = _addcarry_u64(c, x, load64(p + 8 * i), &x);
  a = x;
#else
  for (int i = 0; i < N; i++) a = add_carry(a, load64(p + 8 * i));
#endif
  return c;
}

// The one's-complement sum in native order, unfolded. Bulk: 32 bytes a turn, then 16 and 8, all
// in one carry chain (add_words), its carry folded in once at the end; the tail (under 8 bytes)
// with no loop. The native-order sum is the byte-swap of the big-endian one (RFC 1071 §2(B)).
// Inline: a caller with a constant length gets its branches folded away.
[[gnu::always_inline]] inline uint64_t sum_native(const uint8_t* p, size_t len) {
  uint64_t acc = 0;
  unsigned char c = 0;
  for (; len >= 32; p += 32, len -= 32) c = add_words<4>(acc, c, p);
  if (len & 16) {
    c = add_words<2>(acc, c, p);
    p += 16;
  }
  if (len & 8) {
    c = add_words<1>(acc, c, p);
    p += 8;
  }
  acc = add_carry(acc, c);
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
