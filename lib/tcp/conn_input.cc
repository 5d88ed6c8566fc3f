// Segment arrival (RFC 9293 §3.10.7), one function per step of the RFC's "SEGMENT ARRIVES".
#include <algorithm>

#include "tcp/conn.h"
#include "tcp/conn_internal.h"
#include "tcp/listener.h"
#include "tcp/reply.h"
#include "tcp/rto.h"
#include "tcp/sack.h"
#include "tcp/time_wait.h"

namespace ts::tcp {

using namespace detail;

namespace {

// RFC 9293 §3.10.7.4, first check: the four cases of segment length by receive window.
bool acceptable(const Config& c, const Tcb& t, const Segment& s) {
  const uint32_t wnd = receive_space(c, t);
  const uint32_t len = s.seg_len();
  if (len == 0) return wnd == 0 ? s.seq == t.rcv_nxt : seq_in(s.seq, t.rcv_nxt, t.rcv_nxt + wnd);
  if (wnd == 0) return false;
  return seq_in(s.seq, t.rcv_nxt, t.rcv_nxt + wnd) ||
         seq_in(s.seq + (len - 1), t.rcv_nxt, t.rcv_nxt + wnd);
}

void rtt_from_ack(Context& ctx, Tcb& t, const Segment& s, Time now) {
  if (t.has(tcbf::kTimestamps) && s.opts.has_timestamps && s.opts.ts_ecr != 0) {
    // RFC 7323 §4.1: the echoed timestamp gives an RTT even for a retransmitted segment. But
    // the first ACK after a timeout often echoes a segment sent before the outage (the peer
    // had it, its ACK was lost), which would inflate the RTO for a long time: skip that one.
    const uint32_t ms = ts_now(t.ts_off, now) - s.opts.ts_ecr;
    if (int32_t(ms) >= 0 && t.backoff == 0) rto_sample(t, ctx.cfg, Time(ms) * kMsec);
  } else if (t.has(tcbf::kRttTiming) && s.ack > t.mark.rtt_seq) {
    rto_sample(t, ctx.cfg, Time(uint32_t(now) - t.rtt_start_us));
    t.flags &= ~tcbf::kRttTiming;
  }
}

// After the handshake's ACK: its timing was set before timestamps were agreed, and from then on
// they time everything. Left set, it would time the SYN at the first ACK without a usable TSecr,
// hours on (an RTO of 120 s).
void rtt_from_handshake(Context& ctx, Tcb& t, const Segment& s, Time now) {
  rtt_from_ack(ctx, t, s, now);
  if (t.has(tcbf::kTimestamps)) t.flags &= ~tcbf::kRttTiming;
}

// --- SYN-SENT (RFC 9293 §3.10.7.3) -----------------------------------------------------------

void syn_sent(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  const bool rst = s.has(kRst);
  if (s.has(kAck) && (s.ack <= t.snd_una || s.ack > t.snd_nxt)) {
    // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set)
    // <SEQ=SEG.ACK><CTL=RST>" -- an old duplicate's SYN-ACK.
    if (!rst) emit_rst(ctx, a, s.ack, Seq(0), false);
    return;
  }
  if (rst) {
    // "If the ACK was acceptable, then signal to the user 'error: connection reset'"; a RST
    // without an ACK cannot be tied to our SYN (RFC 5961 §3) and is dropped.
    if (s.has(kAck)) {
      ++ctx.cnt.rsts_received;
      close_block(ctx, t, a, CloseReason::kRefused, ev::kReset);
    } else {
      ++ctx.cnt.rsts_ignored;
    }
    return;
  }
  if (!s.has(kSyn)) return;  // "If neither of the SYN or RST bits is set, drop the segment"
  t.rcv_nxt = s.seq + 1;
  t.rcv_adv = t.rcv_nxt + window_field(t, true);  // what our SYN offered
  negotiate(ctx, t, s.opts);
  t.snd_wnd = s.window;  // never scaled on a SYN (RFC 7323 §2.2)
  t.snd_wl1 = s.seq;
  t.snd_wl2 = s.ack;
  if (s.has(kAck)) {
    // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
    // form an ACK segment and send it."
    rtt_from_handshake(ctx, t, s, now);
    t.snd_una = s.ack;
    // The SYN's timer ends here: data queued meanwhile leaves now and is timed from now, with
    // the RTO just measured (RFC 6298 §5.1), as on_handshake_ack does for a passive open.
    t.timer = TimerKind::kNone;
    enter_established(ctx, t, a, now);
    t.flags |= tcbf::kAckNow;
  } else {
    // Simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>".
    t.state = State::kSynReceived;
    emit_syn(ctx, t, a, now);
  }
}

// --- synchronized states and SYN-RECEIVED (RFC 9293 §3.10.7.4) --------------------------------

// Second check, RST, with RFC 5961 §3.2: only an exact match resets; in-window gets challenged.
void on_rst(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  if (s.seq != t.rcv_nxt) return emit_challenge_ack(ctx, t, a, now);
  ++ctx.cnt.rsts_received;
  if (t.state == State::kSynReceived && t.has(tcbf::kPassive)) {
    // "If this connection was initiated with a passive OPEN, then return this connection to
    // LISTEN": the listener never needs this block again and the user never saw it.
    return close_block(ctx, t, a, CloseReason::kReset, 0);
  }
  // SYN-RECEIVED from an active open: "connection refused"; later states: "connection reset".
  close_block(ctx, t, a,
              t.state == State::kSynReceived ? CloseReason::kRefused : CloseReason::kReset,
              ev::kReset);
}

// Fourth check, SYN: RFC 5961 §4 -- whatever its sequence number, answer with a challenge ACK.
void on_syn(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (t.state == State::kSynReceived && t.has(tcbf::kPassive)) {
    // A new SYN (not the one we answered) for a passive half-open block: "return this
    // connection to the LISTEN state"; the client's next SYN finds the listener again.
    return close_block(ctx, t, a, CloseReason::kReset, 0);
  }
  emit_challenge_ack(ctx, t, a, now);
}

// The ACK of a segment whose text we already had. With SACK it tells the sender so in a D-SACK
// block (RFC 2883 §4), so that a sender who resent it for nothing (reordering, a lost ACK, a
// timeout too early) can undo what the resending cost it.
void emit_old_text_ack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  t.flags |= tcbf::kAckNow;
  if (!s.len || !t.has(tcbf::kSackOk) || s.seq + s.len > t.rcv_nxt || a.full()) return;
  emit_ack(ctx, t, a, now);
  wire::TcpOptions& o = a.seg[a.count - 1].opts;
  o.sack[0] = {s.seq.v, (s.seq + s.len).v};
  o.sack_count = 1;
  ++ctx.cnt.dsacks_sent;
}

// RFC 6675 §2: with SACK, an ACK that tells of data past snd_una is a duplicate even if it
// carries data or a new window (RFC 5681's definition would not count it). A receiver whose
// window grows as it reads, or that sends data of its own, sends few ACKs RFC 5681 would count.
bool sack_dupack(const Tcb& t, const Segment& s) {
  return s.opts.sack_count && t.has(tcbf::kSackOk) &&
         sacked_past(s.opts, t.snd_una, t.snd_max, t.snd_una);
}

// RFC 6675's IsLost(snd_una) before three duplicates have come: more than two segments' worth
// SACKed above it. A receiver that ACKs every other segment, or a stretch ACK, tells of three
// arrivals in fewer ACKs.
bool sacked_lost(const Tcb& t, const Segment& s) {
  return t.has(tcbf::kSackOk) && sacked_bytes(s.opts, t.snd_una, t.snd_max) > 2u * t.snd_mss;
}

// Sends again the first hole the ACK's SACK blocks show past what this recovery has already
// sent again (RFC 6675 NextSeg), so that every hole of a window goes in the first round trip;
// NewReno alone finds one hole per round trip, from partial ACKs. It costs no window: a lost
// segment still counts in NewReno's flight (snd_nxt - snd_una), so its copy only brings what is
// really in the network back up to that estimate. False: no block shows a hole.
bool resend_hole(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  if (!t.has(tcbf::kSackOk) || s.opts.sack_count == 0) return false;
  const Seq from = seq_max(t.mark.high_rxt, t.snd_una);
  const Hole h = next_hole(s.opts, t.snd_una, t.snd_max, from, t.snd_mss);
  if (h.len == 0) return false;
  t.mark.high_rxt = h.seq + emit_range(ctx, t, a, h.seq, h.len, now);
  note_resent(ctx, t, t.mark.high_rxt);
  ++ctx.cnt.sack_retransmits;
  return true;
}

// Sends snd_una again, the copy noted as leaving now (kUnaResent with `recover` = snd_max).
void resend_una(Context& ctx, Tcb& t, Actions& a, Time now) {
  t.recover = t.snd_max;
  t.flags |= tcbf::kUnaResent;
  const Seq end = t.snd_una + emit_range(ctx, t, a, t.snd_una, t.snd_mss, now);
  note_resent(ctx, t, end);
  t.mark.high_rxt = seq_max(t.mark.high_rxt, end);
}

// In recovery, with SACK: whether snd_una is missing although data sent after it arrived.
//  - kUnaResent: its copy left when snd_max was `recover`; a block past recover shows later data.
//  - Otherwise, after a partial ACK, snd_una below high_rxt lay in the part of the window whose
//    holes this recovery has been sending again, in sequence order: its copy (if the holes'
//    walk did not step over it) left before the copy that ends at high_rxt. A block holding
//    that copy's last byte shows it arrived, so snd_una's is lost, or was never sent.
[[gnu::noinline]] bool una_copy_lost(const Tcb& t, const Segment& s) {
  if (!t.has(tcbf::kSackOk) || !s.opts.sack_count) return false;
  if (t.has(tcbf::kUnaResent)) return sacked_past(s.opts, t.snd_una, t.snd_max, t.recover);
  return t.snd_una < t.mark.high_rxt && sacked_at(s.opts, t.snd_una, t.snd_max, t.mark.high_rxt - 1);
}

// Fast retransmit / fast recovery: NewReno (RFC 5681 §3.2, RFC 6582), holes found by SACK
// blocks sent at once (resend_hole).
void on_dupack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  if (t.dupacks < 255) ++t.dupacks;
  if (t.has(tcbf::kRecovery)) {
    t.cwnd += t.snd_mss;  // each duplicate says one more segment left the network
    if (una_copy_lost(t, s)) {
      // Data sent after our copy of snd_una has arrived and the copy has not: it was lost too.
      // Sent again now rather than after a timeout (Linux's lost-retransmit detection); the
      // recovery goes on to cover what has been sent since.
      ++ctx.cnt.sack_retransmits;
      resend_una(ctx, t, a, now);
      return;
    }
    resend_hole(ctx, t, s, a, now);
  } else if (t.has(tcbf::kAfterRto) && s.ack <= t.recover && !t.has(tcbf::kSackOk)) {
    // Not past `recover` (snd_max, one above RFC 6582's "highest sequence number transmitted"):
    // the duplicates may be the go-back's copies of what the peer had, so no new congestion
    // event (§3.2 step 2: the window is not halved again). But a copy the go-back lost is as
    // likely: the third sends snd_una again, as Linux's Loss state marks the head lost, rather
    // than leave it to the next timeout. With SACK the blocks tell which is which.
    if (t.dupacks == 3) emit_range(ctx, t, a, t.snd_una, t.snd_mss, now);
    return;
  } else if (t.dupacks >= 3 || sacked_lost(t, s) || (t.has(tcbf::kTlpOut) && sack_dupack(t, s))) {
    // After a tail loss probe, any block above snd_una will do: what it leaves out was sent two
    // round trips before (RACK's reasoning, RFC 8985 §6.2), so it is lost, not reordered.
    t.dupacks = 3;
    t.flags &= ~(tcbf::kTlpOut | tcbf::kTlpResent);  // `recover` is recovery's now
    const uint32_t flight = uint32_t(t.snd_max - t.snd_una);
    begin_undo(ctx, t, now);
    t.ssthresh = std::max<uint32_t>(flight / 2, 2u * t.snd_mss);
    t.cwnd = t.ssthresh + 3u * t.snd_mss;
    t.flags |= tcbf::kRecovery;
    t.flags &= ~tcbf::kRttTiming;  // high_rxt takes rtt_seq's place until recovery ends
    ++ctx.cnt.fast_retransmits;
    t.mark.high_rxt = t.snd_una;
    resend_una(ctx, t, a, now);
  }
}

