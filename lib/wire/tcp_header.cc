#include "wire/tcp_header.h"

#include "wire/bytes.h"
#include "wire/checksum.h"

namespace ts::wire {

WireError parse_tcp(const uint8_t* seg, size_t len, uint32_t src, uint32_t dst, uint32_t flags,
                    TcpHeader& out) {
  if (len < kTcpHeaderLen) return WireError::kTcpTruncated;
  if (len > 0xffff) return WireError::kIpBadTotalLength;  // no IPv4 header can say this
  size_t hlen = static_cast<size_t>(seg[12] >> 4) * 4;
  if (hlen < kTcpHeaderLen || hlen > len) return WireError::kTcpBadDataOffset;
  if (!(flags & kRxL4ChecksumOk) && tcp_checksum(src, dst, seg, len) != 0)
    return WireError::kTcpBadChecksum;
  WireError e = parse_tcp_options(seg + kTcpHeaderLen, hlen - kTcpHeaderLen, out.opts);
  if (e != WireError::kOk) return e;
  out.sport = load_be16(seg);
  out.dport = load_be16(seg + 2);
  out.seq = load_be32(seg + 4);
  out.ack = load_be32(seg + 8);
  out.header_len = static_cast<uint8_t>(hlen);
  out.flags = seg[13];
  out.window = load_be16(seg + 14);
  out.checksum = load_be16(seg + 16);
  out.urgent = load_be16(seg + 18);
  out.payload_len = static_cast<uint16_t>(len - hlen);
  return WireError::kOk;
}

size_t build_tcp_header(uint8_t* p, size_t cap, const TcpHeaderSpec& s, const TcpOptions& o) {
  size_t olen = tcp_options_length(o);
  size_t hlen = kTcpHeaderLen + olen;
  if (cap < hlen) return 0;
  write_tcp_fixed_header(p, s, hlen);
  write_tcp_options(p + kTcpHeaderLen, olen, o);
  return hlen;
}

}  // namespace ts::wire
