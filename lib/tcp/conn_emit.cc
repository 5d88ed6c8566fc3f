// Building the segments the state machine emits.
#include <algorithm>

#include "tcp/conn_internal.h"

namespace ts::tcp::detail {

// Actions leaves seg[] unset: every field of the segment gets its value here, so an emitter
// that sets only what it means never sends what a previous user of the slot left.
OutSegment& push(Context& ctx, Actions& a) {
  ++ctx.cnt.segs_out;
  OutSegment& o = a.seg[a.count++];
  o = OutSegment{};
  return o;
}

// Written into the segment push() emptied, not built apart and copied over: the copy of the
// whole TcpOptions (SACK blocks included) cost a fifth of building an ACK.
void add_timestamps(const Tcb& t, wire::TcpOptions& o, Time now) {
  if (!t.has(tcbf::kTimestamps)) return;
  o.has_timestamps = true;
  o.ts_val = ts_now(t.ts_off, now);
  o.ts_ecr = t.ts_recent;
}

void emit_ack(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (a.full()) return;  // the pending ACK stays owed; output() sends it
  OutSegment& o = push(ctx, a);
  // snd_max, not snd_nxt, as BSD's tcp_output does: after a timeout snd_nxt goes back, and the
  // peer may hold everything up to snd_max already. An ACK numbered below its rcv_nxt fails its
  // acceptability test and is dropped unread, and if both ends went back so (data lost both
  // ways), neither would ever take the other's ACK.
  o.seq = t.snd_max;
  o.ack = t.rcv_nxt;
  o.flags = kAck;
  o.window = advertise(ctx.cfg, t);
  add_timestamps(t, o.opts, now);
  t.flags &= ~(tcbf::kAckNow | tcbf::kAckPure);
}

void emit_rst(Context& ctx, Actions& a, Seq seq, Seq ack, bool with_ack) {
  if (a.full()) return;
  ++ctx.cnt.rsts_sent;
  OutSegment& o = push(ctx, a);
  o.seq = seq;
  o.ack = with_ack ? ack : Seq(0);
  o.flags = with_ack ? (kRst | kAck) : kRst;
  o.window = 0;
}

// Our SYN (SYN-SENT) offers what the config allows; our SYN-ACK answers what the peer offered.
void emit_syn(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (a.full()) return;
  const bool syn_ack = t.state == State::kSynReceived;
  const Config& c = ctx.cfg;
  OutSegment& o = push(ctx, a);
  o.seq = t.snd_una;  // the ISS
  o.ack = syn_ack ? t.rcv_nxt : Seq(0);
  o.flags = syn_ack ? (kSyn | kAck) : kSyn;
  o.window = window_field(t, true);
  o.opts.has_mss = true;
  o.opts.mss = c.mss;
  if (syn_ack ? t.has(tcbf::kWindowScale) : c.window_scaling) {
    o.opts.has_wscale = true;
    o.opts.wscale = syn_ack ? t.rcv_wscale : our_wscale(c);
  }
  o.opts.sack_permitted = syn_ack ? t.has(tcbf::kSackOk) : c.sack_permitted;
  if (syn_ack ? t.has(tcbf::kTimestamps) : c.timestamps) {
    o.opts.has_timestamps = true;
    o.opts.ts_val = ts_now(t.ts_off, now);
    o.opts.ts_ecr = syn_ack ? t.ts_recent : 0;
  }
  if (syn_ack) ++ctx.cnt.synacks_sent;
}

void emit_challenge_ack(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (!take_challenge_ack(ctx, now)) return;
  ++ctx.cnt.challenge_acks;
  emit_ack(ctx, t, a, now);
}

uint32_t emit_range(Context& ctx, Tcb& t, Actions& a, Seq seq, uint32_t max_len, Time now) {
  const Seq head = send_head(t);
  const Seq end = data_end(t);
  uint32_t len = seq < end ? std::min<uint32_t>(max_len, uint32_t(end - seq)) : 0;
  const bool fin = t.has(tcbf::kFinQueued) && seq + len == end &&
                   in_state(t.state, bit(State::kFinWait1) | bit(State::kClosing) |
                                         bit(State::kLastAck));
  OutSegment& o = push(ctx, a);
  o.seq = seq;
  o.ack = t.rcv_nxt;
  o.flags = kAck | (fin ? kFin : 0) | (len && seq + len == end ? kPsh : 0);
  o.window = advertise(ctx.cfg, t);
  o.payload_off = uint32_t(seq - head);
  o.len = len;
  add_timestamps(t, o.opts, now);
  t.flags &= ~tcbf::kAckNow;
  if (len) {
    ++ctx.cnt.data_segs_out;
    ctx.cnt.bytes_out += len;
  }
  if (seq < t.snd_max) {
    ++ctx.cnt.retransmits;
    t.flags &= ~tcbf::kRttTiming;  // Karn: an ACK from now on may be for either copy
  }
  if (fin) t.flags |= tcbf::kFinSent;
  const uint32_t used = len + (fin ? 1u : 0u);
  t.snd_max = seq_max(t.snd_max, seq + used);
  return used;
}

namespace {

// Payload bytes the windows let us send from snd_nxt (RFC 5681 §3.1: min(cwnd, rwnd)), cwnd
// raised by `extra`.
uint32_t send_allowance(const Tcb& t, uint32_t extra) {
  const uint32_t wnd = std::min(t.snd_wnd, t.cwnd + extra);
  const uint32_t flight = in_flight(t);
  return wnd > flight ? wnd - flight : 0;
}

// Limited Transmit (RFC 3042): the first two duplicate ACKs each let one segment more out past
// cwnd, so that a small window still brings the three duplicates that start a fast retransmit
// instead of a timeout. cwnd itself stays, and only new data goes: not while a timeout's
// go-back (snd_nxt < snd_max) is resending.
uint32_t limited_transmit(const Tcb& t) {
  if (!t.dupacks || t.has(tcbf::kRecovery) || t.snd_nxt != t.snd_max) return 0;
  return std::min<uint32_t>(t.dupacks, 2) * t.snd_mss;
}

bool fin_due(const Tcb& t) {
  return t.has(tcbf::kFinQueued) && t.snd_nxt == data_end(t) &&
         in_state(t.state, bit(State::kFinWait1) | bit(State::kClosing) | bit(State::kLastAck));
}

}  // namespace

void flush(Context& ctx, Tcb& t, Actions& a, Time now) {
  const uint32_t extra = limited_transmit(t);
  while (in_state(t.state, kSendingStates)) {
    const Seq end = data_end(t);
    const uint32_t unsent = t.snd_nxt < end ? uint32_t(end - t.snd_nxt) : 0;
    const uint32_t len = std::min({unsent, uint32_t(t.snd_mss), send_allowance(t, extra)});
    // A FIN needs no window; it goes as soon as the data before it is out.
    if (len == 0 && !fin_due(t)) break;
    if (a.full()) {
      a.more = true;
      break;
    }
    const bool fresh = t.snd_nxt == t.snd_max;
    if (fresh && len && !(t.flags & (tcbf::kTimestamps | tcbf::kRttTiming | tcbf::kRecovery))) {
      // Karn: time one new segment at a time; a retransmission cancels the measurement. None
      // during recovery, whose high_rxt shares rtt_seq's place.
      t.flags |= tcbf::kRttTiming;
      t.mark.rtt_seq = t.snd_nxt;
      t.rtt_start_us = uint32_t(now);
    }
    t.snd_nxt += emit_range(ctx, t, a, t.snd_nxt, len, now);
  }
  // An ACK still owed; or a duplicate one, which data that left carried but which must go alone.
  if (t.flags & (tcbf::kAckNow | tcbf::kAckPure)) {
    if (a.full()) a.more = true;
    else emit_ack(ctx, t, a, now);
  }
}

void negotiate(const Context& ctx, Tcb& t, const wire::TcpOptions& peer) {
  const Config& c = ctx.cfg;
  // RFC 9293 §3.7.1: 536 when the peer sends no MSS; Linux's floor keeps tiny values harmless.
  uint32_t mss = peer.has_mss ? peer.mss : 536;
  mss = std::clamp<uint32_t>(mss, 64, c.mss);
  t.flags &= ~(tcbf::kTimestamps | tcbf::kSackOk | tcbf::kWindowScale);
  if (c.timestamps && peer.has_timestamps) {
    t.flags |= tcbf::kTimestamps;
    t.ts_recent = peer.ts_val;
    mss -= 12;  // RFC 6691: the MSS excludes options; each segment carries 12 bytes of them
  }
  if (c.sack_permitted && peer.sack_permitted) t.flags |= tcbf::kSackOk;
  if (c.window_scaling && peer.has_wscale) {
    t.flags |= tcbf::kWindowScale;
    t.snd_wscale = std::min<uint8_t>(peer.wscale, 14);  // RFC 7323 §2.3
    t.rcv_wscale = our_wscale(c);
  } else {
    t.snd_wscale = 0;
    t.rcv_wscale = 0;
  }
  t.snd_mss = uint16_t(mss);
}

}  // namespace ts::tcp::detail
