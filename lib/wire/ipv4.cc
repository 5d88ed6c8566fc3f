#include "wire/ipv4.h"

#include "wire/bytes.h"
#include "wire/checksum.h"

namespace ts::wire {

namespace {
constexpr uint16_t kFlagMf = 0x2000;
constexpr uint16_t kOffsetMask = 0x1fff;
}  // namespace

WireError parse_ipv4(const uint8_t* p, size_t len, uint32_t flags, Ipv4Header& out) {
  if (len < kIpv4HeaderLen) return WireError::kIpTruncated;
  if ((p[0] >> 4) != 4) return WireError::kIpBadVersion;
  size_t hlen = size_t{p[0] & 0x0fu} * 4;
  if (hlen < kIpv4HeaderLen) return WireError::kIpBadIhl;
  if (hlen > len) return WireError::kIpTruncated;
  uint16_t total = load_be16(p + 2);
  if (total < hlen) return WireError::kIpBadTotalLength;
  if (total > len) return WireError::kIpTruncated;
  if (!(flags & kRxIpChecksumOk) && ipv4_header_checksum(p, hlen) != 0)
    return WireError::kIpBadChecksum;
  uint16_t frag = load_be16(p + 6);
  if (frag & (kFlagMf | kOffsetMask)) return WireError::kIpFragment;
  uint32_t src = load_be32(p + 12);
  if (ipv4_is_martian_source(src)) return WireError::kIpBadSource;

  out.src = src;
  out.dst = load_be32(p + 16);
  out.total_len = total;
  out.id = load_be16(p + 4);
  out.header_len = static_cast<uint8_t>(hlen);
  out.tos = p[1];
  out.ttl = p[8];
  out.proto = p[9];
  out.df = frag & kIpv4FlagDf;
  return WireError::kOk;
}

size_t build_ipv4(uint8_t* p, size_t cap, const Ipv4Spec& s) {
  if (cap < kIpv4HeaderLen || size_t{s.payload_len} + kIpv4HeaderLen > 0xffff) return 0;
  write_ipv4_header(p, s);
  return kIpv4HeaderLen;
}

}  // namespace ts::wire
