#include "stats/telemetry.h"

#include <rte_telemetry.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>

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

// One string, as this once was, is bounded to 8 KiB (RTE_TEL_MAX_SINGLE_STRING_LEN), and the
// text with a TYPE line for each family is about 10 KiB: it goes as an array of its lines
// instead, each within an array string's 127 characters, 512 of them at most. The reply's JSON
// must fit the socket's 16 KiB (max_output_len), or DPDK drops what does not: the text with
// every counter at 2^64 - 1 does (prometheus_test holds it to these bounds).
int cmd_prometheus(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lk(g_mu);
  if (!g_source) return -1;
  const std::string text = to_prometheus(g_source->total(), false);
  rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
  std::string_view rest = text;
  std::string line;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    line.assign(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (rte_tel_data_add_array_string(d, line.c_str()) != 0) return -1;  // never a cut or lost line
  }
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
                               "Turnstile counters in Prometheus text format, one array string a line");
  });
}

void set_telemetry_source(const Registry* r) {
  std::lock_guard lk(g_mu);
  g_source = r;
}

}  // namespace ts::stats