// A partial ACK in recovery. NewReno (RFC 6582) takes what it stops at for lost too. A peer
// that sends SACK blocks says more: the next hole is lost only if a block lies above it, and
// may have been sent again already; what it stops at may just be in flight (RFC 6675).
void on_partial_ack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  t.flags &= ~tcbf::kUnaResent;  // snd_una moved: when its copy (if any) left is not known
  if (t.has(tcbf::kSackOk)) {
    resend_hole(ctx, t, s, a, now);
    return;
  }
  t.mark.high_rxt = t.snd_una + emit_range(ctx, t, a, t.snd_una, t.snd_mss, now);
  note_resent(ctx, t, t.mark.high_rxt);
}

// The part of the ACK that covers new sequence space. Returns true if it covered our FIN.
bool on_new_ack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  const uint32_t acked = uint32_t(s.ack - t.snd_una);
  const uint32_t data = std::min(acked, t.snd_queued);
  const bool fin_acked = acked > data;  // only our FIN lies past the data
  t.snd_queued -= data;
  if (data) {
    a.acked += data;
    a.events |= ev::kSendSpace;
  }
  // Once our FIN is acknowledged, nothing of ours is ever timed again: all that can follow is
  // ACKs, which have no retransmission timer. A sample would update an estimate nobody reads
  // (and on the last ACK of a connection, it was 60 instructions of a CPS exchange).
  if (!fin_acked) rtt_from_ack(ctx, t, s, now);
  t.snd_una = s.ack;
  if (t.snd_nxt < t.snd_una) t.snd_nxt = t.snd_una;  // after an RTO went back
  t.retries = 0;
  t.backoff = 0;
  if (t.has(tcbf::kAfterRto) && s.ack > t.recover) t.flags &= ~tcbf::kAfterRto;
  if (t.has(tcbf::kRecovery)) {
    if (s.ack >= t.recover) {
      // Full ACK: leave recovery with the window deflated to ssthresh.
      t.flags &= ~(tcbf::kRecovery | tcbf::kUnaResent);
      t.cwnd = std::min(t.ssthresh, in_flight(t) + t.snd_mss);
    } else {
      // Partial ACK: deflate by what was acked, send the next hole.
      on_partial_ack(ctx, t, s, a, now);
      t.cwnd = (t.cwnd > data ? t.cwnd - data : 0) + t.snd_mss;
    }
  } else if (t.cwnd < t.ssthresh) {
    t.cwnd += std::min<uint32_t>(data, t.snd_mss);  // slow start
  } else {
    t.cwnd += std::max<uint32_t>(1, uint32_t(uint64_t(t.snd_mss) * t.snd_mss / t.cwnd));
  }
  t.dupacks = 0;
  // RFC 6298 §5.3: restart the timer for what is still outstanding (update_timer stops it).
  t.timer = TimerKind::kNone;
  return fin_acked;
}

