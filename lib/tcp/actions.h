// What a call into the state machine asks its caller to do. The state machine performs no I/O:
// it returns segments to build and send, the deadline of the connection's timer, and events for
// the application. Apply an Actions in this order:
//   1. free `acked` bytes from the head of the connection's send queue;
//   2. build and send seg[0..count) (payload bytes come from the send queue, see OutSegment);
//   3. deliver the events (data points into the segment that was just processed);
//   4. (re)arm the connection's timer at `deadline` (kNever: none), then if `more`, call output().
#pragma once
#include <cstdint>

#include "tcp/seq.h"
#include "tcp/time.h"
#include "wire/tcp_options.h"

namespace ts::tcp {

struct OutSegment {
  Seq seq;
  Seq ack;
  uint8_t flags = 0;            // kSyn, kAck, ... (tcp/segment.h)
  uint16_t window = 0;          // the header's field: already scaled down by our shift
  // Payload: `len` bytes starting `payload_off` bytes after the head of the send queue (the head
  // being the first unacknowledged byte, once step 1 above has freed `acked` bytes).
  uint32_t payload_off = 0;
  uint32_t len = 0;
  wire::TcpOptions opts;        // options to write (MSS/WS/SACK-permitted only on SYNs)
};

enum class CloseReason : uint8_t {
  kNone,
  kNormal,             // FIN exchange completed (LAST-ACK acked, or TIME-WAIT ran out)
  kReset,              // the peer sent an acceptable RST
  kRefused,            // RST in answer to our SYN
  kAborted,            // abort() by the application (a RST was sent)
  kConnectTimeout,     // SYN retransmissions exhausted
  kHandshakeTimeout,   // SYN-ACK retransmissions exhausted (passive side)
  kRetransmitTimeout,  // data retransmissions exhausted
  kFinTimeout,         // FIN retransmissions exhausted (FIN-WAIT-1, CLOSING, LAST-ACK)
  kFinWait2Timeout,    // peer never sent its FIN
  kKeepaliveTimeout,   // keepalive probes unanswered
  kAcceptOverflow,     // accept queue full and abort_on_overflow set
  kShutdown,           // the stack was shut down with the connection open (a RST, as abort())
};
inline constexpr int kCloseReasonCount = 13;
const char* close_reason_name(CloseReason r);

// Event bits of Actions::events.
namespace ev {
inline constexpr uint16_t kConnected = 1u << 0;    // active open reached ESTABLISHED
inline constexpr uint16_t kAcceptReady = 1u << 1;  // passive open reached ESTABLISHED
inline constexpr uint16_t kData = 1u << 2;         // in-order payload at Actions::data
inline constexpr uint16_t kPeerClosed = 1u << 3;   // peer's FIN received: no more data will come
inline constexpr uint16_t kSendSpace = 1u << 4;    // `acked` bytes were freed
inline constexpr uint16_t kClosed = 1u << 5;       // connection is CLOSED: free the block (see reason)
inline constexpr uint16_t kReset = 1u << 6;        // closed by a RST (received, or sent by abort)
inline constexpr uint16_t kTimedOut = 1u << 7;     // closed because a retry count ran out
inline constexpr uint16_t kTimeWait = 1u << 8;     // entered TIME-WAIT: replace the block by a
                                                   // TimeWait entry (tcp/time_wait.h)
inline constexpr uint16_t kAhead = 1u << 9;        // the input segment's payload lies past a hole,
                                                   // inside the window: keep it for held_text()
                                                   // (tcp/conn.h), or drop it
}  // namespace ev

struct Actions {
  static constexpr int kMaxSegments = 4;

  uint8_t count = 0;            // segments in seg[]
  bool more = false;            // more output is ready now: call output() after this
  uint16_t events = 0;          // ev:: bits
  CloseReason reason = CloseReason::kNone;  // with ev::kClosed
  uint32_t acked = 0;           // data bytes acknowledged: free them from the send queue
  const uint8_t* data = nullptr;  // with ev::kData: points into the input segment's payload
  uint32_t data_len = 0;
  Time deadline = kNever;       // call on_timer() at this time (kNever: no timer)
  // Only seg[0, count) holds anything: push() sets each segment up as it is added, so the array
  // is not zeroed here (an Actions is built for every segment, and 290 bytes of zeros were a
  // tenth of the state machine's instructions).
  union {
    OutSegment seg[kMaxSegments];
  };

  Actions() {}  // leaves seg[] as it is (see above); the members with initialisers get them
  bool has(uint16_t e) const { return (events & e) != 0; }
  bool full() const { return count == kMaxSegments; }
};

}  // namespace ts::tcp
