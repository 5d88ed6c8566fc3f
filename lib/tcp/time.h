// Time in the protocol core is a number handed in by the caller: the datapath converts the TSC,
// tests pass a virtual clock. The core never reads a clock of its own.
#pragma once
#include <cstdint>

namespace ts::tcp {

using Time = uint64_t;  // microseconds since an arbitrary origin, monotonic
constexpr Time kUsec = 1;
constexpr Time kMsec = 1000;
constexpr Time kSec = 1000 * 1000;
constexpr Time kNever = ~Time(0);

}  // namespace ts::tcp
