// What happened, counted per shard. Plain integers: a shard has exactly one writer.
#pragma once
#include <cstdint>

#include "tcp/actions.h"

namespace ts::tcp {

struct Counters {
  // Opening.
  uint64_t active_opens = 0;          // connect() calls
  uint64_t passive_opens = 0;         // SYN-RECEIVED blocks created by a listener
  uint64_t established = 0;           // handshakes completed, both sides
  uint64_t syns_received = 0;         // SYNs seen by listeners
  uint64_t synacks_sent = 0;          // SYN-ACKs sent, first copies and retransmissions
  uint64_t syn_retransmits = 0;
  uint64_t synack_retransmits = 0;
  uint64_t dup_syns = 0;              // duplicate SYN for a SYN-RECEIVED block (answered)
  uint64_t half_open_drops = 0;       // SYN dropped: the listener's half-open bound was reached
  uint64_t accept_overflows = 0;      // final ACK not admitted: accept queue full
  uint64_t listen_resets = 0;         // RST sent by a listener to a non-SYN segment
  uint64_t syn_accept_full_drops = 0; // SYN dropped: the listener's accept queue was full
  uint64_t syn_fin_drops = 0;         // SYN+FIN to a listener dropped (no connection, no reply)

  // SYN cookies (RFC 4987 §3.6). Half-open blocks in use: Listener::half_open.
  uint64_t cookies_sent = 0;          // SYN-ACKs whose ISN is a cookie (also in synacks_sent)
  uint64_t cookies_validated = 0;     // ACKs whose cookie checked out (admitted or overflowed)
  uint64_t cookies_stale = 0;         // genuine cookie past its age: answered with a RST
  uint64_t cookies_forged = 0;        // not a cookie of ours for that tuple and ISN: dropped
  uint64_t cookie_rotations = 0;      // cookie key rotations

  // Data.
  uint64_t segs_in = 0;
  uint64_t segs_out = 0;
  uint64_t data_segs_out = 0;
  uint64_t bytes_in = 0;              // in-order payload delivered
  uint64_t bytes_out = 0;             // payload sent, retransmissions included
  uint64_t retransmits = 0;           // data or FIN segments sent again
  uint64_t fast_retransmits = 0;      // recoveries begun: 3 duplicate ACKs or 3 segments SACKed
  uint64_t sack_retransmits = 0;      // of which holes the peer's SACK blocks showed (RFC 6675)
  uint64_t rto_expirations = 0;       // retransmission timer fired, any state
  uint64_t tail_loss_probes = 0;      // probes sent when a flight's ACK was overdue (RFC 8985 §7)
  uint64_t tlp_recoveries = 0;        // of which repaired a loss: ACKed past, no D-SACK for the copy
  uint64_t dsack_undos = 0;           // fast recoveries undone: D-SACKs returned every copy (RFC 3708)
  uint64_t undo_unrecorded = 0;       // fast recoveries begun with every UndoRecord taken: no undo
  uint64_t ooo_segments = 0;          // payload past a hole (answered by a dup ACK; ev::kAhead)
  uint64_t bad_seq_acks = 0;          // unacceptable segment answered by an ACK
  uint64_t dsacks_sent = 0;           // of which for text we had, with a D-SACK block (RFC 2883)
  uint64_t bad_ack_drops = 0;         // ACK of data never sent
  uint64_t window_probes = 0;         // zero-window probes
  uint64_t windows_closed = 0;        // app_window: unread data took the last of our window

  // Resets and attacks.
  uint64_t rsts_sent = 0;
  uint64_t rsts_received = 0;         // acceptable RSTs that closed a connection
  uint64_t rsts_ignored = 0;          // RSTs dropped (out of window, in LISTEN, ...)
  uint64_t challenge_acks = 0;        // RFC 5961 challenge ACKs sent
  uint64_t challenge_acks_limited = 0;// suppressed by the per-second limit
  uint64_t paws_drops = 0;            // RFC 7323 §5: old timestamp

  // Keepalive.
  uint64_t keepalive_probes = 0;

  // TIME-WAIT.
  uint64_t time_wait_entered = 0;
  uint64_t time_wait_reacks = 0;      // retransmitted FIN ACKed again (timer restarted)
  uint64_t time_wait_reopens = 0;     // SYN accepted into a new connection (RFC 6191)
  uint64_t time_wait_killed = 0;      // ended early by a RST

  // Closes, by reason (CloseReason as index).
  uint64_t closes[kCloseReasonCount] = {};

  uint64_t closed(CloseReason r) const { return closes[unsigned(r)]; }
};

}  // namespace ts::tcp