// Fifth check, ACK, for the synchronized states. Returns false if the segment is done with.
bool on_ack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now, bool& fin_acked) {
  if (s.ack > t.snd_max) {
    // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop".
    ++ctx.cnt.bad_ack_drops;
    t.flags |= tcbf::kAckNow;
    return false;
  }
  // RFC 5961 §5.2: an ACK too far behind is not from the peer we know.
  const uint32_t max_wnd = std::max<uint32_t>(t.snd_wnd, 0xffffu << t.snd_wscale);
  if (s.ack < t.snd_una - max_wnd) {
    ++ctx.cnt.bad_ack_drops;
    emit_challenge_ack(ctx, t, a, now);
    return false;
  }
  const uint32_t old_wnd = t.snd_wnd;
  // "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK), set SND.WND".
  if (t.snd_una <= s.ack && (t.snd_wl1 < s.seq || (t.snd_wl1 == s.seq && t.snd_wl2 <= s.ack))) {
    t.snd_wnd = uint32_t(s.window) << t.snd_wscale;
    t.snd_wl1 = s.seq;
    t.snd_wl2 = s.ack;
  }
  // An answered zero-window probe: the peer is there, so probing goes on as long as it answers
  // (RFC 9293 MUST-36); the count is of probes in a row without an answer (Linux's probes_out).
  // The same when the window shrank to zero under data in flight: the retransmissions are then
  // the probes, and a peer answering them must not be timed out (§3.8.6.1, SHLD-15).
  if (t.timer == TimerKind::kPersist || (t.snd_wnd == 0 && s.ack == t.snd_una)) t.retries = 0;
  const bool advanced = s.ack > t.snd_una;
  if (advanced) {
    fin_acked = on_new_ack(ctx, t, s, a, now);
  } else if (s.ack == t.snd_una && t.snd_max != t.snd_una && !s.has(kFin) && !s.text_dropped &&
             ((s.len == 0 && t.snd_wnd == old_wnd) || sack_dupack(t, s))) {
    on_dupack(ctx, t, s, a, now);
  }
  if (t.has(tcbf::kTlpOut)) settle_probe(ctx, t, s, advanced);
  if (t.undo) settle_undo(ctx, t, s, now);
  return true;
}

