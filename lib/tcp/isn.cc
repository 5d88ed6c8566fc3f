#include "tcp/isn.h"

namespace ts::tcp {

uint32_t make_isn(const IsnKey& key, const FourTuple& t, Time now) {
  const auto m = static_cast<uint32_t>(now / kIsnTick);
  const auto f = static_cast<uint32_t>(siphash_tuple(key, t));
  return m + f;
}

uint32_t make_ts_offset(const IsnKey& key, uint32_t laddr, uint32_t raddr, Time origin) {
  SipHash24 s(key);
  s.word(laddr | uint64_t(raddr) << 32);
  const auto h = static_cast<uint32_t>(s.finish(0, 8));
  return h + static_cast<uint32_t>(origin / kMsec);
}

}  // namespace ts::tcp
