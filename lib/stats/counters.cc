#include "stats/counters.h"

#include <cstring>

namespace ts::stats {

namespace {
#define TS_NAME(name, help) #name,
constexpr const char* kNames[] = {TS_COUNTERS(TS_NAME)};
#undef TS_NAME
#define TS_HELP(name, help) help,
constexpr const char* kHelp[] = {TS_COUNTERS(TS_HELP)};
#undef TS_HELP
#define TS_GNAME(name) #name,
constexpr const char* kGaugeNames[] = {TS_GAUGES(TS_GNAME)};
#undef TS_GNAME
}  // namespace

const char* counter_name(Counter c) { return kNames[static_cast<size_t>(c)]; }
const char* counter_help(Counter c) { return kHelp[static_cast<size_t>(c)]; }
const char* gauge_name(Gauge g) { return kGaugeNames[static_cast<size_t>(g)]; }

void Snapshot::accumulate(const LcoreCounters& l) {
  for (size_t i = 0; i < kNumCounters; i++) c[i] += l.read(static_cast<Counter>(i));
  for (size_t i = 0; i < kNumGauges; i++) g[i] += l.read(static_cast<Gauge>(i));
}

uint64_t Snapshot::drops() const {
  uint64_t sum = 0;
  for (size_t i = 0; i < kNumCounters; i++)
    if (std::strncmp(kNames[i], "drop_", 5) == 0) sum += c[i];
  return sum + (*this)[Counter::tx_full_drops];
}

}  // namespace ts::stats
