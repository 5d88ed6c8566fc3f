// SYN cookies (RFC 4987 §3.6): answer a SYN without keeping any state, and rebuild the connection
// from the ACK that completes the handshake, so a flood of spoofed SYNs costs no memory.
//
// Our SYN-ACK's sequence number (the cookie) carries what the connection needs later: the peer's
// MSS as an index into a small table, a coarse time counter, and a MAC of the 4-tuple and the
// client's ISN. The returning ACK acknowledges cookie + 1 and carries client ISN + 1 as its
// sequence number, so the listener calls cookie_check(..., seq - 1, ack - 1, ...).
//
//    cookie = H0 + V  (mod 2^32)
//
//    V:  31          24 23   22 21                                        0
//        +-------------+-------+------------------------------------------+
//        |  count mod  |  mss  |                   mac                    |
//        |     256     | index |                (22 bits)                 |
//        +-------------+-------+------------------------------------------+
//
//    H0  = SipHash-2-4(key; tuple, client_isn)                    low 32 bits
//    mac = SipHash-2-4(key; tuple, client_isn, count * 4 + mss)   low 22 bits
//
// H0 does not depend on the count, so the checker subtracts it and reads the count back; adding it
// makes the whole ISN look random to anyone without the key (as Linux's cookie_hash(..., 0, 0)
// term does), instead of exposing the count and MSS bits. Every field is under the MAC.
//
// Strength: a forged ACK is accepted when its count field falls in the accepted window (2 of 256
// values) and its 22 MAC bits match, under either of the two keys held: 2 * 2^-7 * 2^-22 = 2^-28
// per guess, about one in 268 million. (Linux: 24 bits of hash of which the 2 MSS-index bits
// must decode below 4, and 2 of 256 counter values: the same 2^-29 per key.)
//
// Timestamps: when the SYN carried the option, the peer's window scale, SACK-permitted and ECN
// bits ride in the low 6 bits of our SYN-ACK's TSval and come back in the ACK's TSecr, as in
// Linux's cookie_init_timestamp(); without timestamps the connection gets neither window scaling
// nor SACK (it still works, with a 64 KiB window).
#pragma once
#include <cstdint>

#include "tcp/siphash.h"
#include "tcp/time.h"
#include "tcp/tuple.h"
#include "wire/tcp_options.h"

namespace ts::tcp {

// MSS values the cookie can carry, sorted. From Alcock and Nelson, "An Analysis of TCP Maximum
// Segment Sizes" (2011), as chosen for Linux's msstab: 1460 (Ethernet) is the most common value
// announced, 1440 covers PPPoE (1452) and tunnels, 1300-1349 is the next big group (VPNs, mobile),
// values between 537 and 1299 are rare, and 536 is the floor every host must accept (RFC 9293
// default). A peer is given the largest entry not above what it announced.
inline constexpr uint16_t kCookieMss[] = {536, 1300, 1440, 1460};
constexpr int kCookieMssCount = sizeof(kCookieMss) / sizeof(kCookieMss[0]);

// The counter ticks every 64 s; a cookie validates in the tick it was made and the next one, so it
// lives between 64 and 128 s (Linux: 60 s ticks, up to 2 minutes).
constexpr Time kCookieTick = 64 * kSec;
constexpr uint32_t kCookieMaxAge = 1;  // ticks
// Cookies older than this many ticks are not worth a hash to tell stale from forged.
constexpr uint32_t kCookieStaleHorizon = 8;
// Rotate the key at least this often; never more often, or a cookie could lose its key before it
// expires (the previous key is still accepted, for one period).
constexpr Time kCookieRotatePeriod = (kCookieMaxAge + 1) * kCookieTick;

// The listener's keys: random at start (two independent draws), rotated every
// kCookieRotatePeriod with a fresh random key from the caller.
struct CookieSecrets {
  SipKey current;
  SipKey previous;
};
inline void cookie_rotate(CookieSecrets& s, const SipKey& fresh) {
  s.previous = s.current;
  s.current = fresh;
}

constexpr uint32_t cookie_counter(Time now) { return static_cast<uint32_t>(now / kCookieTick); }

// The index of the largest table MSS not above the peer's (index 0 when it is below 536 or the
// SYN had no MSS option).
uint8_t cookie_mss_index(uint16_t peer_mss);

// Our ISN for the SYN-ACK. mss_index < kCookieMssCount.
uint32_t cookie_make(const SipKey& key, const FourTuple& t, uint32_t client_isn, uint8_t mss_index,
                     uint32_t counter);
inline uint32_t cookie_make(const CookieSecrets& s, const FourTuple& t, uint32_t client_isn,
                            uint8_t mss_index, uint32_t counter) {
  return cookie_make(s.current, t, client_isn, mss_index, counter);
}

enum class CookieStatus : uint8_t {
  kValid,
  kStale,   // a genuine cookie, older than kCookieMaxAge
  kForged,  // not made by us for this tuple and client ISN (or too old to tell)
};

struct CookieResult {
  CookieStatus status = CookieStatus::kForged;
  uint8_t mss_index = 0;
  uint16_t mss = 0;  // kCookieMss[mss_index] when valid
};

// Validates cookie (the ACK's ack - 1) for the tuple and client ISN (the ACK's seq - 1) at
// counter `counter`, under the current key and then the previous one.
CookieResult cookie_check(const CookieSecrets& s, const FourTuple& t, uint32_t client_isn,
                          uint32_t cookie, uint32_t counter);

// ---- options through the timestamp ----

struct CookieOptions {
  bool wscale_ok = false;
  uint8_t wscale = 0;  // the peer's shift, 0..14
  bool sack_ok = false;
  bool ecn_ok = false;
  constexpr bool operator==(const CookieOptions&) const = default;
};

constexpr int kCookieTsBits = 6;
constexpr uint32_t kCookieTsWscaleNone = 0xf;  // bits 0-3: shift, or 15 for none
constexpr uint32_t kCookieTsSack = 1u << 4;
constexpr uint32_t kCookieTsEcn = 1u << 5;

// What a SYN's options ask for (window scale above 14 is taken as 14, RFC 7323 §2.3).
CookieOptions cookie_options(const wire::TcpOptions& syn, bool ecn_ok);

// The TSval for our SYN-ACK: the largest value not above ts_now whose low 6 bits carry the options,
// so our timestamps never appear to go backwards when the connection later sends ts_now.
uint32_t cookie_tsval(uint32_t ts_now, const CookieOptions& o);

// The options back from the TSecr of the completing ACK. Every 6-bit value is a valid encoding.
CookieOptions cookie_ts_decode(uint32_t tsecr);

}  // namespace ts::tcp
