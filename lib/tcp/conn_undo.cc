// Undoing a fast recovery that D-SACKs show was spurious (RFC 2883 §4.2, RFC 3708; Linux's
// tcp_try_undo_dsack). Reordering on the way to the peer looks like loss: three duplicate ACKs,
// a copy sent, the window halved. When the original arrived after all, the copy reaches a peer
// that already has its text, and a peer that does D-SACK names it in a block. Once every copy
// the recovery sent has come back so, nothing was lost, and the window goes back to what it was.
//
// With no scoreboard, a copy is known by its range only: a block counts if it lies within what
// the recovery resent ([undo_marker, undo_end)). A copy the network itself duplicated inside
// that range would count as well; Linux, marking each retransmitted buffer, would not.
#include <algorithm>

#include "tcp/conn_internal.h"

namespace ts::tcp::detail {

namespace {

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

void undo(Context& ctx, Tcb& t) {
  t.cwnd = std::max(t.cwnd, t.prior_cwnd);
  t.ssthresh = std::max(t.ssthresh, t.prior_ssthresh);
  t.flags &= ~tcbf::kUndo;
  ++ctx.cnt.dsack_undos;
}

}  // namespace

// Linux's prior_ssthresh is tcp_current_ssthresh: at least three quarters of the window, so that
// an undo out of congestion avoidance goes back to it at once.
void begin_undo(Tcb& t) {
  t.prior_cwnd = t.cwnd;
  t.prior_ssthresh = std::max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2));
  t.undo_marker = t.snd_una;
  t.undo_end = t.snd_una;
  t.undo_retrans = 0;
  t.flags |= tcbf::kUndo;
}

// Past 255 copies, the count could not come back to zero honestly: no undo for this recovery.
void note_resent(Tcb& t, Seq end) {
  if (!t.has(tcbf::kUndo)) return;
  if (t.undo_retrans == 255) {
    t.flags &= ~tcbf::kUndo;
    return;
  }
  ++t.undo_retrans;
  t.undo_end = seq_max(t.undo_end, end);
}

// Each ACK while kUndo holds: a D-SACK for a copy takes it off the count. The window comes back
// when the count is zero and the recovery is over (its full ACK may come before or after the
// last D-SACK).
void settle_undo(Context& ctx, Tcb& t, const Segment& s) {
  if (first_block_is_dsack(s)) {
    const wire::SackBlock& b = s.opts.sack[0];
    const Seq left(b.left), right(b.right);
    if (t.undo_marker <= left && left < right && right <= t.undo_end) {
      const uint32_t mss = std::max<uint32_t>(t.snd_mss, 1);
      const uint32_t copies = (uint32_t(right - left) + mss - 1) / mss;
      t.undo_retrans = uint8_t(t.undo_retrans > copies ? t.undo_retrans - copies : 0);
    }
  }
  if (t.undo_retrans == 0 && !t.has(tcbf::kRecovery)) undo(ctx, t);
}

}  // namespace ts::tcp::detail
