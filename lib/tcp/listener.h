// Passive open (RFC 9293 §3.10.7.2, LISTEN). A listener holds no connection state: a SYN makes a
// new block in SYN-RECEIVED, which the caller stores under its 4-tuple. The half-open and
// accept-queue counts live here; the state machine finds the listener again through
// Context::listeners when the handshake completes or fails. Without Context::listeners nothing
// is counted (half_open, accept_queued stay 0) and every completed handshake is admitted.
#pragma once
#include <cstdint>

#include "tcp/actions.h"
#include "tcp/context.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"

namespace ts::tcp {

struct Listener {
  uint32_t backlog = 128;          // accept queue bound: listen(backlog)
  uint32_t max_half_open = 1024;   // SYN-RECEIVED blocks at most
  uint32_t half_open = 0;          // SYN-RECEIVED blocks alive
  uint32_t accept_queued = 0;      // ESTABLISHED, not yet taken by the application
};

enum class ListenVerdict : uint8_t {
  kDrop,          // ignore (a RST, or a segment with neither SYN nor ACK)
  kReset,         // answer with reply_to_unknown() (an ACK for a connection we do not have)
  kOpen,          // a SYN: allocate a block and call passive_open()
  kHalfOpenFull,  // a SYN, but the half-open bound is reached: dropped and counted
};

// What LISTEN does with a segment for no existing connection. The whole SYN admission policy is
// this one function (SYN cookies plug in here).
ListenVerdict listen_segment(Context& ctx, Listener& l, const Segment& seg);

// After kOpen: `t` becomes SYN-RECEIVED (every field but `user` set afresh) and the SYN-ACK is
// emitted, options answering the SYN's.
Actions passive_open(Context& ctx, Listener& l, Tcb& t, const FourTuple& tuple, const Segment& syn,
                     Seq isn, Time now);

// SYN cookies (RFC 4987 §3.6) plug in with these two, keeping no state between them:
// The SYN-ACK that passive_open would send for `syn`, with `isn` (the cookie) as its sequence
// number; nothing is stored. A cookie module may rewrite its TSval afterwards (then it sets the
// block's ts_off to match in cookie_open's result).
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
