#include "tcp/rto.h"

#include <algorithm>

namespace ts::tcp {
namespace {

// RFC 6298 §2: G, the clock granularity, is our timestamp tick.
constexpr Time kGranularity = 1 * kMsec;

uint32_t clamp_rto(Time r, const Config& cfg) {
  return uint32_t(std::clamp(r, cfg.rto_min, cfg.rto_max));
}

}  // namespace

void rto_init(Tcb& t, Time initial) {
  t.srtt_us = 0;
  t.rttvar_us = 0;
  t.rto_us = uint32_t(initial);
  t.backoff = 0;
}

void rto_sample(Tcb& t, const Config& cfg, Time rtt) {
  uint32_t r = uint32_t(std::clamp<Time>(rtt, 1, cfg.rto_max));
  if (t.srtt_us == 0) {
    // §2.2: the first measurement.
    t.srtt_us = r;
    t.rttvar_us = r / 2;
  } else {
    // §2.3 with alpha = 1/8, beta = 1/4; RTTVAR is updated with the old SRTT.
    uint32_t delta = t.srtt_us > r ? t.srtt_us - r : r - t.srtt_us;
    t.rttvar_us = (3 * uint64_t(t.rttvar_us) + delta) / 4;
    t.srtt_us = std::max<uint32_t>(1, (7 * uint64_t(t.srtt_us) + r) / 8);
  }
  t.rto_us = clamp_rto(t.srtt_us + std::max<Time>(kGranularity, 4 * Time(t.rttvar_us)), cfg);
}

Time rto_current(const Tcb& t, const Config& cfg) {
  Time r = Time(t.rto_us) << std::min<uint8_t>(t.backoff, 30);
  return std::min(r, cfg.rto_max);
}

}  // namespace ts::tcp
