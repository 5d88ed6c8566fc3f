// Everything the state machine needs that is not in the connection block: one Context per shard
// (per lcore), never shared, so nothing here is atomic.
#pragma once
#include <cstdint>

#include "tcp/config.h"
#include "tcp/counters.h"
#include "tcp/seq.h"
#include "tcp/syncookie.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

namespace ts::tcp {

struct Listener;
struct Tcb;

// What a fast recovery may yet undo (conn_undo.cc): the window it took, and the copies it sent
// that no D-SACK has returned yet. A handful of connections at a time are just out of a
// recovery, so the records live here, not in every connection block (Tcb::undo names one).
struct UndoRecord {
  const Tcb* owner = nullptr;  // nullptr: free; compared, never followed
  Time expires = kNever;       // from then on, free for another: the D-SACKs did not come
  Seq marker;                  // snd_una when the recovery began
  Seq end;                     // the end of the highest copy it sent
  uint32_t prior_cwnd = 0;
  uint32_t prior_ssthresh = 0;
  uint32_t copies = 0;         // copies sent, less those D-SACKs returned
};
inline constexpr int kUndoRecords = 64;

// Where ISNs and our timestamp offsets come from (RFC 6528, RFC 7323 §5.4). The datapath
// implements it with make_isn() and make_ts_offset() and its secret keys; tests leave it unset
// and get a deterministic ISN sequence, with the ISN as the timestamp offset.
class IsnSource {
 public:
  virtual uint32_t isn(const FourTuple& t, Time now) = 0;
  // The offset our TSvals carry on an active open of t (TSval = now in ms + offset).
  virtual uint32_t ts_offset(const FourTuple& t) = 0;

 protected:
  ~IsnSource() = default;
};

// Finds the listener a passive connection came from, so that its half-open and accept-queue
// counts stay right when the handshake completes or fails. Optional: without it every completed
// handshake is admitted and nothing is counted per listener.
class ListenerLookup {
 public:
  virtual Listener* find(const FourTuple& t) = 0;

 protected:
  ~ListenerLookup() = default;
};

// Fresh random keys for SYN cookies, asked for once per kCookieRotatePeriod at most. The datapath
// draws them from its random source; tests return a fixed sequence.
class CookieKeySource {
 public:
  virtual SipKey fresh_key() = 0;

 protected:
  ~CookieKeySource() = default;
};

struct Context {
  Config cfg;
  Counters cnt;
  IsnSource* isn_source = nullptr;
  ListenerLookup* listeners = nullptr;

  // RFC 5961 §7 challenge ACK budget: challenge_sent within the second that began at
  // challenge_epoch, of challenge_budget (drawn for each second: see take_challenge_ack).
  Time challenge_epoch = 0;
  uint32_t challenge_sent = 0;
  uint32_t challenge_budget = 0;
  // SYN cookie keys: the caller sets both at start from its random source (never a constant in
  // production: whoever knows the key can open connections without a handshake). The admission
  // path rotates them with keys from cookie_keys once kCookieRotatePeriod has passed since
  // cookie_rotated; without cookie_keys they never rotate.
  CookieSecrets cookie_secrets;
  CookieKeySource* cookie_keys = nullptr;
  Time cookie_rotated = 0;
  // Fallback ISN sequence when isn_source is unset (tests).
  uint32_t next_test_isn = 1000;
  UndoRecord undo[kUndoRecords];
};

// The ISN for a new connection of t: isn_source when set, else a deterministic counter.
Seq choose_isn(Context& ctx, const FourTuple& t, Time now);

// The timestamp offset for an active open of t with `isn`: isn_source's when set, else the ISN.
uint32_t choose_ts_offset(Context& ctx, const FourTuple& t, Seq isn);

// Takes one challenge ACK from this second's budget; false (and counted) when it is spent.
bool take_challenge_ack(Context& ctx, Time now);

}  // namespace ts::tcp
