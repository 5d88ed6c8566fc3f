// Initial sequence numbers, RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key).
//
// M is a clock ticking every 4 microseconds (RFC 793's rate), so successive incarnations of one
// 4-tuple start above the sequence space the previous one used; F is SipHash-2-4 of the 4-tuple
// under a secret (the caller injects it), so an off-path attacker cannot predict the ISN of anyone
// else's connection, and the clock's value cannot be read back across tuples. When the clock and
// the secret are the host's rather than the process's (the datapath's boot secret, its clock
// origin on CLOCK_MONOTONIC), a new process's ISNs continue the last one's, as Linux's do.
#pragma once
#include <cstdint>

#include "tcp/siphash.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

namespace ts::tcp {

using IsnKey = SipKey;  // { k0, k1 }

constexpr Time kIsnTick = 4 * kUsec;  // M advances by one every 4 us and wraps every ~4.77 h

uint32_t make_isn(const IsnKey& key, const FourTuple& t, Time now);

// Our timestamp offset towards (laddr, raddr), RFC 7323 §5.4 as Linux does it: a keyed hash of the
// address pair, so the TSval hides the host's clock from the peer but runs on from one connection
// of the pair to the next. `origin` is where the caller's clock (the `now` of ts_now) starts on a
// clock every process of the host shares; with a key that outlives the process too (the
// datapath's boot secret), one generator run's TSvals follow on from the last run's, and a peer
// still holding TIME-WAIT from that run takes the new SYNs (RFC 6191).
uint32_t make_ts_offset(const IsnKey& key, uint32_t laddr, uint32_t raddr, Time origin);

}  // namespace ts::tcp
