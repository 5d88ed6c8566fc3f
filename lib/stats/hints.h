// Counters that point at a known misconfiguration, turned into what to do about it. A user whose
// curl hangs sees a drop counter rise; this names the cause where the device makes it likely.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "stats/counters.h"

namespace ts::stats {

// One line for the user, or "" when the counters show nothing known. device: the port's driver
// name as DPDK gives it (net_af_packet0, net_tap0, ...).
std::string drop_hint(std::string_view device, const Snapshot& s);

// Says a hint once per process, to stderr, the first time drop_hint has one.
class HintOnce {
 public:
  void check(std::string_view device, const Snapshot& s);
  bool said() const { return said_; }

 private:
  bool said_ = false;
};

}  // namespace ts::stats
