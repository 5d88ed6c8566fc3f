// The connection block: everything one connection needs between two segments, and nothing else.
// It holds no data: the send queue is the caller's (a byte queue per connection whose head is
// the first unacknowledged byte), and received payload is handed out zero-copy.
// Fields are laid out so that the first cache line is what every segment touches.
#pragma once
#include <cstdint>

#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

namespace ts::tcp {

// What the single timer of a connection is waiting for.
enum class TimerKind : uint8_t {
  kNone,
  kRetransmit,  // SYN, SYN-ACK, data or FIN unacknowledged (RFC 6298)
  kProbe,       // tail loss probe (RFC 8985 §7): the flight's ACK overdue by two round trips
  kPersist,     // peer's window is zero with data waiting (RFC 9293 §3.8.6.1)
  kKeepalive,   // idle or probing (RFC 1122 §4.2.3.6)
  kFinWait2,    // peer's FIN overdue
  kTimeWait,    // 2*MSL, when the caller keeps the block instead of a TimeWait entry
};

// Tcb::flags bits.
namespace tcbf {
inline constexpr uint16_t kTimestamps = 1u << 0;   // RFC 7323 timestamps negotiated
inline constexpr uint16_t kSackOk = 1u << 1;       // SACK-permitted negotiated (RFC 2018)
inline constexpr uint16_t kPassive = 1u << 2;      // created by a listener
inline constexpr uint16_t kFinQueued = 1u << 3;    // close() called: FIN follows the queued data
inline constexpr uint16_t kFinSent = 1u << 4;      // FIN sent at least once (snd_max covers it)
inline constexpr uint16_t kAckNow = 1u << 5;       // an ACK is owed to the peer
inline constexpr uint16_t kKeepalive = 1u << 6;    // keepalive on
inline constexpr uint16_t kRttTiming = 1u << 7;    // rtt_seq is being timed (no timestamps)
inline constexpr uint16_t kRecovery = 1u << 8;     // fast recovery until `recover` (no RTT timing)
inline constexpr uint16_t kSynRetried = 1u << 9;   // our SYN / SYN-ACK was retransmitted
inline constexpr uint16_t kWindowScale = 1u << 10; // RFC 7323 window scaling negotiated
inline constexpr uint16_t kUnaResent = 1u << 11;   // in kRecovery: snd_una sent again when snd_max = recover
inline constexpr uint16_t kTlpOut = 1u << 12;      // a tail loss probe's episode is open; it ends at `recover`
inline constexpr uint16_t kTlpResent = 1u << 13;   // ... and the probe was a copy of sent data
inline constexpr uint16_t kAckPure = 1u << 14;     // the ACK owed is a duplicate: it goes alone, not on data
inline constexpr uint16_t kAfterRto = 1u << 15;    // `recover` is snd_max at the last timeout (RFC 6582 §3.2)
}  // namespace tcbf

struct Tcb {
  // -- first cache line: touched by every segment
  Time deadline = kNever;     // when on_timer() wants to run (timer says why)
  FourTuple tuple;
  State state = State::kClosed;
  TimerKind timer = TimerKind::kNone;
  uint16_t flags = 0;         // tcbf::
  Seq snd_una;                // oldest unacknowledged sequence number
  Seq snd_nxt;                // next sequence number to send
  Seq snd_max;                // highest sequence number sent + 1 (snd_nxt falls back on RTO)
  uint32_t snd_wnd = 0;       // peer's window in bytes (scale applied)
  Seq snd_wl1;                // seq of the segment that last updated snd_wnd
  Seq snd_wl2;                // ack of that segment
  uint32_t snd_queued = 0;    // bytes in the caller's send queue (unacked + unsent)
  Seq rcv_nxt;                // next sequence number expected
  uint32_t rcv_wnd = 0;       // window we offer, in bytes (before our scale)
  uint32_t ts_recent = 0;     // RFC 7323 TS.Recent
  // -- second cache line: timers, estimator, congestion control
  uint32_t ts_off = 0;        // our TSval = now in ms + ts_off (per-connection offset)
  uint32_t cwnd = 0;          // congestion window, bytes (RFC 5681)
  uint32_t ssthresh = 0;
  Seq recover;                // NewReno (RFC 6582): highest seq sent when recovery began; outside
                              // kRecovery, with kTlpOut, the end of the probe (RFC 8985 TLP.end_seq)
  uint32_t srtt_us = 0;       // RFC 6298 estimator; srtt_us == 0: no sample yet
  uint32_t rttvar_us = 0;
  uint32_t rto_us = 0;        // current RTO before backoff
  union {                     // never both at once: no RTT timing during kRecovery
    Seq rtt_seq;              // Karn: timed segment, when kRttTiming
    Seq high_rxt;             // in kRecovery: end of what it has sent again (RFC 6675 HighRxt)
  } mark{};
  uint32_t rtt_start_us = 0;  // low 32 bits of the send time of rtt_seq
  uint16_t snd_mss = 0;       // payload bytes per segment we send (options excluded)
  uint8_t snd_wscale = 0;     // peer's shift, applied to its window
  uint8_t rcv_wscale = 0;     // our shift, applied to the window we announce
  uint8_t retries = 0;        // retransmissions (or keepalive probes) without an answer
  uint8_t backoff = 0;        // RTO doublings in force
  uint8_t dupacks = 0;        // duplicate ACKs in a row
  uint8_t undo = 0;           // the Context's UndoRecord of the last fast recovery, + 1; 0: none
  Seq rcv_adv;                // right edge of the window announced so far (Config::app_window)

  bool has(uint16_t f) const { return (flags & f) != 0; }
};
static_assert(sizeof(Tcb) == 112, "connection block: keep it within two cache lines");

// Sequence number of the head of the caller's send queue (our SYN, until acked, precedes it).
inline Seq send_head(const Tcb& t) {
  return t.snd_una + (in_state(t.state, kOpening) ? 1u : 0u);
}
// Sequence number just past the last byte queued by the application (where our FIN goes).
inline Seq data_end(const Tcb& t) { return send_head(t) + t.snd_queued; }
// Bytes sent and not yet acknowledged (SYN and FIN included).
inline uint32_t in_flight(const Tcb& t) { return uint32_t(t.snd_nxt - t.snd_una); }

}  // namespace ts::tcp
