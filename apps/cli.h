// What both apps' command lines share beyond CLI11.
#pragma once
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ts::apps {

// The whole of `s` as a number, by from_chars: no leading space, '+' or hex, which CLI11's
// lexical_cast (strtod) takes.
inline bool plain_number(const std::string& s, double& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// A range check for seconds and rates that also refuses nan. CLI::Range compares, and every
// comparison with nan is false: `--duration nan` passed it and ran without end.
inline CLI::Validator finite_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        double v = 0;
        if (!plain_number(s, v)) return "'" + s + "' is not a number";
        if (!std::isfinite(v) || v < lo || v > hi)
          return "Value " + s + " not in range " + std::to_string(lo) + " to " + std::to_string(hi);
        return {};
      },
      "FLOAT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]");
}

// A stats interval: 0 (no lines) or at least `least` seconds, how often the loop that prints the
// lines wakes. A shorter one was taken (1e-9 too) and not honoured: the lines came a wake apart.
// After finite_range, which refuses nan and negatives.
inline CLI::Validator stats_interval(double least) {
  char m[32];
  std::snprintf(m, sizeof m, "%g", least);
  return CLI::Validator(
      [least, min = std::string(m)](std::string& s) -> std::string {
        double v = 0;
        if (!plain_number(s, v)) return "'" + s + "' is not a number";
        if (v != 0 && v < least) return "Value " + s + " is below " + min + " s, the shortest interval honoured (0: no lines)";
        return {};
      },
      "");
}

// Whole numbers in decimal digits only, leading zeros dropped: CLI11 2.1 reads "010" as octal (8),
// "0x10" as hex and "-1" into an unsigned option as 2^64 - 1. A transform: the range checks
// after it see the decimal value.
inline CLI::Validator decimal() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        uint64_t v = 0;  // from_chars takes no sign or prefix, and says when the digits overflow
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size())
          return "'" + s + "' is not a whole number in decimal";
        s = std::to_string(v);
        return {};
      },
      "UINT");
}

// A file name or spec that must say something: CLI11 takes `--json ""` as given, and the option
// then acted as if absent (no JSON written, no fault, no gateway), the run saying nothing of it.
inline CLI::Validator nonempty() {
  return CLI::Validator(
      [](std::string& s) -> std::string { return s.empty() ? "empty (leave the option out instead)" : ""; }, "");
}

// --help's usage line, EAL options included (CLI11's own would say `NAME [OPTIONS]`).
class UsageLine : public CLI::Formatter {
 public:
  explicit UsageLine(std::string line) : line_(std::move(line)) {}
  std::string make_usage(const CLI::App*, std::string) const override { return line_ + "\n"; }

 private:
  std::string line_;
};

inline void set_usage(CLI::App& app, std::string line) {
  app.formatter(std::make_shared<UsageLine>(std::move(line)));
}

// A parse error in one line. Arguments left over are listed in the order given (CLI11 lists them
// backwards), with a word on `--` when they look like EAL's: the usual slip is to leave it out.
inline std::string parse_error(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  if (!dynamic_cast<const CLI::ExtrasError*>(&e)) return std::string(e.what()) + " (try -- --help)";
  static const char* const eal[] = {"-l", "-c", "-n", "-m", "-a", "-b", "--vdev", "--no-huge", "--file-prefix",
                                    "--in-memory", "--socket-mem", "--huge-dir", "--log-level", "--main-lcore",
                                    "--iova-mode", "--proc-type", "--no-pci", "--lcores"};
  const std::vector<std::string> extra = app.remaining();
  std::string list;
  bool eal_like = false;
  for (const std::string& a : args) {
    if (std::find(extra.begin(), extra.end(), a) == extra.end()) continue;
    list += (list.empty() ? "" : " ") + a;
    for (const char* o : eal) {
      const std::string opt(o);
      eal_like |= a == opt || (a.rfind(opt, 0) == 0 && (opt.size() == 2 || a[opt.size()] == '='));
    }
  }
  return "unexpected arguments: " + list +
         (eal_like ? " (EAL options go before `--`, this program's after it)" : " (try -- --help)");
}

}  // namespace ts::apps