// SYN-RECEIVED, ACK: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state".
bool on_handshake_ack(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  if (!(t.snd_una < s.ack && s.ack <= t.snd_max)) {
    // "If the segment acknowledgment is not acceptable, form a reset segment
    // <SEQ=SEG.ACK><CTL=RST>" -- this is what stops an old duplicate SYN.
    emit_rst(ctx, a, s.ack, Seq(0), false);
    return false;
  }
  if (t.has(tcbf::kPassive) && ctx.listeners) {
    Listener* l = ctx.listeners->find(t.tuple);
    if (l && !listener_admit(*l)) {
      // Accept queue full: act as if the ACK was lost; the client's next segment tries again
      // while our SYN-ACK timer keeps running (Linux without tcp_abort_on_overflow).
      ++ctx.cnt.accept_overflows;
      if (ctx.cfg.abort_on_overflow) {
        emit_rst(ctx, a, s.ack, Seq(0), false);
        close_block(ctx, t, a, CloseReason::kAcceptOverflow, ev::kReset);
      }
      return false;
    }
  }
  rtt_from_handshake(ctx, t, s, now);
  t.snd_una = s.ack;
  // A SYN's window is never scaled (RFC 7323 §2.2): the SYN-ACK of a simultaneous open.
  t.snd_wnd = s.has(kSyn) ? s.window : uint32_t(s.window) << t.snd_wscale;
  t.snd_wl1 = s.seq;
  t.snd_wl2 = s.ack;
  t.timer = TimerKind::kNone;
  enter_established(ctx, t, a, now);
  return true;
}

