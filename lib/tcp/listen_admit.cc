// SYN admission: what a listener does with a segment that matches no connection (RFC 9293
// §3.10.7.2, LISTEN), with the defences of RFC 4987: a bounded half-open population, a bounded
// accept queue and SYN cookies. Nothing is allocated here; the caller acts on the verdict.
#include "tcp/listener.h"
#include "tcp/syncookie.h"

namespace ts::tcp {

namespace {

ListenResult verdict(ListenVerdict v) {
  ListenResult r;
  r.verdict = v;
  return r;
}

// <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK-bearing segment a listener cannot take.
ListenResult reset(Context& ctx, ListenVerdict v, const Segment& s) {
  ListenResult r;
  r.verdict = v;
  r.send = true;
  r.reply.seq = s.ack;
  r.reply.flags = kRst;
  ++ctx.cnt.rsts_sent;
  ++ctx.cnt.segs_out;
  return r;
}

// Without the lookup the accept queue is never counted (see the top of listener.h), so it is
// never full either.
bool accept_full(const Context& ctx, const Listener& l) {
  return ctx.listeners && l.accept_queued >= l.backlog;
}

// An ACK is worth a cookie check only while a cookie of ours may still be valid: otherwise no
// hash is spent on it and it gets the RFC's RST, as in Linux (tcp_synq_no_recent_overflow).
bool cookies_outstanding(const Context& ctx, const Listener& l, Time now) {
  return ctx.cfg.syncookies != CookieMode::kOff && now < l.cookies_live_until;
}

ListenResult cookie_synack(Context& ctx, Listener& l, const FourTuple& tuple, const Segment& syn,
                           Time now) {
  rotate_cookie_secrets(ctx, now);
  // Window scale and SACK-permitted survive only through the timestamp. Without it they must
  // not be offered either, or the two ends would disagree about the window (Linux clears them).
  const bool ts = ctx.cfg.timestamps && syn.opts.has_timestamps;
  Segment s = syn;
  if (!ts) {
    s.opts.has_wscale = false;
    s.opts.sack_permitted = false;
  }
  const uint8_t mss_index = cookie_mss_index(syn.opts.has_mss ? syn.opts.mss : 0);
  const uint32_t cookie =
      cookie_make(ctx.cookie_secrets, tuple, syn.seq.v, mss_index, cookie_counter(now));
  ListenResult r;
  r.verdict = ListenVerdict::kCookieSynAck;
  r.send = true;
  r.reply = stateless_synack(ctx, s, Seq(cookie), now);
  // The TSval moves back at most 63 ms to carry the options; the connection's clock (cookie_open
  // sets ts_off to the cookie, as stateless_synack did) never runs behind it afterwards.
  if (ts) r.reply.opts.ts_val = cookie_tsval(r.reply.opts.ts_val, cookie_options(s.opts, false));
  ++ctx.cnt.cookies_sent;
  l.cookies_live_until = Time(cookie_counter(now) + kCookieMaxAge + 1) * kCookieTick;
  return r;
}

// The SYN options the cookie brings back: the MSS from the cookie, window scale and
// SACK-permitted from the TSecr when our SYN-ACK carried a timestamp (the ACK echoes it).
wire::TcpOptions restored_options(const Context& ctx, const Segment& ack, uint16_t mss) {
  wire::TcpOptions o;
  o.has_mss = true;
  o.mss = mss;
  if (ctx.cfg.timestamps && ack.opts.has_timestamps) {
    const CookieOptions c = cookie_ts_decode(ack.opts.ts_ecr);
    o.has_timestamps = true;
    o.ts_val = ack.opts.ts_val;
    o.has_wscale = c.wscale_ok;
    o.wscale = c.wscale;
    o.sack_permitted = c.sack_ok;
  }
  return o;
}

ListenResult cookie_ack(Context& ctx, Listener& l, const FourTuple& tuple, const Segment& ack,
                        Time now) {
  rotate_cookie_secrets(ctx, now);
  // The ACK carries client ISN + 1 and acknowledges cookie + 1.
  const CookieResult c = cookie_check(ctx.cookie_secrets, tuple, (ack.seq - 1u).v,
                                      (ack.ack - 1u).v, cookie_counter(now));
  switch (c.status) {
    case CookieStatus::kForged:
      ++ctx.cnt.cookies_forged;
      return verdict(ListenVerdict::kDrop);
    case CookieStatus::kStale:
      ++ctx.cnt.cookies_stale;
      ++ctx.cnt.listen_resets;
      return reset(ctx, ListenVerdict::kReset, ack);
    case CookieStatus::kValid:
      break;
  }
  ++ctx.cnt.cookies_validated;
  if (accept_full(ctx, l)) {
    // As for a half-open block: the client's next segment carries the same cookie and may find
    // room (while the cookie is young enough); or a RST under abort_on_overflow.
    ++ctx.cnt.accept_overflows;
    if (ctx.cfg.abort_on_overflow) return reset(ctx, ListenVerdict::kAcceptOverflow, ack);
    return verdict(ListenVerdict::kAcceptOverflow);
  }
  ListenResult r;
  r.verdict = ListenVerdict::kCookieOpen;
  r.syn_opts = restored_options(ctx, ack, c.mss);
  return r;
}

ListenResult listen_syn(Context& ctx, Listener& l, const FourTuple& tuple, const Segment& syn,
                        Time now, bool tw_reopen) {
  ++ctx.cnt.syns_received;
  if (accept_full(ctx, l)) {
    ++ctx.cnt.syn_accept_full_drops;
    return verdict(ListenVerdict::kAcceptOverflow);
  }
  const bool full = l.half_open >= l.max_half_open;
  const CookieMode mode = ctx.cfg.syncookies;
  if (!tw_reopen && (mode == CookieMode::kAlways || (mode == CookieMode::kAuto && full))) {
    return cookie_synack(ctx, l, tuple, syn, now);
  }
  // A SYN reopening one of our TIME-WAIT entries comes from a peer that completed a handshake on
  // this very tuple, and a cookie cannot carry the ISN RFC 6191 needs above the old snd_nxt:
  // Linux admits it past a full SYN queue (tcp_conn_request with an isn), and so do we. Such
  // SYNs are bounded by the TIME-WAIT entries themselves.
  if (full && !tw_reopen) {
    ++ctx.cnt.half_open_drops;
    return verdict(ListenVerdict::kHalfOpenFull);
  }
  return verdict(ListenVerdict::kOpen);
}

}  // namespace

ListenResult listen_segment(Context& ctx, Listener& l, const FourTuple& tuple, const Segment& s,
                            Time now, bool tw_reopen) {
  // "First, check for a RST: an incoming RST segment could not be valid since it could not have
  // been sent in response to anything sent by this incarnation of the connection. Ignore it."
  if (s.has(kRst)) {
    ++ctx.cnt.rsts_ignored;
    return verdict(ListenVerdict::kDrop);
  }
  // "Second, check for an ACK: any acknowledgment is bad if it arrives on a connection still in
  // the LISTEN state. An acceptable reset segment should be formed for any arriving ACK-bearing
  // segment" -- unless it completes a handshake we answered with a cookie (RFC 4987 §3.6).
  if (s.has(kAck)) {
    if (!s.has(kSyn) && cookies_outstanding(ctx, l, now)) return cookie_ack(ctx, l, tuple, s, now);
    ++ctx.cnt.listen_resets;
    return reset(ctx, ListenVerdict::kReset, s);
  }
  // "Third, check for a SYN." A SYN with FIN is no opening anyone means (scanners send it to
  // slip past filters): Linux and the BSDs drop it, and so do we.
  if (s.has(kSyn) && s.has(kFin)) {
    ++ctx.cnt.syn_fin_drops;
    return verdict(ListenVerdict::kDrop);
  }
  if (s.has(kSyn)) return listen_syn(ctx, l, tuple, s, now, tw_reopen);
  // "Fourth, other data or control: ... drop the segment and return."
  return verdict(ListenVerdict::kDrop);
}

// The same checks without cookies or the accept queue (listener.h says why it is kept).
ListenVerdict listen_segment(Context& ctx, Listener& l, const Segment& s) {
  if (s.has(kRst)) {
    ++ctx.cnt.rsts_ignored;
    return ListenVerdict::kDrop;
  }
  if (s.has(kAck)) {
    ++ctx.cnt.listen_resets;
    return ListenVerdict::kReset;
  }
  if (s.has(kSyn) && s.has(kFin)) {
    ++ctx.cnt.syn_fin_drops;
    return ListenVerdict::kDrop;
  }
  if (s.has(kSyn)) {
    ++ctx.cnt.syns_received;
    if (l.half_open >= l.max_half_open) {
      ++ctx.cnt.half_open_drops;
      return ListenVerdict::kHalfOpenFull;
    }
    return ListenVerdict::kOpen;
  }
  return ListenVerdict::kDrop;
}

bool rotate_cookie_secrets(Context& ctx, Time now) {
  if (!ctx.cookie_keys || now - ctx.cookie_rotated < kCookieRotatePeriod) return false;
  cookie_rotate(ctx.cookie_secrets, ctx.cookie_keys->fresh_key());
  ctx.cookie_rotated = now;
  ++ctx.cnt.cookie_rotations;
  return true;
}

}  // namespace ts::tcp
