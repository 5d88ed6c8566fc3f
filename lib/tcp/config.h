// Tunables of the state machine, one copy per shard. Defaults follow Linux (net.ipv4.tcp_*).
#pragma once
#include <cstdint>

#include "tcp/time.h"

namespace ts::tcp {

// When a listener answers a SYN with a SYN cookie (RFC 4987 §3.6) instead of a half-open block.
enum class CookieMode : uint8_t {
  kOff,     // never: over the half-open bound, SYNs are dropped (tcp_syncookies = 0)
  kAuto,    // only while the listener's half-open bound is reached (tcp_syncookies = 1)
  kAlways,  // every SYN (tcp_syncookies = 2); nothing is kept until the handshake completes
};

struct Config {
  // What we offer on our SYN / SYN-ACK.
  uint16_t mss = 1460;                // our receive MSS (Ethernet 1500 - 40)
  uint32_t rcv_wnd = 256 * 1024;      // receive window we advertise (scaled as needed)
  bool window_scaling = true;         // RFC 7323 §2
  bool timestamps = true;             // RFC 7323 §3
  bool sack_permitted = true;         // RFC 2018: offered, and the peer's blocks guide recovery
  // The application reads later (worker threads): what it holds unread comes off the window
  // until consumed() gives it back, so a slow reader slows its peer instead of filling memory.
  // Off: data is read during the call that delivers it, and the window stays rcv_wnd.
  bool app_window = false;

  // Opening (tcp_syn_retries, tcp_synack_retries; the initial SYN-ACK RTO is 1 s in Linux,
  // 3 s in the seeds' description: both are a setting away).
  uint8_t syn_retries = 6;
  Time syn_rto = 1 * kSec;
  uint8_t synack_retries = 5;
  Time synack_rto = 1 * kSec;
  bool abort_on_overflow = false;     // tcp_abort_on_overflow: RST when the accept queue is full
  uint32_t max_half_open = 1024;      // tcp_max_syn_backlog: default bound for a new Listener
  CookieMode syncookies = CookieMode::kAuto;

  // Data and FIN retransmission (RFC 6298; tcp_retries2, tcp_orphan_retries = 0 meaning 8).
  uint8_t data_retries = 15;
  uint8_t fin_retries = 8;
  Time rto_initial = 1 * kSec;
  Time rto_min = 200 * kMsec;
  Time rto_max = 120 * kSec;
  uint32_t initial_cwnd = 10;         // segments (RFC 6928)
  bool tail_loss_probe = true;        // RFC 8985 §7 (with SACK only, as Linux's tcp_early_retrans)

  // Closing.
  Time msl = 30 * kSec;               // TIME-WAIT lasts 2*MSL = 60 s, as in Linux
  Time fin_wait2_timeout = 60 * kSec; // tcp_fin_timeout
  bool rfc1337 = false;               // true: a RST does not end TIME-WAIT (RFC 1337)

  // Keepalive (RFC 1122 §4.2.3.6): off unless set_keepalive() turns it on, or `keepalive` for
  // every connection from its establishment (an application setting SO_KEEPALIVE on all).
  bool keepalive = false;
  Time keepalive_idle = 7200 * kSec;
  Time keepalive_interval = 75 * kSec;
  uint8_t keepalive_probes = 9;

  // RFC 5961 §7: challenge ACKs sent per second, for the whole shard (tcp_challenge_ack_limit),
  // on average: each second's budget is drawn from [limit / 2, limit * 3 / 2).
  uint32_t challenge_ack_limit = 1000;

  Time time_wait_len() const { return 2 * msl; }
};

}  // namespace ts::tcp
