// Helpers shared by the conn_*.cc files; not part of the library's interface.
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>

#include "tcp/actions.h"
#include "tcp/context.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"

namespace ts::tcp::detail {

// Our RFC 7323 timestamp clock: 1 ms ticks plus the connection's offset.
inline uint32_t ts_now(uint32_t ts_off, Time now) { return uint32_t(now / kMsec) + ts_off; }
// a < b on the 32-bit timestamp circle (RFC 7323 §5.2).
inline bool ts_before(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }

// The smallest shift that fits our receive window in the 16-bit field (RFC 7323 §2.3), at most
// 14: rcv_wnd >> s <= 0xffff exactly when the window has at most 16 + s significant bits. In
// closed form, not a loop: an active open asks for it three times (connect, its SYN, negotiate),
// and the default 256 KiB window took the loop round three times each.
inline uint8_t our_wscale(const Config& cfg) {
  const int bits = std::bit_width(cfg.rcv_wnd);
  return uint8_t(std::clamp(bits - 16, 0, 14));
}

// The header's window field: unscaled on a SYN (RFC 7323 §2.2), shifted otherwise.
inline uint16_t window_field(const Tcb& t, bool syn) {
  uint32_t w = syn ? t.rcv_wnd : (t.rcv_wnd >> t.rcv_wscale);
  return uint16_t(std::min<uint32_t>(w, 0xffff));
}
// The window the peer believes we offer, in bytes.
inline uint32_t announced_window(const Tcb& t) {
  return uint32_t(window_field(t, false)) << t.rcv_wscale;
}

// How far past rcv_nxt the peer was last told it may send.
inline uint32_t held_window(const Tcb& t) {
  return t.rcv_adv > t.rcv_nxt ? uint32_t(t.rcv_adv - t.rcv_nxt) : 0;
}

// What the peer may send past rcv_nxt. In app_window mode, exactly what it was told: the
// window closing as the reader falls behind never turns away data it was allowed to send, and
// room the reader made but that was not announced yet (SWS) is not taken either.
inline uint32_t receive_space(const Config& c, const Tcb& t) {
  return c.app_window ? held_window(t) : announced_window(t);
}

// The window field of a segment we send now (not a SYN). In app_window mode the right edge
// never moves back, and moves on only by min(half the buffer, an MSS) at a time (receiver SWS
// avoidance, RFC 9293 §3.8.6.2.2); scaling rounds it up, so that it does not shrink either.
inline uint16_t window_to_send(const Config& c, const Tcb& t) {
  if (!c.app_window) return window_field(t, false);
  const uint32_t held = held_window(t);
  uint32_t space = t.rcv_wnd;
  if (space <= held || space - held < std::min<uint32_t>(c.rcv_wnd / 2, c.mss)) space = held;
  const uint32_t round = (1u << t.rcv_wscale) - 1;
  return uint16_t(std::min<uint32_t>((space + round) >> t.rcv_wscale, 0xffff));
}

// window_to_send, noting the edge it announces (app_window mode: nothing else reads it).
inline uint16_t advertise(const Config& c, Tcb& t) {
  const uint16_t w = window_to_send(c, t);
  if (c.app_window) {
    const Seq edge = t.rcv_nxt + (uint32_t(w) << t.rcv_wscale);
    if (edge > t.rcv_adv) t.rcv_adv = edge;
  }
  return w;
}

// States in which data and FIN go out.
inline constexpr StateSet kSendingStates = bit(State::kEstablished) | bit(State::kCloseWait) |
                                           bit(State::kFinWait1) | bit(State::kClosing) |
                                           bit(State::kLastAck);

OutSegment& push(Context& ctx, Actions& a);
void emit_ack(Context& ctx, Tcb& t, Actions& a, Time now);
void emit_rst(Context& ctx, Actions& a, Seq seq, Seq ack, bool with_ack);
void emit_syn(Context& ctx, Tcb& t, Actions& a, Time now);
void emit_challenge_ack(Context& ctx, Tcb& t, Actions& a, Time now);
// One segment from `seq`: up to max_len bytes of queued data, with the FIN if it reaches the end.
// Returns the sequence space it used (data + FIN).
uint32_t emit_range(Context& ctx, Tcb& t, Actions& a, Seq seq, uint32_t max_len, Time now);
// Everything the windows allow, then a pure ACK if one is still owed.
void flush(Context& ctx, Tcb& t, Actions& a, Time now);

// Tail loss probe (conn_probe.cc): whether an outstanding flight may have one, when (the
// timeout is used if it would come first), the probe itself, and what an ACK says of it
// (`advanced`: the ACK moved snd_una).
bool probe_allowed(const Tcb& t, const Config& c);
Time probe_timeout(const Tcb& t);
void send_probe(Context& ctx, Tcb& t, Actions& a, Time now);
void settle_probe(Context& ctx, Tcb& t, const Segment& s, bool advanced);

// D-SACK undo of a spurious fast recovery (conn_undo.cc): its start, each copy it sends (`end`:
// where the copy ends), what each ACK's D-SACK block says of them while t.undo names a record,
// and the record's release (a timeout, the connection's end).
void begin_undo(Context& ctx, Tcb& t, Time now);
void note_resent(Context& ctx, Tcb& t, Seq end);
void settle_undo(Context& ctx, Tcb& t, const Segment& s, Time now);
void release_undo(Context& ctx, Tcb& t);

// Chooses the timer the block needs now; a timer of the same kind keeps its deadline, so set
// t.timer = kNone first to restart it.
void update_timer(Context& ctx, Tcb& t, Time now);
// Ends the connection: CLOSED, counted by reason, listener told if it was half-open.
void close_block(Context& ctx, Tcb& t, Actions& a, CloseReason r, uint16_t events);
void enter_time_wait(Context& ctx, Tcb& t, Actions& a, Time now);
void enter_established(Context& ctx, Tcb& t, Actions& a, Time now);
// Takes what the peer's SYN (or SYN-ACK) offered: MSS, window scale, SACK-permitted, timestamps.
void negotiate(const Context& ctx, Tcb& t, const wire::TcpOptions& peer);
// The timestamps option of a segment of ours, into the empty options of a segment push() set up.
void add_timestamps(const Tcb& t, wire::TcpOptions& o, Time now);

inline void finish(const Tcb& t, Actions& a) { a.deadline = t.deadline; }

}  // namespace ts::tcp::detail
