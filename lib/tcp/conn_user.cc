// Calls made by the application side: open, send, close, abort, options.
#include <algorithm>

#include "tcp/conn.h"
#include "tcp/conn_internal.h"
#include "tcp/rto.h"

namespace ts::tcp {

using namespace detail;

uint32_t unsent(const Tcb& t) {
  const Seq end = data_end(t);
  return t.snd_nxt < end ? uint32_t(end - t.snd_nxt) : 0;
}

Actions connect(Context& ctx, Tcb& t, const FourTuple& tuple, Seq isn, Time now) {
  t = Tcb{};
  t.tuple = tuple;
  t.state = State::kSynSent;
  if (ctx.cfg.keepalive) t.flags = tcbf::kKeepalive;  // see init_passive
  t.snd_una = isn;
  t.snd_nxt = isn + 1;
  t.snd_max = isn + 1;
  t.rcv_wnd = ctx.cfg.rcv_wnd;
  t.rcv_wscale = ctx.cfg.window_scaling ? our_wscale(ctx.cfg) : 0;
  t.snd_mss = 536;
  // One offset per address pair that stays put across connections (and, in the datapath, across
  // processes), as Linux's is: a peer that holds TIME-WAIT for this tuple takes our SYN as a new
  // incarnation only when its TSval is newer than the last one it saw (RFC 6191; Linux
  // PAWS-rejects an older one and answers with an ACK, costing us an RTO).
  t.ts_off = choose_ts_offset(ctx, tuple, isn);
  rto_init(t, ctx.cfg.syn_rto);
  t.flags |= tcbf::kRttTiming;
  t.mark.rtt_seq = isn;
  t.rtt_start_us = uint32_t(now);
  ++ctx.cnt.active_opens;
  Actions a;
  emit_syn(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

Actions send(Context& ctx, Tcb& t, uint32_t bytes, Time now) {
  Actions a;
  if (in_state(t.state, kAcceptsSend) && !t.has(tcbf::kFinQueued)) {
    t.snd_queued += bytes;
    flush(ctx, t, a, now);
    update_timer(ctx, t, now);
  }
  finish(t, a);
  return a;
}

Actions output(Context& ctx, Tcb& t, Time now) {
  Actions a;
  flush(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

Actions close(Context& ctx, Tcb& t, Time now) {
  Actions a;
  switch (t.state) {
    case State::kSynSent:
      // "Delete the TCB": the peer has not seen anything it must be told about.
      close_block(ctx, t, a, CloseReason::kAborted, 0);
      break;
    case State::kSynReceived:
      // The FIN follows the handshake (enter_established moves on to FIN-WAIT-1).
      t.flags |= tcbf::kFinQueued;
      break;
    case State::kEstablished:
      // "Queue this until all preceding SENDs have been segmentized, then form a FIN segment and
      // send it. In any case, enter FIN-WAIT-1 state."
      t.flags |= tcbf::kFinQueued;
      t.state = State::kFinWait1;
      break;
    case State::kCloseWait:
      // "Queue this request until all preceding SENDs have been segmentized; then send a FIN
      // segment, enter LAST-ACK state."
      t.flags |= tcbf::kFinQueued;
      t.state = State::kLastAck;
      break;
    default:
      break;  // already closing or closed
  }
  flush(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

Actions send_close(Context& ctx, Tcb& t, uint32_t bytes, Time now) {
  // Queued as send() would, not flushed: close() sends data and FIN together.
  if (in_state(t.state, kAcceptsSend) && !t.has(tcbf::kFinQueued)) t.snd_queued += bytes;
  return close(ctx, t, now);
}

Actions abort(Context& ctx, Tcb& t, Time now, CloseReason why) {
  (void)now;
  Actions a;
  if (t.state == State::kClosed) return a;
  // "SYN-RECEIVED, ESTABLISHED, FIN-WAIT-*, CLOSE-WAIT: send a reset segment <SEQ=SND.NXT>";
  // SYN-SENT and the final states (CLOSING, LAST-ACK, TIME-WAIT) just delete the block.
  const StateSet kResetOnAbort = bit(State::kSynReceived) | bit(State::kEstablished) |
                                 bit(State::kFinWait1) | bit(State::kFinWait2) |
                                 bit(State::kCloseWait);
  if (in_state(t.state, kResetOnAbort)) emit_rst(ctx, a, t.snd_max, t.rcv_nxt, true);
  close_block(ctx, t, a, why, ev::kReset);
  finish(t, a);
  return a;
}

Actions set_keepalive(Context& ctx, Tcb& t, bool on, Time now) {
  Actions a;
  if (on) t.flags |= tcbf::kKeepalive;
  else t.flags &= ~tcbf::kKeepalive;
  if (t.timer == TimerKind::kKeepalive) {
    t.timer = TimerKind::kNone;  // restart (or stop) the idle period from now
    t.retries = 0;
  }
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

Actions set_receive_window(Context& ctx, Tcb& t, uint32_t bytes, Time now) {
  Actions a;
  const uint32_t before = announced_window(t);
  t.rcv_wnd = bytes;
  const uint32_t after = announced_window(t);
  // A peer stalled on a small window learns it opened (RFC 9293 §3.8.6.2.2: once it grew by
  // half the buffer or by an MSS from zero).
  if (in_state(t.state, kSynchronized) && t.state != State::kTimeWait && after > before &&
      (before == 0 || after - before >= bytes / 2))
    t.flags |= tcbf::kAckNow;
  flush(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

bool give_back(const Context& ctx, Tcb& t, uint32_t bytes) {
  if (!ctx.cfg.app_window) return false;  // data was read as it came: nothing held
  t.rcv_wnd = uint32_t(std::min<uint64_t>(uint64_t{t.rcv_wnd} + bytes, ctx.cfg.rcv_wnd));
  // Only while the peer may still send: after its FIN nobody waits on our window.
  constexpr StateSet kPeerSends = bit(State::kEstablished) | bit(State::kFinWait1) | bit(State::kFinWait2);
  const uint32_t held = held_window(t);
  if (in_state(t.state, kPeerSends) && t.rcv_wnd > held &&
      t.rcv_wnd - held >= std::min<uint32_t>(ctx.cfg.rcv_wnd / 2, ctx.cfg.mss))
    t.flags |= tcbf::kAckNow;
  // Without an update due, nothing changed that flush or a timer would act on: every other call
  // flushed before it returned. (An HTTP server gives back each request it answered: building
  // and applying empty Actions for it was a third of what explicit consumption cost there.)
  return t.flags & tcbf::kAckNow;
}

Actions announce_window(Context& ctx, Tcb& t, Time now) {
  Actions a;
  flush(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

Actions consumed(Context& ctx, Tcb& t, uint32_t bytes, Time now) {
  if (give_back(ctx, t, bytes)) return announce_window(ctx, t, now);
  Actions a;
  finish(t, a);
  return a;
}

}  // namespace ts::tcp