// Text past a hole: offered to the caller to keep when it lies in the window, and answered at
// once with a duplicate ACK (RFC 5681 §4.2), a pure one (kAckPure): on data of ours about to
// leave, the ACK would not count as a duplicate (RFC 5681 §2, Linux's FLAG_DATA), and its sender
// would learn of the hole only from its timer. The caller adds the SACK blocks.
[[gnu::noinline, gnu::cold]] void on_text_ahead(Context& ctx, Tcb& t, Seq seq, Actions& a) {
  ++ctx.cnt.ooo_segments;
  if (uint32_t(seq - t.rcv_nxt) < receive_space(ctx.cfg, t)) a.events |= ev::kAhead;
  t.flags |= tcbf::kAckPure;
}

// Seventh, segment text: in-order payload is handed out in place; anything ahead of rcv_nxt is
// answered with a duplicate ACK, and offered to the caller to keep when it lies in the window.
// Inlined: on_segment took it in place before held_text() shared it (30 instructions a connection).
[[gnu::always_inline]] inline void on_text(Context& ctx, Tcb& t, const Segment& s, Actions& a) {
  Seq seq = s.seq;
  const uint8_t* p = s.payload;
  uint32_t len = s.len;
  t.flags |= tcbf::kAckNow;  // every segment that occupies sequence space is ACKed
  if (seq < t.rcv_nxt) {
    const uint32_t dup = uint32_t(t.rcv_nxt - seq);
    if (dup >= len) return;  // nothing new
    p += dup;
    len -= dup;
    seq = t.rcv_nxt;
  }
  if (seq != t.rcv_nxt) return on_text_ahead(ctx, t, seq, a);
  const uint32_t take = std::min(len, receive_space(ctx.cfg, t));
  if (ctx.cfg.app_window && take) {  // held until consumed()
    if (take >= t.rcv_wnd && t.rcv_wnd) ++ctx.cnt.windows_closed;
    t.rcv_wnd = take < t.rcv_wnd ? t.rcv_wnd - take : 0;
  }
  if (take) {
    t.rcv_nxt += take;
    a.data = p;
    a.data_len = take;
    a.events |= ev::kData;
    ctx.cnt.bytes_in += take;
  }
}

