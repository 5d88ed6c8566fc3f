// Passive open (RFC 9293 §3.10.7.2, LISTEN). A listener holds no connection state: a SYN makes a
// new block in SYN-RECEIVED, which the caller stores under its 4-tuple. The half-open and
// accept-queue counts live here; the state machine finds the listener again through
// Context::listeners when the handshake completes or fails. Without Context::listeners nothing
// is counted (half_open, accept_queued stay 0), every completed handshake is admitted and the
// half-open bound never triggers (only CookieMode::kAlways sends cookies).
#pragma once
#include <cstdint>

#include "tcp/actions.h"
#include "tcp/context.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

namespace ts::tcp {

struct Listener {
  uint32_t backlog = 128;          // accept queue bound: listen(backlog)
  uint32_t max_half_open = 1024;   // SYN-RECEIVED blocks at most
  uint32_t half_open = 0;          // SYN-RECEIVED blocks alive
  uint32_t accept_queued = 0;      // ESTABLISHED, not yet taken by the application
  Time cookies_live_until = 0;     // cookies we sent may come back before then (0: none sent)
};

enum class ListenVerdict : uint8_t {
  kDrop,            // nothing to send, nothing to allocate (a RST; neither SYN nor ACK; a forged
                    // cookie, see below)
  kReset,           // answer with a RST: ListenResult::reply (legacy form: reply_to_unknown())
  kOpen,            // a SYN: allocate a block and call passive_open()
  kHalfOpenFull,    // a SYN over the half-open bound, cookies off (or a TIME-WAIT reopen):
                    // dropped and counted
  kCookieSynAck,    // a SYN answered statelessly: send ListenResult::reply, allocate nothing
  kCookieOpen,      // an ACK whose cookie validated: allocate a block and call cookie_open()
                    // with ListenResult::syn_opts
  kAcceptOverflow,  // the accept queue is full: a SYN is dropped; a validated cookie ACK is
                    // dropped, or answered with the RST in `reply` under abort_on_overflow
};

// The admission decision for one segment, with the segment to send when there is one.
struct ListenResult {
  ListenVerdict verdict = ListenVerdict::kDrop;
  bool send = false;          // transmit `reply` (a RST or the cookie SYN-ACK; never payload)
  OutSegment reply;
  wire::TcpOptions syn_opts;  // kCookieOpen: the client's SYN options as the cookie restored them
};

// SYN admission: what a listener does with a segment that matches no connection (RFC 9293
// §3.10.7.2 plus RFC 4987). The datapath's whole listener path, in the order the RFC checks:
//
//   const ListenResult r = listen_segment(ctx, l, tuple, seg, now);
//   if (r.send) transmit(r.reply);
//   if (r.verdict == ListenVerdict::kOpen)
//     apply(passive_open(ctx, l, *alloc(), tuple, seg, choose_isn(ctx, tuple, now), now));
//   else if (r.verdict == ListenVerdict::kCookieOpen)
//     apply(cookie_open(ctx, l, *alloc(), tuple, seg, r.syn_opts, now));
//
// RST: ignored. ACK (no SYN): checked as a cookie only while cookies this listener sent may
// still come back (Listener::cookies_live_until, any mode but off), as Linux does; then
//   valid  -> kCookieOpen, or kAcceptOverflow when the accept queue is full;
//   stale  -> kReset: the MAC proves the tuple got our SYN-ACK, so a real client learns at once
//             instead of timing out (RFC 9293: an ACK at a listener gets a RST);
//   forged -> kDrop, silently, as Linux: a flood of spoofed ACKs is not reflected as RSTs.
// Any other ACK gets the RFC's RST <SEQ=SEG.ACK><CTL=RST> (kReset).
// SYN: with the accept queue full, dropped (kAcceptOverflow, as Linux: a SYN-ACK would only lead
// to an ACK we cannot admit; the client retries its SYN). Then a cookie SYN-ACK when the mode is
// `always`, or `auto` with the half-open bound reached; over the bound with cookies off,
// kHalfOpenFull; else kOpen. A SYN that reopens a TIME-WAIT entry (tw_reopen: the caller brings
// the ISN from time_wait_segment) never gets a cookie, whose ISN could not respect RFC 6191.
// Every RST and SYN-ACK returned here is counted as sent (segs_out, rsts_sent, synacks_sent).
// The cookie keys rotate here (rotate_cookie_secrets) before a cookie is made or checked.
ListenResult listen_segment(Context& ctx, Listener& l, const FourTuple& tuple, const Segment& seg,
                            Time now, bool tw_reopen = false);

// The cookie-less policy of earlier callers that pass neither tuple nor time: RST ignored, ACK
// kReset (answer with reply_to_unknown()), SYN kOpen or kHalfOpenFull. No accept-queue check on
// SYNs. Kept so that existing callers build; the datapath should move to the form above.
ListenVerdict listen_segment(Context& ctx, Listener& l, const Segment& seg);

// Rotates the cookie keys (Context::cookie_secrets) with one from Context::cookie_keys when
// kCookieRotatePeriod has passed since the last rotation; the previous key stays accepted for
// one more period, which outlives every cookie made under it. Never rotates more often, so a
// valid cookie never loses its key. Returns whether it rotated. Cheap: callable on every SYN.
bool rotate_cookie_secrets(Context& ctx, Time now);

// After kOpen: `t` becomes SYN-RECEIVED (every field set afresh) and the SYN-ACK is
// emitted, options answering the SYN's.
Actions passive_open(Context& ctx, Listener& l, Tcb& t, const FourTuple& tuple, const Segment& syn,
                     Seq isn, Time now);

// SYN cookies (RFC 4987 §3.6) are built on these two, keeping no state between them (the
// admission above calls stateless_synack itself):
// The SYN-ACK that passive_open would send for `syn`, with `isn` (the cookie) as its sequence
// number; nothing is stored. The admission moves its TSval back by up to 63 ms to carry the
// options; cookie_open's block (ts_off = the cookie, as here) then never sends a smaller one.
OutSegment stateless_synack(Context& ctx, const Segment& syn, Seq isn, Time now);
// An ACK whose cookie (ack.ack - 1) validated, with the SYN options the cookie restored: `t`
// becomes ESTABLISHED directly and the ACK is processed (its data delivered). If the accept queue
// is full the block ends at once (ev::kClosed, kAcceptOverflow): free it, nothing is kept.
Actions cookie_open(Context& ctx, Listener& l, Tcb& t, const FourTuple& tuple, const Segment& ack,
                    const wire::TcpOptions& syn_opts, Time now);

// The application took a connection off the accept queue.
void listener_accepted(Listener& l);

// Bookkeeping the state machine calls (through Context::listeners) as a passive block completes
// its handshake or dies half-open. admit() false: the accept queue is full.
bool listener_admit(Listener& l);
void listener_half_open_done(Listener& l);

}  // namespace ts::tcp
