// Initial sequence numbers, RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key).
//
// M is a clock ticking every 4 microseconds (RFC 793's rate), so successive incarnations of one
// 4-tuple start above the sequence space the previous one used; F is SipHash-2-4 of the 4-tuple
// under a secret drawn at start (the caller injects it), so an off-path attacker cannot predict
// the ISN of anyone else's connection, and the clock's value cannot be read back across tuples.
#pragma once
#include <cstdint>

#include "tcp/siphash.h"
#include "tcp/time.h"
#include "tcp/tuple.h"

namespace ts::tcp {

using IsnKey = SipKey;  // { k0, k1 }

constexpr Time kIsnTick = 4 * kUsec;  // M advances by one every 4 us and wraps every ~4.77 h

uint32_t make_isn(const IsnKey& key, const FourTuple& t, Time now);

}  // namespace ts::tcp