// Eighth, FIN: "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN".
void on_fin(Context& ctx, Tcb& t, Actions& a, Time now) {
  t.rcv_nxt += 1;
  t.flags |= tcbf::kAckNow;
  a.events |= ev::kPeerClosed;
  switch (t.state) {
    case State::kSynReceived:
    case State::kEstablished:
      t.state = State::kCloseWait;
      break;
    case State::kFinWait1:
      // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT ...;
      // otherwise, enter the CLOSING state." (An ACK of our FIN in this very segment has
      // already moved us to FIN-WAIT-2, handled below.)
      t.state = State::kClosing;
      break;
    case State::kFinWait2:
      enter_time_wait(ctx, t, a, now);
      break;
    default:
      break;  // CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state"
  }
}

// The fifth check on: an acceptable segment (RFC 9293 §3.10.7.4). Inlined into synchronized(),
// its one hot caller; zero_window_text() has the other copy.
[[gnu::always_inline]] inline void in_window(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  const bool rst = s.has(kRst);
  // Any acceptable segment restarts the idle timers (keepalive, FIN-WAIT-2).
  if (t.timer == TimerKind::kKeepalive || t.timer == TimerKind::kFinWait2) {
    t.timer = TimerKind::kNone;
    t.retries = 0;
  }
  if (rst) return on_rst(ctx, t, s, a, now);
  if (s.has(kSyn)) return on_syn(ctx, t, a, now);
  if (!s.has(kAck)) return;  // "if the ACK bit is off, drop the segment and return"

  bool fin_acked = false;
  if (t.state == State::kSynReceived) {
    if (!on_handshake_ack(ctx, t, s, a, now)) return;
  } else if (!on_ack(ctx, t, s, a, now, fin_acked)) {
    return;
  }
  // RFC 7323 §4.3: remember the newest timestamp of a segment that is not ahead of us. Only now,
  // past the RST, SYN and ACK checks: a forged segment must not move TS.Recent (and so make
  // PAWS drop the real peer's segments).
  if (t.has(tcbf::kTimestamps) && s.opts.has_timestamps && s.seq <= t.rcv_nxt)
    t.ts_recent = s.opts.ts_val;
  if (fin_acked) {
    switch (t.state) {
      case State::kFinWait1: t.state = State::kFinWait2; break;  // "enter FIN-WAIT-2"
      case State::kClosing: return enter_time_wait(ctx, t, a, now);
      case State::kLastAck: return close_block(ctx, t, a, CloseReason::kNormal, 0);
      default: break;
    }
  }

  if (s.len) {
    if (in_state(t.state, kReceivesData)) on_text(ctx, t, s, a);
    else t.flags |= tcbf::kAckNow;  // text after the peer's FIN: "ignore the segment text"
  }
  // The FIN counts only once everything before it is in: a hole, or a tail cut by our window,
  // leaves rcv_nxt short of it.
  if (s.has(kFin)) {
    if (s.seq + s.len == t.rcv_nxt && !in_state(t.state, kPeerFinStates)) on_fin(ctx, t, a, now);
    else t.flags |= tcbf::kAckNow;
  }
}

