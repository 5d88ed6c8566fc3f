// Answers for segments that belong to no connection.
#pragma once
#include "tcp/actions.h"
#include "tcp/segment.h"

namespace ts::tcp {

// RFC 9293 §3.10.7.1: the RST for a segment with no connection and no listener.
//   ACK set:   <SEQ=SEG.ACK><CTL=RST>
//   otherwise: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
// Returns false (nothing to send) for a RST: a RST is never answered.
bool reply_to_unknown(const Segment& seg, OutSegment& out);

}  // namespace ts::tcp
