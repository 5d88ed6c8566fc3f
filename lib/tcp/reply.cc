#include "tcp/reply.h"

namespace ts::tcp {

bool reply_to_unknown(const Segment& seg, OutSegment& out) {
  if (seg.has(kRst)) return false;  // "An incoming segment containing a RST is discarded"
  out = OutSegment{};
  if (seg.has(kAck)) {
    out.seq = seg.ack;  // <SEQ=SEG.ACK><CTL=RST>
    out.flags = kRst;
  } else {
    out.seq = Seq(0);   // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    out.ack = seg.seq + seg.seg_len();
    out.flags = kRst | kAck;
  }
  return true;
}

}  // namespace ts::tcp