// "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be made
// to accept valid ACKs": the text (data, FIN) is dropped, and answered with the window, still
// zero. A bare FIN too: an application whose window reopens only as what it sent is acknowledged
// (an echo, app_window) may get that ACK on the peer's FIN alone.
[[gnu::noinline, gnu::cold]] void zero_window_text(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  ++ctx.cnt.bad_seq_acks;
  t.flags |= tcbf::kAckNow;
  Segment bare = without_text(s);
  bare.text_dropped = true;  // a FIN's too: no duplicate ACK (RFC 5681 §2)
  in_window(ctx, t, bare, a, now);
}

// The first check failed (RFC 9293 §3.10.7.4). Out of line: the common case is acceptable.
[[gnu::noinline, gnu::cold]] void unacceptable(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  const bool rst = s.has(kRst);
  if (!rst && !s.has(kSyn) && (s.len || s.has(kFin)) && s.seq == t.rcv_nxt && receive_space(ctx.cfg, t) == 0)
    return zero_window_text(ctx, t, s, a, now);  // its ACK still counts
  // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply
  // (unless the RST bit is set)"; a SYN gets a challenge ACK (RFC 5961 §4) and nothing else:
  // out of the window, it cannot end even a half-open block (the fourth check's "return to
  // LISTEN" is for acceptable segments), or a blind SYN would.
  if (rst) {
    ++ctx.cnt.rsts_ignored;
  } else if (s.has(kSyn)) {
    emit_challenge_ack(ctx, t, a, now);
  } else {
    ++ctx.cnt.bad_seq_acks;
    emit_old_text_ack(ctx, t, s, a, now);
  }
}

void synchronized(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  const bool rst = s.has(kRst);
  // Simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK answers our SYN while we are in
  // SYN-RECEIVED. Its SYN is the one already received, so only its ACK is news (as Linux).
  if (t.state == State::kSynReceived && !t.has(tcbf::kPassive) && s.has(kSyn) && s.has(kAck) &&
      !rst && s.seq + 1 == t.rcv_nxt && s.ack == t.snd_nxt) {
    on_handshake_ack(ctx, t, s, a, now);
    return;
  }
  // SYN-RECEIVED: the same SYN again means our SYN-ACK was lost; send it again (Linux does).
  if (t.state == State::kSynReceived && s.has(kSyn) && !s.has(kAck) && !rst &&
      s.seq + 1 == t.rcv_nxt) {
    ++ctx.cnt.dup_syns;
    return emit_syn(ctx, t, a, now);
  }
  // RFC 7323 §5.3 R1 (PAWS), before the sequence check; RSTs are exempt.
  if (t.has(tcbf::kTimestamps) && s.opts.has_timestamps && !rst &&
      ts_before(s.opts.ts_val, t.ts_recent)) {
    ++ctx.cnt.paws_drops;
    t.flags |= tcbf::kAckNow;
    return;
  }
  if (!acceptable(ctx.cfg, t, s)) return unacceptable(ctx, t, s, a, now);
  in_window(ctx, t, s, a, now);
}

