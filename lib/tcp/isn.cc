#include "tcp/isn.h"

namespace ts::tcp {

uint32_t make_isn(const IsnKey& key, const FourTuple& t, Time now) {
  const auto m = static_cast<uint32_t>(now / kIsnTick);
  const auto f = static_cast<uint32_t>(siphash_tuple(key, t));
  return m + f;
}

}  // namespace ts::tcp
