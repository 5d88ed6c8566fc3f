#include "stats/telemetry.h"

#include <rte_telemetry.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "stats/format.h"

namespace ts::stats {

namespace {
// Readers (telemetry thread) and set_telemetry_source() (shutdown) are serialised by this mutex;
// it is never touched by an lcore.
std::mutex g_mu;
const Registry* g_source = nullptr;

void fill(rte_tel_data* d, const Snapshot& s) {
  rte_tel_data_start_dict(d);
  for (size_t i = 0; i < kNumCounters; i++)
    rte_tel_data_add_dict_u64(d, counter_name(static_cast<Counter>(i)), s.c[i]);
  for (size_t i = 0; i < kNumGauges; i++) {
    char key[64];
    snprintf(key, sizeof key, "conns_%s", gauge_name(static_cast<Gauge>(i)));
    rte_tel_data_add_dict_u64(d, key, static_cast<uint64_t>(s.g[i] < 0 ? 0 : s.g[i]));
  }
}

int cmd_stats(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lk(g_mu);
  if (!g_source) return -1;
  fill(d, g_source->total());
  return 0;
}

int cmd_lcore(const char*, const char* params, rte_tel_data* d) {
  std::lock_guard lk(g_mu);
  // Decimal digits only: strtoul would take " 0", "+0" and "-0" too.
  if (!g_source || !params || *params < '0' || *params > '9') return -1;
  char* end = nullptr;
  unsigned long i = strtoul(params, &end, 10);
  if (*end != '\0' || i >= g_source->size()) return -1;
  fill(d, g_source->of(static_cast<unsigned>(i)));
  return 0;
}

int cmd_prometheus(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lk(g_mu);
  if (!g_source) return -1;
  // A telemetry string is bounded (RTE_TEL_MAX_SINGLE_STRING_LEN, 8 KiB; the text is about
  // 5 KiB without HELP and TYPE lines, which would pass it): were it ever longer, the samples
  // that fit are kept whole, never a line cut in two.
  std::string text = to_prometheus(g_source->total(), false);
  if (text.size() >= RTE_TEL_MAX_SINGLE_STRING_LEN)
    text.resize(text.rfind('\n', RTE_TEL_MAX_SINGLE_STRING_LEN - 2) + 1);
  rte_tel_data_string(d, text.c_str());
  return 0;
}
}  // namespace

void register_telemetry() {
  static std::once_flag once;
  std::call_once(once, [] {
    rte_telemetry_register_cmd("/turnstile/stats", cmd_stats,
                               "Turnstile counters and connection gauges, summed over lcores");
    rte_telemetry_register_cmd("/turnstile/lcore", cmd_lcore,
                               "Turnstile counters of one lcore. Parameters: int queue index, 0 to queues - 1 (not the EAL lcore id)");
    rte_telemetry_register_cmd("/turnstile/prometheus", cmd_prometheus,
                               "Turnstile counters in Prometheus text format");
  });
}

void set_telemetry_source(const Registry* r) {
  std::lock_guard lk(g_mu);
  g_source = r;
}

}  // namespace ts::stats
