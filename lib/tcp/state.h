// The eleven connection states of RFC 9293 §3.3.2 and named sets of them.
// Sets are bit masks, so a test reads `in_state(s, kFinSentStates)` and never depends on enum order.
#pragma once
#include <cstdint>

namespace ts::tcp {

enum class State : uint8_t {
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};
inline constexpr int kStateCount = 11;

using StateSet = uint16_t;
constexpr StateSet bit(State s) { return StateSet(1u << unsigned(s)); }
constexpr bool in_state(State s, StateSet set) { return (bit(s) & set) != 0; }

// Both sides' SYNs have been seen and acknowledged (RFC 9293 "synchronized states").
inline constexpr StateSet kSynchronized =
    bit(State::kEstablished) | bit(State::kFinWait1) | bit(State::kFinWait2) |
    bit(State::kCloseWait) | bit(State::kClosing) | bit(State::kLastAck) | bit(State::kTimeWait);
// The peer has not sent its FIN yet: in-order data is still delivered to the application.
inline constexpr StateSet kReceivesData =
    bit(State::kEstablished) | bit(State::kFinWait1) | bit(State::kFinWait2);
// The application may still queue data (before the handshake completes it waits in the queue).
inline constexpr StateSet kAcceptsSend = bit(State::kSynSent) | bit(State::kSynReceived) |
                                         bit(State::kEstablished) | bit(State::kCloseWait);
// Our FIN has been sent (or is about to be: close() moved us here).
inline constexpr StateSet kFinSentStates = bit(State::kFinWait1) | bit(State::kFinWait2) |
                                           bit(State::kClosing) | bit(State::kLastAck) |
                                           bit(State::kTimeWait);
// The peer's FIN has been received.
inline constexpr StateSet kPeerFinStates = bit(State::kCloseWait) | bit(State::kClosing) |
                                           bit(State::kLastAck) | bit(State::kTimeWait);
// States in which keepalive probes make sense (Linux probes these too).
inline constexpr StateSet kKeepaliveStates =
    bit(State::kEstablished) | bit(State::kCloseWait) | bit(State::kFinWait2);
// Handshake in progress.
inline constexpr StateSet kOpening = bit(State::kSynSent) | bit(State::kSynReceived);

// "SYN-RECEIVED", "TIME-WAIT", ...: the RFC's spelling.
const char* state_name(State s);

}  // namespace ts::tcp
