// A received TCP segment as the state machine sees it: header fields already parsed by lib/wire,
// the payload a pointer into the caller's buffer (never copied by lib/tcp).
#pragma once
#include <cstdint>

#include "tcp/seq.h"
#include "wire/tcp_options.h"

namespace ts::tcp {

// Header byte 13, the same bits as wire::tcp_flags.
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;

struct Segment {
  Seq seq;
  Seq ack;
  uint8_t flags = 0;
  bool text_dropped = false;    // without_text() made it: it came with data, so it is no
                                // duplicate ACK (RFC 5681 §2) though len is 0 now
  uint16_t window = 0;          // as on the wire; the state machine applies the peer's scale
  wire::TcpOptions opts;
  const uint8_t* payload = nullptr;
  uint32_t len = 0;             // payload bytes

  bool has(uint8_t f) const { return (flags & f) != 0; }
  // Sequence space occupied: SYN and FIN each count one (RFC 9293 §3.4).
  uint32_t seg_len() const { return len + (has(kSyn) ? 1u : 0u) + (has(kFin) ? 1u : 0u); }
};

// `s` as if its text had been lost on the way: no payload, and no FIN, which comes after the
// text. Its ACK, window and options still count. For a caller that cannot take the data now.
inline Segment without_text(const Segment& s) {
  Segment bare = s;
  bare.text_dropped = s.len != 0;
  bare.len = 0;
  bare.payload = nullptr;
  bare.flags &= static_cast<uint8_t>(~kFin);
  return bare;
}

}  // namespace ts::tcp
