// The TCP header (RFC 9293 §3.1): parse with checksum and options, write the fixed part.
#pragma once
#include <cstddef>
#include <cstdint>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/rx_flags.h"
#include "wire/tcp_option_codec.h"
#include "wire/tcp_options.h"

namespace ts::wire {

inline constexpr size_t kTcpHeaderLen = 20;

// Flag bits of header byte 13, usable as a mask of TcpHeader::flags.
namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace tcp_flags

struct TcpHeader {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t header_len = 0;   // data offset * 4, options included
  uint8_t flags = 0;        // tcp_flags bits
  uint16_t window = 0;      // as on the wire, before any scaling
  uint16_t checksum = 0;    // as on the wire
  uint16_t urgent = 0;
  uint16_t payload_len = 0; // data bytes after the header
  TcpOptions opts;

  bool has(uint8_t f) const { return flags & f; }
  // Sequence space the segment occupies: data plus one each for SYN and FIN.
  uint32_t seg_len() const {
    return payload_len + ((flags & tcp_flags::kSyn) ? 1u : 0u) +
           ((flags & tcp_flags::kFin) ? 1u : 0u);
  }
};

// seg/len is the whole segment (the IP payload); src/dst (host order) feed the pseudo-header
// unless flags has kRxL4ChecksumOk. On kOk the data is [seg + header_len, seg + len).
WireError parse_tcp(const uint8_t* seg, size_t len, uint32_t src, uint32_t dst, uint32_t flags,
                    TcpHeader& out);

struct TcpHeaderSpec {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t urgent = 0;
};

// Writes the fixed header plus options (data offset set from them) with a zero checksum; the
// caller sums the whole segment afterwards. Returns the header length, or 0 if cap is short.
size_t build_tcp_header(uint8_t* p, size_t cap, const TcpHeaderSpec& s, const TcpOptions& o);

// The 20 fixed bytes for a header of hlen bytes, unchecked, with a zero checksum; returns their
// checksum sum, computed from the values (inline, like write_ipv4_header, for the same reason).
inline uint32_t write_tcp_fixed_header(uint8_t* p, const TcpHeaderSpec& s, size_t hlen) {
  uint16_t off_flags = static_cast<uint16_t>(((hlen / 4) << 12) | s.flags);
  store_be16(p, s.sport);
  store_be16(p + 2, s.dport);
  store_be32(p + 4, s.seq);
  store_be32(p + 8, s.ack);
  store_be16(p + 12, off_flags);
  store_be16(p + 14, s.window);
  store_be16(p + 16, 0);
  store_be16(p + 18, s.urgent);
  return uint32_t{s.sport} + s.dport + (s.seq >> 16) + (s.seq & 0xffff) + (s.ack >> 16) +
         (s.ack & 0xffff) + off_flags + s.window + s.urgent;
}

}  // namespace ts::wire
