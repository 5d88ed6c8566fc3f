// The connection's single timer: what it waits for, and what happens when it fires.
#include <algorithm>

#include "tcp/conn.h"
#include "tcp/conn_internal.h"
#include "tcp/listener.h"
#include "tcp/rto.h"

namespace ts::tcp {
namespace detail {
namespace {

// Something of ours (SYN, data, FIN) is waiting for its ACK.
bool outstanding(const Tcb& t) { return t.snd_una != t.snd_max; }

TimerKind wanted_timer(const Tcb& t, const Config& c) {
  if (t.state == State::kClosed) return TimerKind::kNone;
  if (t.state == State::kTimeWait) return TimerKind::kTimeWait;
  if (outstanding(t)) return TimerKind::kRetransmit;
  if (t.snd_wnd == 0 && unsent(t) > 0 && in_state(t.state, kSendingStates))
    return TimerKind::kPersist;
  if (t.state == State::kFinWait2 && c.fin_wait2_timeout) return TimerKind::kFinWait2;
  if (t.has(tcbf::kKeepalive) && in_state(t.state, kKeepaliveStates)) return TimerKind::kKeepalive;
  return TimerKind::kNone;
}

Time timer_length(const Tcb& t, const Config& c, TimerKind k) {
  switch (k) {
    case TimerKind::kRetransmit:
    case TimerKind::kProbe:
    case TimerKind::kPersist: return rto_current(t, c);
    case TimerKind::kKeepalive: return c.keepalive_idle;
    case TimerKind::kFinWait2: return c.fin_wait2_timeout;
    case TimerKind::kTimeWait: return c.time_wait_len();
    case TimerKind::kNone: break;
  }
  return 0;
}

}  // namespace

void update_timer(Context& ctx, Tcb& t, Time now) {
  TimerKind k = wanted_timer(t, ctx.cfg);
  Time len = 0;
  if (k == TimerKind::kRetransmit && probe_allowed(t, ctx.cfg)) {
    const Time pto = probe_timeout(t);
    if (pto < rto_current(t, ctx.cfg)) {
      k = TimerKind::kProbe;
      len = pto;
    }
  }
  // A probe already armed keeps its time when more data goes out: at worst it comes early, a
  // copy the peer answers with a D-SACK; and a peer's stream of segments cannot put it off.
  if (k == t.timer && k != TimerKind::kNone) return;
  // Probes of a persist or keepalive episode spend none of the data's retransmission budget:
  // its timer starts from the first RTO with the full count (Linux's tcp_ack_probe).
  if ((t.timer == TimerKind::kPersist || t.timer == TimerKind::kKeepalive) &&
      (k == TimerKind::kRetransmit || k == TimerKind::kProbe)) {
    t.retries = 0;
    t.backoff = 0;
  }
  t.timer = k;
  if (k == TimerKind::kNone) t.deadline = kNever;
  else t.deadline = now + (len ? len : timer_length(t, ctx.cfg, k));
}

void close_block(Context& ctx, Tcb& t, Actions& a, CloseReason r, uint16_t events) {
  if (t.state == State::kSynReceived && t.has(tcbf::kPassive) && ctx.listeners) {
    if (Listener* l = ctx.listeners->find(t.tuple)) listener_half_open_done(*l);
  }
  if (t.undo) release_undo(ctx, t);
  t.state = State::kClosed;
  t.timer = TimerKind::kNone;
  t.deadline = kNever;
  a.events |= ev::kClosed | events;
  a.reason = r;
  ++ctx.cnt.closes[unsigned(r)];
}

void enter_time_wait(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (t.undo) release_undo(ctx, t);  // the block goes, or stays without sending
  t.state = State::kTimeWait;
  t.timer = TimerKind::kTimeWait;
  t.deadline = now + ctx.cfg.time_wait_len();
  a.events |= ev::kTimeWait;
  a.reason = CloseReason::kNormal;
  ++ctx.cnt.time_wait_entered;
  ++ctx.cnt.closes[unsigned(CloseReason::kNormal)];
}

void enter_established(Context& ctx, Tcb& t, Actions& a, Time now) {
  (void)now;
  t.state = State::kEstablished;
  ++ctx.cnt.established;
  a.events |= t.has(tcbf::kPassive) ? ev::kAcceptReady : ev::kConnected;
  t.retries = 0;
  t.backoff = 0;
  t.cwnd = ctx.cfg.initial_cwnd * t.snd_mss;
  t.ssthresh = ~0u;
  if (t.srtt_us == 0) {
    // RFC 6298 §5.7: a SYN that had to be retransmitted means data starts with an RTO of 3 s.
    Time r = t.has(tcbf::kSynRetried) ? std::max<Time>(3 * kSec, ctx.cfg.rto_initial)
                                      : ctx.cfg.rto_initial;
    rto_init(t, r);
  }
  // close() during the handshake: "queue for processing after entering ESTABLISHED state".
  if (t.has(tcbf::kFinQueued)) t.state = State::kFinWait1;
}

namespace {

uint8_t retry_limit(const Tcb& t, const Config& c) {
  if (t.state == State::kSynSent) return c.syn_retries;
  if (t.state == State::kSynReceived) return c.synack_retries;
  if (t.has(tcbf::kFinSent)) return c.fin_retries;
  return c.data_retries;
}

void give_up(Context& ctx, Tcb& t, Actions& a) {
  CloseReason r;
  if (t.state == State::kSynSent) {
    r = CloseReason::kConnectTimeout;
  } else if (t.state == State::kSynReceived) {
    r = t.has(tcbf::kPassive) ? CloseReason::kHandshakeTimeout : CloseReason::kConnectTimeout;
  } else {
    // The peer may still be there behind a broken path: a RST lets it free its side.
    emit_rst(ctx, a, t.snd_max, t.rcv_nxt, true);
    r = t.has(tcbf::kFinSent) ? CloseReason::kFinTimeout : CloseReason::kRetransmitTimeout;
  }
  close_block(ctx, t, a, r, ev::kTimedOut);
}

void retransmit_timeout(Context& ctx, Tcb& t, Actions& a, Time now) {
  ++ctx.cnt.rto_expirations;
  if (t.retries >= retry_limit(t, ctx.cfg)) return give_up(ctx, t, a);
  ++t.retries;
  if (t.backoff < 30) ++t.backoff;  // RFC 6298 §5.5
  t.flags &= ~(tcbf::kRttTiming | tcbf::kTlpOut | tcbf::kTlpResent);  // Karn; the probe failed
  if (in_state(t.state, kOpening)) {
    t.flags |= tcbf::kSynRetried;
    ++(t.state == State::kSynSent ? ctx.cnt.syn_retransmits : ctx.cnt.synack_retransmits);
    emit_syn(ctx, t, a, now);
  } else {
    // RFC 5681 §3.1 (4): loss window of one segment, half the flight as the new threshold;
    // then go back to snd_una and send again from there as ACKs come in.
    const uint32_t flight = uint32_t(t.snd_max - t.snd_una);
    t.ssthresh = std::max<uint32_t>(flight / 2, 2u * t.snd_mss);
    t.cwnd = t.snd_mss;
    t.dupacks = 0;
    t.flags &= ~(tcbf::kRecovery | tcbf::kUnaResent);
    // RFC 6582 §3.2 step 4: the go-back resends what the peer may hold already, and its
    // duplicate ACKs below `recover` must not start a fast retransmit (step 2).
    t.recover = t.snd_max;
    t.flags |= tcbf::kAfterRto;
    if (t.undo) release_undo(ctx, t);  // a timeout is not undone here
    t.snd_nxt = t.snd_una + emit_range(ctx, t, a, t.snd_una, t.snd_mss, now);
  }
  t.timer = TimerKind::kRetransmit;
  t.deadline = now + rto_current(t, ctx.cfg);
}

// Zero-window probe and keepalive probe alike: an old sequence number, so the peer answers with
// an ACK carrying its window (RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.6).
void emit_probe(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (a.full()) return;
  OutSegment& o = push(ctx, a);
  o.seq = t.snd_una - 1;
  o.ack = t.rcv_nxt;
  o.flags = kAck;
  o.window = advertise(ctx.cfg, t);
  add_timestamps(t, o.opts, now);
}

void persist_timeout(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (t.retries >= ctx.cfg.data_retries) return give_up(ctx, t, a);
  ++t.retries;
  if (t.backoff < 30) ++t.backoff;
  ++ctx.cnt.window_probes;
  emit_probe(ctx, t, a, now);
  t.deadline = now + rto_current(t, ctx.cfg);
}

void keepalive_timeout(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (t.retries >= ctx.cfg.keepalive_probes) {
    emit_rst(ctx, a, t.snd_max, t.rcv_nxt, true);
    return close_block(ctx, t, a, CloseReason::kKeepaliveTimeout, ev::kTimedOut);
  }
  ++t.retries;
  ++ctx.cnt.keepalive_probes;
  emit_probe(ctx, t, a, now);
  t.deadline = now + ctx.cfg.keepalive_interval;
}

}  // namespace
}  // namespace detail

using namespace detail;

Actions on_timer(Context& ctx, Tcb& t, Time now) {
  Actions a;
  if (t.timer != TimerKind::kNone && now >= t.deadline) {
    switch (t.timer) {
      case TimerKind::kRetransmit: retransmit_timeout(ctx, t, a, now); break;
      case TimerKind::kProbe: send_probe(ctx, t, a, now); break;
      case TimerKind::kPersist: persist_timeout(ctx, t, a, now); break;
      case TimerKind::kKeepalive: keepalive_timeout(ctx, t, a, now); break;
      case TimerKind::kFinWait2:
        // The peer vanished without its FIN (tcp_fin_timeout); tell it, in case it is there.
        emit_rst(ctx, a, t.snd_max, t.rcv_nxt, true);
        close_block(ctx, t, a, CloseReason::kFinWait2Timeout, ev::kTimedOut);
        break;
      case TimerKind::kTimeWait:
        // 2*MSL passed; already counted as a normal close when TIME-WAIT began.
        t.state = State::kClosed;
        t.timer = TimerKind::kNone;
        t.deadline = kNever;
        a.events |= ev::kClosed;
        a.reason = CloseReason::kNormal;
        break;
      case TimerKind::kNone: break;
    }
  }
  finish(t, a);
  return a;
}

}  // namespace ts::tcp
