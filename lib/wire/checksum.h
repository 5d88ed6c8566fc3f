// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//
// Every value here is in host order as if the data were read as big-endian 16-bit words, so a
// result goes onto the wire with store_be16 and a field read with load_be16 can be fed back in.
// A "sum" is an unfinished ones-complement sum; "fold" squeezes it to 16 bits; the checksum that
// goes into a header is the complement of the fold. Verifying: the checksum over data that
// includes its own checksum field is 0.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wire/bytes.h"

namespace ts::wire {

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;

// Ones-complement sum of len bytes, added to `sum`; the result is already folded (<= 0xffff), so
// sums can be chained. Chain only even-length pieces: an odd byte is padded as the last one.
uint32_t checksum_partial(const uint8_t* data, size_t len, uint32_t sum = 0);

// 64 bits to 32 with the end-around carry (add + adc), then 32 to 16 as Linux's csum_fold
// does: in x + ror(x, 16) the high half is hi16 + lo16 plus the carry out of the low half.
// 0 only for 0, otherwise the sum mod 0xffff in 1 .. 0xffff.
constexpr uint16_t checksum_fold(uint64_t s) {
  const uint32_t hi = static_cast<uint32_t>(s >> 32);
  uint32_t x = static_cast<uint32_t>(s) + hi;
  x += x < hi;
  x += (x >> 16) | (x << 16);
  return static_cast<uint16_t>(x >> 16);
}

constexpr uint16_t checksum_finish(uint64_t s) { return static_cast<uint16_t>(~checksum_fold(s)); }

// The complement of the sum over an IPv4 header of hdr_len bytes: the value to store when the
// checksum field is zero, and 0 when the header (field included) is intact.
uint16_t ipv4_header_checksum(const uint8_t* hdr, size_t hdr_len);

// ipv4_header_checksum(hdr, 20) == 0, inline for the frame parse's fast path (the header every
// received frame has): its five 32-bit words summed in 64 bits, where no carry is lost, and
// folded once in native order (all ones reads the same in either byte order).
inline bool ipv4_header20_ok(const uint8_t* hdr) {
  uint32_t w[5];
  std::memcpy(w, hdr, sizeof w);
  return checksum_fold(uint64_t{w[0]} + w[1] + w[2] + w[3] + w[4]) == 0xffff;
}

// Sum of the IPv4 pseudo-header (RFC 9293 §3.1): addresses, protocol, L4 length.
constexpr uint32_t pseudo_header_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len) {
  return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + l4_len;
}

// The addresses' part of the IPv4 header's and the TCP pseudo-header's sums, the same for every
// segment of a connection: a caller may keep it (folded, 16 bits) beside the connection.
constexpr uint16_t ipv4_addr_sum(uint32_t src, uint32_t dst) {
  return checksum_fold((src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff));
}

// What a NIC with TX TCP checksum offload expects pre-seeded in the TCP checksum field: the folded,
// not complemented, pseudo-header sum (as DPDK's rte_ipv4_phdr_cksum gives it).
constexpr uint16_t tcp_pseudo_header_checksum(uint32_t src, uint32_t dst, uint16_t tcp_len) {
  return checksum_fold(pseudo_header_sum(src, dst, kIpProtoTcp, tcp_len));
}

// Sum of n bytes (a multiple of 4) read as 32-bit words one at a time. For bytes just written
// by 32-bit stores: the wider loads of checksum_partial would stall on store forwarding.
inline uint32_t checksum_words32(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i += 4) {
    uint32_t w = load_be32(p + i);
    s += (w >> 16) + (w & 0xffff);
  }
  return s;
}

// Full TCP checksum of a segment (header, options and payload) with the pseudo-header.
// 0 when the segment's own checksum field is correct.
uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t* seg, size_t len);

// Whether the TCP segment seg[0..len) that follows the IPv4 header at `ip` carries a correct
// checksum: tcp_checksum(src, dst, seg, len) == 0 with the addresses those of the header. For the
// parse of every frame received: the pseudo-header goes into the segment's native-order sum from
// the header's bytes (one 8-byte load for both addresses), folded once.
bool tcp_checksum_ok(const uint8_t* ip, const uint8_t* seg, size_t len);

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for a 16-bit field changed from m to m'.
constexpr uint16_t checksum_update16(uint16_t csum, uint16_t old_v, uint16_t new_v) {
  uint32_t s = static_cast<uint16_t>(~csum) + static_cast<uint32_t>(static_cast<uint16_t>(~old_v)) +
               new_v;
  return checksum_finish(s);
}

// The same for a 32-bit field (an address, a sequence number): two 16-bit words at once.
constexpr uint16_t checksum_update32(uint16_t csum, uint32_t old_v, uint32_t new_v) {
  uint32_t s = static_cast<uint16_t>(~csum) + ((~old_v) >> 16) + ((~old_v) & 0xffff) +
               (new_v >> 16) + (new_v & 0xffff);
  return checksum_finish(s);
}

}  // namespace ts::wire
