// Undoing a fast recovery that D-SACKs show was spurious (RFC 2883 §4.2, RFC 3708; Linux's
// tcp_try_undo_dsack). Reordering on the way to the peer looks like loss: three duplicate ACKs,
// a copy sent, the window halved. When the original arrived after all, the copy reaches a peer
// that already has its text, and a peer that does D-SACK names it in a block. Once every copy
// the recovery sent has come back so, nothing was lost, and the window goes back to what it was.
//
// With no scoreboard, a copy is known by its range only: a block counts if it lies within what
// the recovery resent ([marker, end)). A copy the network itself duplicated inside that range
// would count as well; Linux, marking each retransmitted buffer, would not. The record of a
// recovery lives in the Context (UndoRecord) from its start until it is undone, a timeout or the
// connection's end, or one RTO after the recovery with copies still out: their D-SACKs would
// have come by then. With all kUndoRecords taken, a recovery is not undone (undo_unrecorded).
#include <algorithm>

#include "tcp/conn_internal.h"
#include "tcp/rto.h"

namespace ts::tcp::detail {

namespace {

// The connection's record, if it still holds one: another connection may have taken it after
// it expired, and then this one has none.
UndoRecord* record_of(Context& ctx, Tcb& t) {
  if (!t.undo) return nullptr;
  UndoRecord& r = ctx.undo[t.undo - 1];
  if (r.owner == &t) return &r;
  t.undo = 0;
  return nullptr;
}

// RFC 2883 §4: the first block is a D-SACK if it lies below the cumulative ACK, or within the
// second block (a copy of data the peer keeps past a hole).
bool first_block_is_dsack(const Segment& s) {
  if (!s.opts.sack_count) return false;
  const wire::SackBlock& b = s.opts.sack[0];
  if (Seq(b.left) < s.ack) return true;
  if (s.opts.sack_count < 2) return false;
  const wire::SackBlock& o = s.opts.sack[1];
  return Seq(o.left) <= Seq(b.left) && Seq(b.right) <= Seq(o.right);
}

}  // namespace

// Linux's prior_ssthresh is tcp_current_ssthresh: at least three quarters of the window, so that
// an undo out of congestion avoidance goes back to it at once.
void begin_undo(Context& ctx, Tcb& t, Time now) {
  UndoRecord* r = record_of(ctx, t);
  for (int i = 0; !r && i < kUndoRecords; i++) {
    if (ctx.undo[i].owner && ctx.undo[i].expires > now) continue;
    r = &ctx.undo[i];
    t.undo = uint8_t(i + 1);
  }
  if (!r) {
    ++ctx.cnt.undo_unrecorded;
    return;
  }
  *r = UndoRecord{&t, kNever, t.snd_una, t.snd_una, t.cwnd,
                  std::max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2)), 0};
}

void note_resent(Context& ctx, Tcb& t, Seq end) {
  if (UndoRecord* r = record_of(ctx, t)) {
    ++r->copies;
    r->end = seq_max(r->end, end);
  }
}

void release_undo(Context& ctx, Tcb& t) {
  if (UndoRecord* r = record_of(ctx, t)) r->owner = nullptr;
  t.undo = 0;
}

// Each ACK while a record is held: a D-SACK for a copy takes it off the count. The window comes
// back when the count is zero and the recovery is over (its full ACK may come before or after
// the last D-SACK).
void settle_undo(Context& ctx, Tcb& t, const Segment& s, Time now) {
  UndoRecord* r = record_of(ctx, t);
  if (!r) return;
  if (first_block_is_dsack(s)) {
    const Seq left(s.opts.sack[0].left), right(s.opts.sack[0].right);
    if (r->marker <= left && left < right && right <= r->end) {
      const uint32_t mss = std::max<uint32_t>(t.snd_mss, 1);
      r->copies -= std::min(r->copies, (uint32_t(right - left) + mss - 1) / mss);
    }
  }
  if (t.has(tcbf::kRecovery)) return;
  if (r->copies == 0) {
    t.cwnd = std::max(t.cwnd, r->prior_cwnd);
    t.ssthresh = std::max(t.ssthresh, r->prior_ssthresh);
    ++ctx.cnt.dsack_undos;
    release_undo(ctx, t);
  } else if (r->expires == kNever) {
    r->expires = now + rto_current(t, ctx.cfg);
  } else if (now >= r->expires) {
    release_undo(ctx, t);
  }
}

}  // namespace ts::tcp::detail
