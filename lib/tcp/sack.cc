#include "tcp/sack.h"

#include <algorithm>

namespace ts::tcp {

bool SackBuilder::add(Seq seq, uint32_t len) {
  const Seq end = seq + len;
  if (seq <= floor_) return true;
  if (n_ && seq <= Seq(b_[n_ - 1].right)) {
    if (end > Seq(b_[n_ - 1].right)) b_[n_ - 1].right = end.v;
  } else if (n_ <= kMax) {
    b_[n_++] = {seq.v, end.v};
  } else if (recent_block_ < 0) {
    b_[kMax] = {seq.v, end.v};  // the last slot looks on for the recent block
  } else {
    return false;
  }
  const wire::SackBlock& last = b_[n_ - 1];
  if (recent_block_ < 0 && recent_ >= Seq(last.left) && recent_ < Seq(last.right)) recent_block_ = n_ - 1;
  return true;
}

void SackBuilder::write(wire::TcpOptions& o) const {
  if (recent_block_ >= 0 && o.sack_count < kMax) o.sack[o.sack_count++] = b_[recent_block_];
  for (int k = 0; k < n_ && o.sack_count < kMax; k++)
    if (k != recent_block_) o.sack[o.sack_count++] = b_[k];
}

uint32_t sacked_bytes(const wire::TcpOptions& o, Seq una, Seq max) {
  uint32_t n = 0;
  for (int i = 0; i < o.sack_count && i < wire::TcpOptions::kMaxSack; i++) {
    const Seq l(o.sack[i].left), r(o.sack[i].right);
    if (una < l && l < r && r <= max) n += uint32_t(r - l);
  }
  return n;
}

bool sacked_past(const wire::TcpOptions& o, Seq una, Seq max, Seq mark) {
  for (int i = 0; i < o.sack_count && i < wire::TcpOptions::kMaxSack; i++) {
    const Seq l(o.sack[i].left), r(o.sack[i].right);
    if (una < l && l < r && r <= max && r > mark) return true;
  }
  return false;
}

bool sacked_at(const wire::TcpOptions& o, Seq una, Seq max, Seq at) {
  for (int i = 0; i < o.sack_count && i < wire::TcpOptions::kMaxSack; i++) {
    const Seq l(o.sack[i].left), r(o.sack[i].right);
    if (una < l && l < r && r <= max && l <= at && at < r) return true;
  }
  return false;
}

Hole next_hole(const wire::TcpOptions& o, Seq una, Seq max, Seq from, uint32_t max_len) {
  wire::SackBlock b[wire::TcpOptions::kMaxSack];
  int n = 0;
  for (int i = 0; i < o.sack_count && i < wire::TcpOptions::kMaxSack; i++) {
    const Seq l(o.sack[i].left), r(o.sack[i].right);
    if (una < l && l < r && r <= max) b[n++] = o.sack[i];
  }
  // Step over the blocks that cover `from`: they come in any order, so until none moves it.
  Seq h = from;
  for (bool moved = true; moved;) {
    moved = false;
    for (int i = 0; i < n; i++) {
      if (Seq(b[i].left) <= h && h < Seq(b[i].right)) {
        h = Seq(b[i].right);
        moved = true;
      }
    }
  }
  // The hole ends at the nearest block above it; none above: nothing shows it lost.
  bool above = false;
  Seq next;
  for (int i = 0; i < n; i++) {
    const Seq l(b[i].left);
    if (l > h && (!above || l < next)) next = l, above = true;
  }
  if (!above) return {};
  const uint32_t len = std::min<uint32_t>(max_len, uint32_t(next - h));
  // A block is all the peer holds there (RFC 2018 §3): the byte at its right edge and the one
  // before its left edge are missing. So a hole starting at una or at a block's end is lost,
  // and so is the segment ending at the next block. Deep inside a wider gap (where an earlier
  // copy ended) the peer may hold a block it no longer reports: only that last segment goes.
  bool at_edge = h == una;
  for (int i = 0; i < n && !at_edge; i++) at_edge = h == Seq(b[i].right);
  return {at_edge ? h : next - len, len};
}

}  // namespace ts::tcp
