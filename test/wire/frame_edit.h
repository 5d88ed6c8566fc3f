// Test helpers: copy a reference frame, poke a field, and repair the checksums that the poke
// broke, so that a test reaches exactly the check it means to exercise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/frame.h"

namespace ts::wire::testutil {

using Bytes = std::vector<uint8_t>;

template <size_t N>
Bytes copy(const uint8_t (&a)[N]) {
  return Bytes(a, a + N);
}

inline constexpr size_t kL3 = 14;  // untagged reference frames

inline void fix_ip_checksum(Bytes& f, size_t l3 = kL3) {
  size_t hlen = size_t{f[l3] & 0x0fu} * 4;
  store_be16(&f[l3 + 10], 0);
  store_be16(&f[l3 + 10], ipv4_header_checksum(&f[l3], hlen));
}

// Recomputes the TCP checksum over the segment the IP header describes.
inline void fix_tcp_checksum(Bytes& f, size_t l3 = kL3) {
  size_t hlen = size_t{f[l3] & 0x0fu} * 4;
  size_t seg_len = load_be16(&f[l3 + 2]) - hlen;
  uint8_t* seg = &f[l3 + hlen];
  store_be16(seg + 16, 0);
  store_be16(seg + 16, tcp_checksum(load_be32(&f[l3 + 12]), load_be32(&f[l3 + 16]), seg, seg_len));
}

inline void fix_checksums(Bytes& f, size_t l3 = kL3) {
  fix_ip_checksum(f, l3);
  fix_tcp_checksum(f, l3);
}

// The endpoints of the reference frames: 198.18.0.1 and 198.18.0.2.
inline constexpr uint32_t kClientIp = 0xc6120001;
inline constexpr uint32_t kServerIp = 0xc6120002;
inline constexpr Mac kClientMac{{0x02, 0, 0, 0, 0, 0x01}};
inline constexpr Mac kServerMac{{0x02, 0, 0, 0, 0, 0x02}};

// A reference frame that must parse cleanly.
template <size_t N>
Frame parsed(const uint8_t (&a)[N], uint32_t flags = 0) {
  Frame f;
  EXPECT_EQ(parse_frame(a, N, flags, f), WireError::kOk);
  return f;
}

}  // namespace ts::wire::testutil
