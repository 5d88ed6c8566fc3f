// SACK both ways (RFC 2018).
// Sending: blocks built from what the caller keeps past a hole (RFC 2018 §4): the block holding
// the segment kept last goes first, the others follow in sequence order, as many as the option
// fits. The kept data itself lives with the caller (the datapath's out-of-order queue); this only
// turns its ranges into blocks.
// Receiving: the holes a peer's blocks show, for loss recovery (conn_input.cc).
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

  // Writes the blocks into o.sack after any already there (a D-SACK block goes first, RFC 2883
  // §4); o.sack_count counts them all, and write_tcp_options keeps what fits.
  void write(wire::TcpOptions& o) const;

 private:
  static constexpr int kMax = wire::TcpOptions::kMaxSack;
  Seq floor_, recent_;
  wire::SackBlock b_[kMax + 1];  // one past kMax: the block of `recent` may lie beyond them
  int n_ = 0;
  int recent_block_ = -1;
};

// A range of our sequence space to send again; len 0: none.
struct Hole {
  Seq seq;
  uint32_t len = 0;
};

// RFC 6675's NextSeg (rule 1), with the blocks of one ACK for a scoreboard: the first range at
// or after `from` that no block covers and that lies below the highest block, at most max_len
// long, when it starts at una or at a block's end (its first byte is surely missing); when it
// starts deeper inside a gap, the max_len just below the next block (whose last byte is).
// Blocks outside (una, max] -- D-SACKs, stale or forged ones -- are ignored. An ACK carries 3 or
// 4 blocks, so with more holes than that some are found only by later ACKs or partial ACKs.
Hole next_hole(const wire::TcpOptions& o, Seq una, Seq max, Seq from, uint32_t max_len);

// Bytes the blocks within (una, max] cover (overlapping blocks, which a peer should not send,
// may be counted twice).
uint32_t sacked_bytes(const wire::TcpOptions& o, Seq una, Seq max);

// True if a block within (una, max] reaches past `mark`: the peer has data we sent after mark.
bool sacked_past(const wire::TcpOptions& o, Seq una, Seq max, Seq mark);

// True if a block within (una, max] holds the byte at `at`.
bool sacked_at(const wire::TcpOptions& o, Seq una, Seq max, Seq at);

}  // namespace ts::tcp
