// The passive side of the handshake (RFC 9293 §3.10.7.2) and the listener's bookkeeping; the
// admission policy is in listen_admit.cc.
#include "tcp/listener.h"

#include "tcp/conn.h"
#include "tcp/conn_internal.h"
#include "tcp/rto.h"

namespace ts::tcp {

using namespace detail;

namespace {

// SYN-RECEIVED for `syn`, nothing emitted.
void init_passive(const Context& ctx, Tcb& t, const FourTuple& tuple, const Segment& syn, Seq isn) {
  t = Tcb{};
  t.tuple = tuple;
  t.state = State::kSynReceived;
  // The profile's keepalive from the start, not at ESTABLISHED: a connection the application
  // set otherwise before then (set_keepalive) keeps its setting.
  t.flags = ctx.cfg.keepalive ? tcbf::kPassive | tcbf::kKeepalive : tcbf::kPassive;
  // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be selected and a SYN
  // segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1
  // and SND.UNA to ISS."
  t.rcv_nxt = syn.seq + 1;
  t.snd_una = isn;
  t.snd_nxt = isn + 1;
  t.snd_max = isn + 1;
  t.rcv_wnd = ctx.cfg.rcv_wnd;
  t.rcv_adv = t.rcv_nxt + window_field(t, true);  // what the SYN-ACK offers
  t.ts_off = isn.v;
  negotiate(ctx, t, syn.opts);
  t.snd_wnd = syn.window;  // unscaled on a SYN
  t.snd_wl1 = syn.seq;
  t.snd_wl2 = isn;
  rto_init(t, ctx.cfg.synack_rto);
}

}  // namespace

Actions passive_open(Context& ctx, Listener& l, Tcb& t, const FourTuple& tuple, const Segment& syn,
                     Seq isn, Time now) {
  init_passive(ctx, t, tuple, syn, isn);
  if (!t.has(tcbf::kTimestamps)) {
    t.flags |= tcbf::kRttTiming;
    t.mark.rtt_seq = isn;
    t.rtt_start_us = uint32_t(now);
  }
  ++ctx.cnt.passive_opens;
  if (ctx.listeners) ++l.half_open;  // released through the lookup, so counted only with it
  Actions a;
  emit_syn(ctx, t, a, now);
  update_timer(ctx, t, now);
  finish(t, a);
  return a;
}

OutSegment stateless_synack(Context& ctx, const Segment& syn, Seq isn, Time now) {
  Tcb t;
  init_passive(ctx, t, FourTuple{}, syn, isn);
  Actions a;
  emit_syn(ctx, t, a, now);
  return a.seg[0];
}

Actions cookie_open(Context& ctx, Listener& l, Tcb& t, const FourTuple& tuple, const Segment& ack,
                    const wire::TcpOptions& syn_opts, Time now) {
  Segment syn;
  syn.flags = kSyn;
  syn.seq = ack.seq - 1;
  syn.window = ack.window;
  syn.opts = syn_opts;
  init_passive(ctx, t, tuple, syn, ack.ack - 1);
  if (t.has(tcbf::kTimestamps) && ack.opts.has_timestamps) t.ts_recent = ack.opts.ts_val;
  ++ctx.cnt.passive_opens;
  if (ctx.listeners) ++l.half_open;  // as if it had waited in SYN-RECEIVED: admission moves it on
  Actions a = on_segment(ctx, t, ack, now);
  if (t.state == State::kSynReceived) {
    // Not admitted (accept queue full): a cookie connection keeps no state, so it goes; the
    // client's next ACK carries the same cookie and may find room.
    Actions drop;
    close_block(ctx, t, drop, CloseReason::kAcceptOverflow, 0);
    a.count = 0;
    a.events = drop.events;
    a.reason = drop.reason;
    a.deadline = kNever;
  }
  return a;
}

void listener_accepted(Listener& l) {
  if (l.accept_queued) --l.accept_queued;
}

bool listener_admit(Listener& l) {
  if (l.accept_queued >= l.backlog) return false;
  ++l.accept_queued;
  if (l.half_open) --l.half_open;
  return true;
}

void listener_half_open_done(Listener& l) {
  if (l.half_open) --l.half_open;
}

}  // namespace ts::tcp
