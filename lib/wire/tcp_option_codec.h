// TCP options on the wire (RFC 9293 §3.1, RFC 7323, RFC 2018) to and from TcpOptions.
#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/tcp_options.h"

namespace ts::wire {

inline constexpr uint8_t kTcpOptEol = 0;
inline constexpr uint8_t kTcpOptNop = 1;
inline constexpr uint8_t kTcpOptMss = 2;
inline constexpr uint8_t kTcpOptWscale = 3;
inline constexpr uint8_t kTcpOptSackPermitted = 4;
inline constexpr uint8_t kTcpOptSack = 5;
inline constexpr uint8_t kTcpOptTimestamps = 8;
inline constexpr size_t kTcpMaxOptionsLen = 40;

// Parses the option bytes between the fixed header and the data offset. Stops at EOL; skips NOP
// and unknown kinds by their length, and known kinds with the wrong length (MSS != 4, WS != 3,
// SACK-permitted != 2, TS != 10, SACK not 2 + 8n with n >= 1) as if absent; a later copy of an
// option overrides an earlier one. Errors: kTcpOptionBadLength (length 0 or 1),
// kTcpOptionOverrun (past len).
WireError parse_tcp_options(const uint8_t* p, size_t len, TcpOptions& out);

// Data and ACK segments from Linux (and ours) carry exactly NOP NOP TS: taken without the loop,
// as Linux's own tcp_parse_aligned_timestamp does. Returns whether the options were that, and
// then `out` is what parse_tcp_options makes of them; otherwise leaves `out` alone. Inline, for
// the frame parse's fast path to skip the call on most segments.
inline bool parse_aligned_timestamps(const uint8_t* p, size_t len, TcpOptions& out) {
  constexpr uint32_t kNopNopTs = uint32_t{kTcpOptNop} << 24 | uint32_t{kTcpOptNop} << 16 |
                                 uint32_t{kTcpOptTimestamps} << 8 | 10u;
  if (len != 12 || load_be32(p) != kNopNopTs) return false;
  out = TcpOptions{};
  out.has_timestamps = true;
  out.ts_val = load_be32(p + 4);
  out.ts_ecr = load_be32(p + 8);
  return true;
}

// Option bytes before the SACK blocks in Linux's layout (see write_tcp_options).
inline size_t tcp_options_length_before_sack(const TcpOptions& o) {
  return (o.has_mss ? 4 : 0) + (o.has_timestamps ? 12 : o.sack_permitted ? 4 : 0) +
         (o.has_wscale ? 4 : 0);
}

// SACK blocks that fit beside the other options in 40 bytes (3 with timestamps, as in Linux).
inline int tcp_options_sack_fit(const TcpOptions& o) {
  int fit = static_cast<int>((kTcpMaxOptionsLen - 4 - tcp_options_length_before_sack(o)) / 8);
  int n = o.sack_count < TcpOptions::kMaxSack ? o.sack_count : TcpOptions::kMaxSack;
  return n < fit ? n : fit;
}

// Bytes write_tcp_options will write for o: a multiple of 4, at most 40.
inline size_t tcp_options_length(const TcpOptions& o) {
  int sacks = tcp_options_sack_fit(o);
  return tcp_options_length_before_sack(o) + (sacks ? 4 + 8 * static_cast<size_t>(sacks) : 0);
}

// Which options o holds, as one word: its first eight bytes (the four presence flags, the
// window scale, the SACK block count and the MSS) with all but the flags and the count masked
// off. The writers compare it with a known set in one instruction, not a test per flag.
constexpr uint64_t tcp_options_head(const TcpOptions& o) {
  const auto b = std::bit_cast<std::array<uint8_t, sizeof(TcpOptions)>>(o);
  uint64_t w = 0;
  for (int i = 0; i < 8; i++)
    w |= uint64_t{b[static_cast<size_t>(i)]} << 8 * (std::endian::native == std::endian::little ? i : 7 - i);
  return w;
}

inline constexpr uint64_t kTcpOptionsSetMask = tcp_options_head(
    {.has_mss = true, .has_wscale = true, .sack_permitted = true, .has_timestamps = true, .sack_count = 0xff});

static_assert(offsetof(TcpOptions, has_timestamps) < 8 && offsetof(TcpOptions, sack_count) < 8);

inline uint64_t tcp_options_set(const TcpOptions& o) {
  uint64_t w;
  std::memcpy(&w, &o, sizeof w);  // the same bytes as tcp_options_head, in one load
  return w & kTcpOptionsSetMask;
}

// Writes the options present in o in Linux's layout (tcp_options_write), padded to 4 bytes:
//   SYN:      MSS, SACK_PERM, TS, NOP, WS    (NOP NOP TS without SACK_PERM; NOP NOP SACK_PERM
//                                             without TS)
//   data/ACK: NOP, NOP, TS, then NOP, NOP, SACK blocks
// Whether an option belongs on a segment (MSS, WS and SACK_PERM only on a SYN) is the caller's
// choice. Returns the bytes written, or 0 (nothing written) if cap is short.
size_t write_tcp_options(uint8_t* p, size_t cap, const TcpOptions& o);

// Equal as options on the wire: values of absent options and unused SACK slots are ignored.
bool tcp_options_equal(const TcpOptions& a, const TcpOptions& b);

}  // namespace ts::wire
