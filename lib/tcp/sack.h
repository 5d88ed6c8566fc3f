// SACK blocks we send (RFC 2018 §4), built from what the caller keeps past a hole: the block
// holding the segment kept last goes first, the others follow in sequence order, as many as the
// option fits. The kept data itself lives with the caller (the datapath's out-of-order queue);
// this only turns its ranges into blocks.
#pragma once
#include <cstdint>

#include "tcp/seq.h"
#include "wire/tcp_options.h"

namespace ts::tcp {

class SackBuilder {
 public:
  // rcv_nxt: the cumulative ACK the blocks go with; recent: the start of the segment kept last.
  SackBuilder(Seq rcv_nxt, Seq recent) : floor_(rcv_nxt), recent_(recent) {}

  // One kept segment, in sequence order. Adjacent and overlapping ones make one block; those
  // rcv_nxt has reached make none (the caller is about to take them). False: no further segment
  // can make a difference (the lowest holes' blocks are taken, and the recent one found).
  bool add(Seq seq, uint32_t len);

  // Writes the blocks into o.sack (o.sack_count of them; write_tcp_options keeps what fits).
  void write(wire::TcpOptions& o) const;

 private:
  static constexpr int kMax = wire::TcpOptions::kMaxSack;
  Seq floor_, recent_;
  wire::SackBlock b_[kMax + 1];  // one past kMax: the block of `recent` may lie beyond them
  int n_ = 0;
  int recent_block_ = -1;
};

}  // namespace ts::tcp
