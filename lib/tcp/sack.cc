#include "tcp/sack.h"

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
  o.sack_count = 0;
  if (recent_block_ >= 0) o.sack[o.sack_count++] = b_[recent_block_];
  for (int k = 0; k < n_ && o.sack_count < kMax; k++)
    if (k != recent_block_) o.sack[o.sack_count++] = b_[k];
}

}  // namespace ts::tcp
