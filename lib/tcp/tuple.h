// A connection's identity as seen from this stack: addresses and ports in host byte order.
#pragma once
#include <cstdint>
#include <functional>

namespace ts::tcp {

struct FourTuple {
  uint32_t laddr = 0;  // our address
  uint32_t raddr = 0;  // the peer's address
  uint16_t lport = 0;
  uint16_t rport = 0;

  constexpr bool operator==(const FourTuple&) const = default;
};
static_assert(sizeof(FourTuple) == 12);

}  // namespace ts::tcp
