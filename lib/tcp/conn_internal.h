// Helpers shared by the conn_*.cc files; not part of the library's interface.
#pragma once
#include <algorithm>
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

// The smallest shift that fits our receive window in the 16-bit field (RFC 7323 §2.3).
inline uint8_t our_wscale(const Config& cfg) {
  uint8_t s = 0;
  while (s < 14 && (cfg.rcv_wnd >> s) > 0xffff) ++s;
  return s;
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

// Chooses the timer the block needs now; a timer of the same kind keeps its deadline, so set
// t.timer = kNone first to restart it.
void update_timer(Context& ctx, Tcb& t, Time now);
// Ends the connection: CLOSED, counted by reason, listener told if it was half-open.
void close_block(Context& ctx, Tcb& t, Actions& a, CloseReason r, uint16_t events);
void enter_time_wait(Context& ctx, Tcb& t, Actions& a, Time now);
void enter_established(Context& ctx, Tcb& t, Actions& a, Time now);
// Takes what the peer's SYN (or SYN-ACK) offered: MSS, window scale, SACK-permitted, timestamps.
void negotiate(const Context& ctx, Tcb& t, const wire::TcpOptions& peer);
wire::TcpOptions ack_options(const Tcb& t, Time now);

inline void finish(const Tcb& t, Actions& a) { a.deadline = t.deadline; }

}  // namespace ts::tcp::detail
