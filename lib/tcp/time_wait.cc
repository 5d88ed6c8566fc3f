// TIME-WAIT as a compact entry (RFC 9293 §3.10.7.4 for TIME-WAIT, RFC 6191, RFC 7323 §5).
#include "tcp/time_wait.h"

#include "tcp/conn_internal.h"

namespace ts::tcp {

using namespace detail;

TimeWait to_time_wait(const Context& ctx, const Tcb& t, Time now) {
  TimeWait tw;
  tw.expires = now + ctx.cfg.time_wait_len();
  tw.tuple = t.tuple;
  tw.snd_nxt = t.snd_max;
  tw.rcv_nxt = t.rcv_nxt;
  tw.ts_recent = t.ts_recent;
  tw.ts_off = t.ts_off;
  tw.window = window_to_send(ctx.cfg, t);
  tw.flags = t.has(tcbf::kTimestamps) ? kTwTimestamps : 0;
  tw.wscale = t.rcv_wscale;
  return tw;
}

namespace {

TwResult ack(const TimeWait& tw, Time now) {
  TwResult r;
  r.verdict = TwVerdict::kAck;
  r.reply.seq = tw.snd_nxt;
  r.reply.ack = tw.rcv_nxt;
  r.reply.flags = kAck;
  r.reply.window = tw.window;
  if (tw.flags & kTwTimestamps) {
    r.reply.opts.has_timestamps = true;
    r.reply.opts.ts_val = ts_now(tw.ts_off, now);
    r.reply.opts.ts_ecr = tw.ts_recent;
  }
  return r;
}

}  // namespace

TwResult time_wait_segment(Context& ctx, TimeWait& tw, const Segment& s, Time now, bool can_reopen) {
  const bool ts = (tw.flags & kTwTimestamps) && s.opts.has_timestamps;
  if (s.has(kRst)) {
    // RFC 9293: an in-window RST ends TIME-WAIT; RFC 1337 recommends ignoring it instead
    // (TIME-WAIT assassination), which Linux offers as tcp_rfc1337.
    if (ctx.cfg.rfc1337) {
      ++ctx.cnt.rsts_ignored;
      return TwResult{};
    }
    if (s.seq == tw.rcv_nxt) {
      ++ctx.cnt.time_wait_killed;
      ++ctx.cnt.rsts_received;
      return TwResult{TwVerdict::kClose, Seq(), OutSegment{}};
    }
    // RFC 5961 §3.2, as in the synchronized states: an in-window RST that is not exact gets a
    // challenge ACK, so a peer that really lost its state answers with the exact one (Linux
    // ignores it). A zero window takes only the exact one.
    const uint32_t wnd = uint32_t(tw.window) << tw.wscale;
    if (uint32_t(s.seq - tw.rcv_nxt) < wnd && take_challenge_ack(ctx, now)) {
      ++ctx.cnt.challenge_acks;
      return ack(tw, now);
    }
    ++ctx.cnt.rsts_ignored;
    return TwResult{};
  }
  if (s.has(kSyn) && !s.has(kAck)) {
    // RFC 6191: with timestamps on both, a newer TSval shows a new incarnation, or an equal one
    // with a higher sequence number; otherwise (RFC 9293 §3.6.1) a higher sequence number does.
    const bool above = s.seq > tw.rcv_nxt;
    const bool newer = ts ? ts_before(tw.ts_recent, s.opts.ts_val) || (s.opts.ts_val == tw.ts_recent && above)
                          : above;
    if (newer && can_reopen) {
      ++ctx.cnt.time_wait_reopens;
      TwResult r;
      r.verdict = TwVerdict::kReopen;
      r.isn = time_wait_isn_floor(tw);
      return r;
    }
    return ack(tw, now);  // an old duplicate SYN: say where we are
  }
  // PAWS (RFC 7323 §5.3): an old duplicate of the dead connection.
  if (ts && ts_before(s.opts.ts_val, tw.ts_recent)) {
    ++ctx.cnt.paws_drops;
    return ack(tw, now);
  }
  // "The only thing that can arrive in this state is a retransmission of the remote FIN.
  // Acknowledge it, and restart the 2 MSL timeout."
  if (s.has(kFin) && s.seq + s.len + 1 == tw.rcv_nxt) {
    ++ctx.cnt.time_wait_reacks;
    if (ts) tw.ts_recent = s.opts.ts_val;
    tw.expires = now + ctx.cfg.time_wait_len();
    return ack(tw, now);
  }
  // A stray ACK exactly at our edge needs nothing; anything else is unacceptable and ACKed.
  if (s.len == 0 && !s.has(kFin) && s.seq == tw.rcv_nxt) return TwResult{};
  return ack(tw, now);
}

std::optional<Seq> time_wait_reuse(const Context& ctx, const TimeWait& tw, Time min_age, Time now) {
  if (min_age == kNever) return std::nullopt;
  const Time entered = tw.expires - ctx.cfg.time_wait_len();
  if (now < entered + min_age) return std::nullopt;
  return time_wait_isn_floor(tw);
}

}  // namespace ts::tcp
