#include "tcp/actions.h"
#include "tcp/state.h"

namespace ts::tcp {

const char* state_name(State s) {
  switch (s) {
    case State::kClosed: return "CLOSED";
    case State::kListen: return "LISTEN";
    case State::kSynSent: return "SYN-SENT";
    case State::kSynReceived: return "SYN-RECEIVED";
    case State::kEstablished: return "ESTABLISHED";
    case State::kFinWait1: return "FIN-WAIT-1";
    case State::kFinWait2: return "FIN-WAIT-2";
    case State::kCloseWait: return "CLOSE-WAIT";
    case State::kClosing: return "CLOSING";
    case State::kLastAck: return "LAST-ACK";
    case State::kTimeWait: return "TIME-WAIT";
  }
  return "?";
}

const char* close_reason_name(CloseReason r) {
  switch (r) {
    case CloseReason::kNone: return "none";
    case CloseReason::kNormal: return "normal";
    case CloseReason::kReset: return "reset";
    case CloseReason::kRefused: return "refused";
    case CloseReason::kAborted: return "aborted";
    case CloseReason::kConnectTimeout: return "connect-timeout";
    case CloseReason::kHandshakeTimeout: return "handshake-timeout";
    case CloseReason::kRetransmitTimeout: return "retransmit-timeout";
    case CloseReason::kFinTimeout: return "fin-timeout";
    case CloseReason::kFinWait2Timeout: return "fin-wait-2-timeout";
    case CloseReason::kKeepaliveTimeout: return "keepalive-timeout";
    case CloseReason::kAcceptOverflow: return "accept-overflow";
    case CloseReason::kShutdown: return "shutdown";
  }
  return "?";
}

}  // namespace ts::tcp
