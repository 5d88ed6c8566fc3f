// TIME-WAIT as a compact entry that replaces the connection block (as Linux's
// inet_timewait_sock): just what is needed to ACK a retransmitted FIN and judge a new SYN.
#pragma once
#include <cstdint>
#include <optional>

#include "tcp/actions.h"
#include "tcp/context.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"

namespace ts::tcp {

struct TimeWait {
  Time expires = 0;       // 2*MSL after the last FIN we ACKed
  FourTuple tuple;
  Seq snd_nxt;            // our last sequence number + 1 (past our FIN)
  Seq rcv_nxt;            // past the peer's FIN
  uint32_t ts_recent = 0; // peer's last timestamp (RFC 6191 compares a new SYN's with it)
  uint32_t ts_off = 0;    // our timestamp offset
  uint16_t window = 0;    // window field for our ACKs (already scaled)
  uint8_t flags = 0;      // kTwTimestamps
  uint8_t wscale = 0;     // our shift: window << wscale is the receive window a RST must hit
};
inline constexpr uint8_t kTwTimestamps = 1;
static_assert(sizeof(TimeWait) == 40, "TIME-WAIT entry: at most 64 bytes");

enum class TwVerdict : uint8_t {
  kDrop,    // nothing to do
  kAck,     // send `reply` (a retransmitted FIN restarted the timer, or a stray segment)
  kReopen,  // a new SYN may reopen (RFC 6191 / RFC 9293 §3.6.1): drop the entry and hand the
            // SYN to the listener with passive_open(..., isn, ...)
  kClose,   // a RST ended TIME-WAIT early: drop the entry
};

struct TwResult {
  TwVerdict verdict = TwVerdict::kDrop;
  Seq isn;              // kReopen: ISN for the new connection, above anything the old one used
  OutSegment reply;     // kAck
};

// The entry for a block that just reported ev::kTimeWait.
TimeWait to_time_wait(const Context& ctx, const Tcb& t, Time now);

// A segment for the 4-tuple of a TIME-WAIT entry. May move `expires`. `can_reopen`: a listener
// would take a new SYN; without one a SYN that could reopen is ACKed as an old one (Linux's
// TCP_TW_SYN without a listener), so that a guessed SYN cannot end TIME-WAIT early.
TwResult time_wait_segment(Context& ctx, TimeWait& tw, const Segment& seg, Time now, bool can_reopen = true);

inline bool time_wait_expired(const TimeWait& tw, Time now) { return now >= tw.expires; }

// Where a new incarnation of the tuple must start its sequence numbers: above anything the old
// one sent and any window the peer may still hold (Linux: snd_nxt + 65535 + 2).
inline Seq time_wait_isn_floor(const TimeWait& tw) { return tw.snd_nxt + 65535 + 2; }

// An active open wants the tuple of one of our own TIME-WAIT entries (Linux tcp_tw_reuse): allowed
// once the entry has rested `min_age` (kNever: never). Then the caller drops the entry and the new
// connection's ISN (and, timestamps being offset by it, its TSvals) start at least at the floor
// returned, so a peer still in TIME-WAIT accepts the SYN by either rule of RFC 6191.
std::optional<Seq> time_wait_reuse(const Context& ctx, const TimeWait& tw, Time min_age, Time now);

}  // namespace ts::tcp