// A block the caller kept in TIME-WAIT behaves as the compact entry would; a SYN that could
// reopen it just ends it (the client's next SYN then finds the listener). Without a listener
// such a SYN is ACKed as an old one, as the datapath does for the entry: a guessed SYN must not
// end TIME-WAIT early (RFC 9293 §3.6.1).
void time_wait_block(Context& ctx, Tcb& t, const Segment& s, Actions& a, Time now) {
  TimeWait tw = to_time_wait(ctx, t, now);
  tw.expires = t.deadline;
  const bool syn = s.has(kSyn) && !s.has(kAck);  // only a SYN asks: the datapath's rule
  const bool can_reopen = syn && ctx.listeners && ctx.listeners->find(t.tuple) != nullptr;
  const TwResult r = time_wait_segment(ctx, tw, s, now, can_reopen);
  t.deadline = tw.expires;
  t.ts_recent = tw.ts_recent;
  switch (r.verdict) {
    case TwVerdict::kAck:
      if (!a.full()) {
        ++ctx.cnt.segs_out;
        a.seg[a.count++] = r.reply;
      }
      break;
    case TwVerdict::kClose:
    case TwVerdict::kReopen:
      t.state = State::kClosed;
      t.timer = TimerKind::kNone;
      t.deadline = kNever;
      a.events |= ev::kClosed;
      a.reason = r.verdict == TwVerdict::kClose ? CloseReason::kReset : CloseReason::kNormal;
      break;
    case TwVerdict::kDrop:
      break;
  }
}

// After an input: what is owed goes out, the timer follows the state.
void conclude(Context& ctx, Tcb& t, Actions& a, Time now) {
  if (t.state != State::kClosed && t.state != State::kTimeWait) {
    flush(ctx, t, a, now);
    update_timer(ctx, t, now);
  } else if (t.state == State::kTimeWait && t.has(tcbf::kAckNow)) {
    emit_ack(ctx, t, a, now);  // the ACK of the FIN that brought us here
  }
  finish(t, a);
}

}  // namespace

Actions held_text(Context& ctx, Tcb& t, const HeldSegment& h, bool ack, Time now) {
  Actions a;
  if (in_state(t.state, kReceivesData) && h.seq <= t.rcv_nxt) {
    Segment s;
    s.seq = h.seq;
    s.payload = h.payload;
    s.len = h.len;
    if (s.len) on_text(ctx, t, s, a);
    if (h.fin && s.seq + s.len == t.rcv_nxt) on_fin(ctx, t, a, now);
    // Not the run's last: no ACK of its own, unless the window left part of it untaken. A
    // segment the hole's filler covered whole counts as taken: its ACK would stop short of the
    // rest of the run, and read to the sender as a partial ACK.
    if (!ack && !h.fin && t.rcv_nxt >= s.seq + s.len) t.flags &= ~tcbf::kAckNow;
  }
  conclude(ctx, t, a, now);
  return a;
}

Actions on_segment(Context& ctx, Tcb& t, const Segment& s, Time now) {
  Actions a;
  ++ctx.cnt.segs_in;
  switch (t.state) {
    case State::kClosed: {
      OutSegment o;
      if (reply_to_unknown(s, o)) {
        ++ctx.cnt.rsts_sent;
        ++ctx.cnt.segs_out;
        a.seg[a.count++] = o;
      }
      break;
    }
    case State::kListen:
      break;  // listeners are not blocks: see listen_segment()
    case State::kSynSent:
      syn_sent(ctx, t, s, a, now);
      break;
    case State::kTimeWait:
      time_wait_block(ctx, t, s, a, now);
      break;
    default:
      synchronized(ctx, t, s, a, now);
      break;
  }
  conclude(ctx, t, a, now);
  return a;
}

}  // namespace ts::tcp
