// Retransmission timeout estimator (RFC 6298) on a connection block.
#pragma once
#include <cstdint>

#include "tcp/config.h"
#include "tcp/tcb.h"

namespace ts::tcp {

// Starts the estimator with no sample: RTO = initial (RFC 6298 §2.1).
void rto_init(Tcb& t, Time initial);

// Feeds one RTT measurement (RFC 6298 §2.2-2.4, clamped to [rto_min, rto_max]).
void rto_sample(Tcb& t, const Config& cfg, Time rtt);

// The timeout in force: RTO doubled per backoff step (§5.5), at most rto_max.
Time rto_current(const Tcb& t, const Config& cfg);

}  // namespace ts::tcp
