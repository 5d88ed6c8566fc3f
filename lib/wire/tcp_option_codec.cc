#include "wire/tcp_option_codec.h"

#include "wire/bytes.h"

namespace ts::wire {

namespace {

// Stores a known option's value. One with the wrong length for its kind is left out, the rest of
// the segment taken, as Linux's tcp_parse_options does: RFC 9293 MUST-7 allows dropping it, but
// a peer's one odd option would then cost it the connection. `p` points at the kind byte.
void take_option(const uint8_t* p, uint8_t olen, TcpOptions& out) {
  switch (p[0]) {
    case kTcpOptMss:
      if (olen != 4) return;
      out.has_mss = true;
      out.mss = load_be16(p + 2);
      break;
    case kTcpOptWscale:
      if (olen != 3) return;
      out.has_wscale = true;
      out.wscale = p[2];
      break;
    case kTcpOptSackPermitted:
      if (olen != 2) return;
      out.sack_permitted = true;
      break;
    case kTcpOptSack: {
      if (olen < 10 || (olen - 2) % 8 != 0) return;
      // 40 option bytes hold at most 4 blocks, so this never drops one.
      int n = (olen - 2) / 8;
      if (n > TcpOptions::kMaxSack) n = TcpOptions::kMaxSack;
      for (int i = 0; i < n; ++i) {
        out.sack[i].left = load_be32(p + 2 + 8 * i);
        out.sack[i].right = load_be32(p + 6 + 8 * i);
      }
      out.sack_count = static_cast<uint8_t>(n);
      break;
    }
    case kTcpOptTimestamps:
      if (olen != 10) return;
      out.has_timestamps = true;
      out.ts_val = load_be32(p + 2);
      out.ts_ecr = load_be32(p + 6);
      break;
    default:
      break;  // unknown: skipped by its length
  }
}

}  // namespace

WireError parse_tcp_options(const uint8_t* p, size_t len, TcpOptions& out) {
  if (parse_aligned_timestamps(p, len, out)) return WireError::kOk;
  out = TcpOptions{};
  // SYNs and SYN-ACKs from Linux (and ours, write_tcp_options) carry exactly MSS, SACK-permitted,
  // TS, NOP, WS: one per connection each way, five turns of the loop below.
  if (len == 20 && (load_be32(p) >> 16) == 0x0204 && load_be32(p + 4) == 0x0402080a &&
      (load_be32(p + 16) >> 8) == 0x010303) {
    out.has_mss = true;
    out.mss = load_be16(p + 2);
    out.sack_permitted = true;
    out.has_timestamps = true;
    out.ts_val = load_be32(p + 8);
    out.ts_ecr = load_be32(p + 12);
    out.has_wscale = true;
    out.wscale = p[19];
    return WireError::kOk;
  }
  size_t i = 0;
  while (i < len) {
    uint8_t kind = p[i];
    if (kind == kTcpOptEol) break;
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= len) return WireError::kTcpOptionOverrun;
    uint8_t olen = p[i + 1];
    if (olen < 2) return WireError::kTcpOptionBadLength;
    if (olen > len - i) return WireError::kTcpOptionOverrun;
    take_option(p + i, olen, out);
    i += olen;
  }
  return WireError::kOk;
}

size_t write_tcp_options(uint8_t* p, size_t cap, const TcpOptions& o) {
  if (tcp_options_length(o) > cap) return 0;
  // Each group is one 32-bit word (or more) exactly as Linux writes it.
  uint8_t* w = p;
  if (o.has_mss) {
    store_be32(w, (uint32_t{kTcpOptMss} << 24) | (4u << 16) | o.mss);
    w += 4;
  }
  if (o.has_timestamps) {
    uint32_t lead = o.sack_permitted ? (uint32_t{kTcpOptSackPermitted} << 24) | (2u << 16)
                                     : (uint32_t{kTcpOptNop} << 24) | (uint32_t{kTcpOptNop} << 16);
    store_be32(w, lead | (uint32_t{kTcpOptTimestamps} << 8) | 10u);
    store_be32(w + 4, o.ts_val);
    store_be32(w + 8, o.ts_ecr);
    w += 12;
  } else if (o.sack_permitted) {
    store_be32(w, (uint32_t{kTcpOptNop} << 24) | (uint32_t{kTcpOptNop} << 16) |
                      (uint32_t{kTcpOptSackPermitted} << 8) | 2u);
    w += 4;
  }
  if (o.has_wscale) {
    store_be32(w, (uint32_t{kTcpOptNop} << 24) | (uint32_t{kTcpOptWscale} << 16) | (3u << 8) |
                      o.wscale);
    w += 4;
  }
  if (int sacks = tcp_options_sack_fit(o)) {
    store_be32(w, (uint32_t{kTcpOptNop} << 24) | (uint32_t{kTcpOptNop} << 16) |
                      (uint32_t{kTcpOptSack} << 8) | (2u + 8u * static_cast<uint32_t>(sacks)));
    w += 4;
    for (int i = 0; i < sacks; ++i, w += 8) {
      store_be32(w, o.sack[i].left);
      store_be32(w + 4, o.sack[i].right);
    }
  }
  return static_cast<size_t>(w - p);
}

bool tcp_options_equal(const TcpOptions& a, const TcpOptions& b) {
  if (a.has_mss != b.has_mss || (a.has_mss && a.mss != b.mss)) return false;
  if (a.has_wscale != b.has_wscale || (a.has_wscale && a.wscale != b.wscale)) return false;
  if (a.sack_permitted != b.sack_permitted) return false;
  if (a.has_timestamps != b.has_timestamps) return false;
  if (a.has_timestamps && (a.ts_val != b.ts_val || a.ts_ecr != b.ts_ecr)) return false;
  if (a.sack_count != b.sack_count) return false;
  for (int i = 0; i < a.sack_count && i < TcpOptions::kMaxSack; ++i)
    if (a.sack[i].left != b.sack[i].left || a.sack[i].right != b.sack[i].right) return false;
  return true;
}

}  // namespace ts::wire
