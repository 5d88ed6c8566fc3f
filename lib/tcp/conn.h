// The state machine of one connection (RFC 9293 §3.10), as functions of (context, block, input,
// now) that return what to do (tcp/actions.h). Nothing here sends, sleeps, allocates or reads a
// clock. Every call leaves Actions::deadline set to the block's next timer (kNever: none).
//
// Choices worth knowing:
//  - Out-of-order payload is answered at once with a duplicate ACK, a pure one even when data
//    of ours leaves with the same ACK number (the sender's fast retransmit repairs the hole).
//    The block keeps no data: ev::kAhead offers the segment to the caller, which may keep it
//    and give it back through held_text() once the hole is filled, so that one retransmission
//    repairs one loss.
//  - Loss recovery is NewReno (RFC 5681, RFC 6582) guided by the peer's SACK blocks: in
//    recovery each ACK sends again the next hole its blocks show (RFC 6675's NextSeg, with the
//    blocks of that ACK for a scoreboard), within NewReno's window. The blocks we send describe
//    the caller's out-of-order queue, so the caller adds them (the datapath does, on pure ACKs);
//    the ACK of a segment whose text we had carries a D-SACK block naming it (RFC 2883).
//  - Every in-order segment is ACKed at once (no delayed ACK); an ACK rides on outgoing data when
//    there is some.
//  - Payload carried on a SYN is not delivered (the peer sends it again after the handshake).
//  - Giving up on retransmissions in a synchronized state sends a RST, so the peer frees its side.
#pragma once
#include <cstdint>

#include "tcp/actions.h"
#include "tcp/context.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"

namespace ts::tcp {

// Active open: initialises the whole of `t` in SYN-SENT and emits the SYN (MSS, WS,
// SACK-permitted, TS as configured). `isn` from choose_isn() (RFC 6528).
Actions connect(Context& ctx, Tcb& t, const FourTuple& tuple, Seq isn, Time now);

// A segment for this connection (any state but LISTEN; a block in CLOSED answers as
// reply_to_unknown() would). Payload handed out in Actions::data points into seg.payload.
Actions on_segment(Context& ctx, Tcb& t, const Segment& seg, Time now);

// The timer armed by an earlier Actions::deadline. Calling it early does nothing but re-report
// the deadline, so a coarse timer wheel is fine.
Actions on_timer(Context& ctx, Tcb& t, Time now);

// The application appended `bytes` to the connection's send queue. Ignored (nothing queued)
// unless the state accepts data (kAcceptsSend) and close() has not been called. The queue must
// stay below 1 GiB so that sequence arithmetic holds.
Actions send(Context& ctx, Tcb& t, uint32_t bytes, Time now);

// More segments, when the last Actions said `more`: data the peer's window, the congestion
// window and the MSS allow, then the FIN once close() was called and the data is out.
Actions output(Context& ctx, Tcb& t, Time now);

// The application will send no more (shutdown of the write side; it may still receive):
// the FIN goes after the queued data. CLOSED/SYN-SENT: the block closes at once.
Actions close(Context& ctx, Tcb& t, Time now);

// send() then close() in one call: the FIN rides on the segment that carries the last of the
// data (a reply that fits in one segment leaves as one segment, where send() then close() make
// two: send() puts the data on the wire before close() is called).
Actions send_close(Context& ctx, Tcb& t, uint32_t bytes, Time now);

// Drop the connection: RST if the peer knows about it, then CLOSED (reason kAborted, or the one
// given: kShutdown when the stack stops with it open).
Actions abort(Context& ctx, Tcb& t, Time now, CloseReason why = CloseReason::kAborted);

// Keepalive on or off (RFC 1122 §4.2.3.6) with the context's idle / interval / probes.
Actions set_keepalive(Context& ctx, Tcb& t, bool on, Time now);

// The window we offer from now on (the application's receive budget): a larger one sends a
// window update when the peer might be waiting on it. A smaller one takes effect at once, so
// data the peer sent into the window announced before is cut to the new one (RFC 9293 SHLD-14
// advises against shrinking; the datapath never calls this, only tests and the fuzzer do).
Actions set_receive_window(Context& ctx, Tcb& t, uint32_t bytes, Time now);

// Config::app_window: the application has read `bytes` more of what it was handed, which go
// back to the window (up to Config::rcv_wnd). A window update goes out once the edge can move by
// min(half the buffer, an MSS) (RFC 9293 §3.8.6.2.2): a closed window reopens no smaller.
Actions consumed(Context& ctx, Tcb& t, uint32_t bytes, Time now);
// consumed() in two steps, for a caller that would rather not build Actions for nothing: the
// bytes go back to the window, and true when a window update is due, which announce_window()
// then sends. False: nothing to send or arm (the window rides on our next segment).
bool give_back(const Context& ctx, Tcb& t, uint32_t bytes);
Actions announce_window(Context& ctx, Tcb& t, Time now);

// Bytes queued but not sent yet.
uint32_t unsent(const Tcb& t);

// A segment an earlier Actions marked ev::kAhead, kept by the caller (payload included).
struct HeldSegment {
  Seq seq;
  const uint8_t* payload = nullptr;
  uint32_t len = 0;
  bool fin = false;
};
// Gives back a kept segment once rcv_nxt has reached its start (h.seq <= t.rcv_nxt), kept
// segments in sequence order. Its text and FIN are taken as on_segment() takes them (it passed
// the acceptability, PAWS and ACK checks when it arrived); what the block no longer wants (old
// bytes, a state past the peer's FIN) is ignored. `ack` false: another kept segment follows at
// once, so the ACK waits for it (one ACK for the run), unless the window cut this one short.
Actions held_text(Context& ctx, Tcb& t, const HeldSegment& h, bool ack, Time now);

}  // namespace ts::tcp
