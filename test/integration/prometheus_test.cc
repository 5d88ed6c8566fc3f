// The Prometheus text (lib/stats/format.cc) as /turnstile/prometheus sends it, one telemetry
// array string a line: valid exposition format, each family's samples after its one TYPE line
// with the right type, and within DPDK 22.11's telemetry bounds at the largest values.
#include <gtest/gtest.h>
#include <rte_telemetry.h>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "stats/format.h"

using namespace ts;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// A sample's metric name: up to its labels or its value.
std::string metric_of(const std::string& sample) { return sample.substr(0, sample.find_first_of("{ ")); }

// Checks the exposition text's structure and returns each family's type: every sample's family
// was typed by a TYPE line before it, once, and its samples are together (a family never comes
// back after another one began).
std::map<std::string, std::string> check_exposition(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> type;
  std::set<std::string> done;
  std::string current;
  for (const std::string& l : lines) {
    EXPECT_FALSE(l.empty());
    if (l.rfind("# HELP ", 0) == 0) continue;
    if (l.rfind("# TYPE ", 0) == 0) {
      std::istringstream f(l.substr(7));
      std::string name, t, extra;
      f >> name >> t;
      EXPECT_FALSE(f >> extra) << l;
      EXPECT_TRUE(t == "counter" || t == "gauge") << l;
      EXPECT_EQ(type.count(name), 0u) << "a second TYPE line: " << l;
      type[name] = t;
      if (!current.empty()) done.insert(current);
      current = name;
      continue;
    }
    EXPECT_NE(l[0], '#') << l;
    const std::string m = metric_of(l);
    EXPECT_EQ(m, current) << "a sample outside its family's block, or before its TYPE line: " << l;
    EXPECT_EQ(done.count(m), 0u) << l;
    const std::string value = l.substr(l.rfind(' ') + 1);
    EXPECT_FALSE(value.empty()) << l;
    EXPECT_EQ(value.find_first_not_of("-0123456789"), std::string::npos) << l;
  }
  return type;
}

stats::Snapshot largest() {
  stats::Snapshot s;
  s.c.fill(std::numeric_limits<uint64_t>::max());
  s.g.fill(std::numeric_limits<int64_t>::min());
  return s;
}

// The reply's JSON as DPDK's telemetry writes it: {"<cmd>":["line",...]}, '"' and '\' escaped.
size_t telemetry_json_size(const std::string& cmd, const std::vector<std::string>& lines) {
  size_t n = cmd.size() + 7;  // {"cmd":[]}
  for (const std::string& l : lines) {
    n += l.size() + 3;  // the quotes, the comma
    for (char c : l) n += c == '"' || c == '\\';
  }
  return n;
}

}  // namespace

TEST(Prometheus, every_family_has_one_type_line_before_its_samples) {
  for (bool help : {false, true}) {
    const auto type = check_exposition(lines_of(stats::to_prometheus(largest(), help)));
    ASSERT_EQ(type.size(), stats::kNumCounters + 1) << help;
    for (size_t i = 0; i < stats::kNumCounters; i++) {
      const std::string name = std::string("turnstile_") + stats::counter_name(static_cast<stats::Counter>(i)) + "_total";
      EXPECT_EQ(type.at(name), "counter") << name;
    }
    EXPECT_EQ(type.at("turnstile_connections"), "gauge");
  }
}

TEST(Prometheus, counters_and_gauges_carry_the_snapshots_values) {
  stats::Snapshot s;
  s.c[static_cast<size_t>(stats::Counter::accept_overflow)] = 7;
  s.g[static_cast<size_t>(stats::Gauge::established)] = 3;
  const std::string text = stats::to_prometheus(s, false);
  EXPECT_NE(text.find("# TYPE turnstile_accept_overflow_total counter\nturnstile_accept_overflow_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("turnstile_connections{state=\"established\"} 3\n"), std::string::npos);
}

// What /turnstile/prometheus sends (telemetry.cc): the text without HELP lines, a line an array
// string. Every counter at its largest still fits DPDK 22.11's bounds: no line cut, none lost.
TEST(Prometheus, telemetry_lines_fit_dpdks_bounds_at_the_largest_values) {
  const std::vector<std::string> lines = lines_of(stats::to_prometheus(largest(), false));
  EXPECT_LE(lines.size(), size_t{RTE_TEL_MAX_ARRAY_ENTRIES});
  for (const std::string& l : lines) EXPECT_LT(l.size(), size_t{RTE_TEL_MAX_STRING_LEN}) << l;
  constexpr size_t kMaxOutputLen = 16 * 1024;  // lib/telemetry/telemetry.c's MAX_OUTPUT_LEN
  EXPECT_LT(telemetry_json_size("/turnstile/prometheus", lines), kMaxOutputLen);
  // Why not one string, as before: with its TYPE lines the text is past that bound.
  EXPECT_GT(stats::to_prometheus(largest(), false).size(), size_t{RTE_TEL_MAX_SINGLE_STRING_LEN});
}
