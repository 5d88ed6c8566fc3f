// parse_options: numbers that are not what they seem are refused in one line, not taken as
// something else (a wrapped count, a prefix of junk, an overflowing duration, an infinite rate).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "options.h"

using ts::cps::Options;

namespace {

struct Parsed {
  bool ok = false;
  int code = -1;
  std::string err;  // what it printed on stderr
  Options o;
};

// The required options, then `extra`.
Parsed parse(std::initializer_list<std::string> extra) {
  std::vector<std::string> args{"--ip", "198.18.0.3/24", "--server", "198.18.0.2:80"};
  args.insert(args.end(), extra);
  Parsed p;
  testing::internal::CaptureStderr();
  p.ok = ts::cps::parse_options(args, &p.o, &p.code);
  p.err = testing::internal::GetCapturedStderr();
  return p;
}

void expect_refused(std::initializer_list<std::string> extra, const std::string& words) {
  const Parsed p = parse(extra);
  EXPECT_FALSE(p.ok) << words;
  EXPECT_EQ(p.code, 2) << p.err;
  EXPECT_NE(p.err.find(words), std::string::npos) << p.err;
  EXPECT_EQ(p.err.find('\n'), p.err.size() - 1) << "not one line: " << p.err;
}

}  // namespace

TEST(Options, requests_negative_is_refused_not_wrapped) {
  expect_refused({"--requests", "-1"}, "--requests: '-1' is not a whole number");
  expect_refused({"--requests", "18446744073709551616"}, "is not a whole number");
  expect_refused({"--requests", "3x"}, "'3x' is not a whole number");
}

TEST(Options, requests_takes_whole_numbers) {
  Parsed p = parse({"--requests", "0"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.requests, 0u);
  p = parse({"--requests", "18446744073709551615"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.requests, UINT64_MAX);
}

// CLI11 alone reads "010" as octal (8) and "0x10" as hex: whole numbers are decimal here.
TEST(Options, whole_numbers_are_decimal_leading_zeros_and_all) {
  Parsed p = parse({"--concurrency", "010", "--ip-range", "08", "--requests", "0100"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.concurrency, 10u);
  EXPECT_EQ(p.o.ip_count, 8u);
  EXPECT_EQ(p.o.requests, 100u);
  expect_refused({"--concurrency", "0x10"}, "--concurrency: '0x10' is not a whole number in decimal");
  expect_refused({"--ip-range", "+2"}, "'+2' is not a whole number in decimal");
}

// A /31 or /32 is an address/prefix all right: what is refused is named (the prefix), not its
// form.
TEST(Options, ip_prefix_past_30_is_named_not_called_malformed) {
  for (const char* ip : {"198.18.0.3/31", "198.18.0.3/32"}) {
    Options o;
    int code = -1;
    testing::internal::CaptureStderr();
    EXPECT_FALSE(ts::cps::parse_options({"--ip", ip, "--server", "198.18.0.2:80"}, &o, &code));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2);
    EXPECT_NE(err.find(std::string("--ip ") + ip + ": the prefix is at most /30"), std::string::npos) << err;
  }
}

// An empty file name or spec is refused: taken, it acted as if the option were absent (`--json ""`
// wrote no results and exited 0).
TEST(Options, empty_paths_and_specs_are_refused_not_taken_as_absent) {
  for (const char* opt : {"--json", "--plot", "--plot-script", "--python", "--gateway", "--fault"})
    expect_refused({opt, ""}, std::string(opt) + ": empty (leave the option out instead)");
}

TEST(Options, rate_infinite_nan_or_huge_is_refused) {
  for (const char* r : {"inf", "-inf", "nan", "1e12", "1e300", "0", "-5", "100junk"})
    expect_refused({"--rate", r}, std::string("--rate '") + r + "' is neither a number above 0 and at most 1e9 nor max");
}

// As the whole-number options (from_chars): no space before, no sign, no hex.
TEST(Options, rate_with_a_leading_space_sign_or_hex_is_refused) {
  for (const char* r : {" 100", "+100", "100 ", "0x10", "\t5"})
    expect_refused({"--rate", r}, std::string("--rate '") + r + "' is neither a number above 0 and at most 1e9 nor max");
  for (const char* r : {" 5", "+5"})
    expect_refused({"--time-wait-reuse", r}, "");
  for (const char* opt : {"--duration", "--timeout", "--drain", "--stats-interval"})
    for (const char* r : {" 5", "+5", "0x5"}) expect_refused({opt, r}, std::string("'") + r + "' is not a number");
  EXPECT_TRUE(parse({"--duration", "2.5", "--timeout", "1e1", "--stats-interval", "0.5"}).ok);
}

TEST(Options, rate_up_to_a_billion_or_max) {
  Parsed p = parse({"--rate", "1e9"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.rate, 1e9);
  p = parse({"--rate", "max"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.rate, 0);
}

TEST(Options, time_wait_reuse_junk_or_overflowing_is_refused) {
  for (const char* r : {"2junk", "1e300", "3601", "-1", "nan", "inf", ""})
    expect_refused({"--time-wait-reuse", r},
                   std::string("--time-wait-reuse '") + r + "' is neither seconds from 0 to 3600 nor never");
}

TEST(Options, time_wait_reuse_seconds_or_never) {
  Parsed p = parse({"--time-wait-reuse", "3600"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.time_wait_reuse, 3600);
  p = parse({"--time-wait-reuse", "never"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_LT(p.o.time_wait_reuse, 0);
  p = parse({});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.time_wait_reuse, 0.001);
}

TEST(Options, hold_seconds_or_end) {
  Parsed p = parse({"--hold", "1.5"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.hold, 1.5);
  EXPECT_FALSE(p.o.hold_to_end);
  p = parse({"--hold", "end"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.hold, 0);
  EXPECT_TRUE(p.o.hold_to_end);
  expect_refused({"--hold", "soon"}, "--hold 'soon' is neither seconds from 0 to 3600 nor end");
  expect_refused({"--hold", "1e300"}, "--hold '1e300' is neither seconds from 0 to 3600 nor end");
}

// --drain's default follows what is held: with --hold end all of it closes in the drain, at the
// peer's pace, so the drain grows with the population (1 ms a connection) instead of being
// --timeout whatever the count; given, it is taken as it is.
TEST(Options, drain_default_follows_the_population_held_to_the_end) {
  Parsed p = parse({"--timeout", "2", "--hold", "1.5"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 3.5);
  p = parse({"--timeout", "2", "--hold", "end", "--concurrency", "100000", "--duration", "5"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 2 + 100);
  p = parse({"--timeout", "2", "--hold", "end", "--concurrency", "100000", "--requests", "30000"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 2 + 30);
  p = parse({"--hold", "end", "--rate", "1000"});  // the default concurrency with a rate: 10,000
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 5 + 10);
  p = parse({"--hold", "end", "--concurrency", "16777216", "--duration", "5"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 3600);  // --drain's own bound
  p = parse({"--hold", "end", "--concurrency", "100000", "--duration", "5", "--drain", "7"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 7);
}

// A port is decimal digits only, as turnstile-server's --port: std::stoi took a leading space
// and a sign, so `198.18.0.2: 80`, `:+80` and ` 1-5` were taken while the server refused ' 80'.
TEST(Options, ports_with_spaces_or_signs_are_refused) {
  for (const char* s : {"198.18.0.2: 80", "198.18.0.2:+80", "198.18.0.2:80 ", "198.18.0.2:", "198.18.0.2:0x50"}) {
    Options o;
    int code = -1;
    testing::internal::CaptureStderr();
    EXPECT_FALSE(ts::cps::parse_options({"--ip", "198.18.0.3/24", "--server", s}, &o, &code)) << s;
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2) << err;
    EXPECT_EQ(err, std::string("turnstile-cps: error: --server '") + s + "' is not A.B.C.D:PORT\n");
  }
  for (const char* r : {" 1-5", "1- 5", "+1-5", "1-+5", "1-5 ", "-1-5"})
    expect_refused({"--port-range", r}, std::string("--port-range '") + r + "' is not LO-HI with 1 <= LO <= HI <= 65535");
  Options o;
  int code = -1;
  ASSERT_TRUE(ts::cps::parse_options({"--ip", "198.18.0.3/24", "--server", "198.18.0.2:080"}, &o, &code));
  EXPECT_EQ(o.server_port, 80);
  const Parsed p = parse({"--port-range", "1-65535"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.port_lo, 1);
  EXPECT_EQ(p.o.port_hi, 65535);
}

// The controller that prints the lines wakes every 5 ms: a shorter --stats-interval was taken
// (1e-9 too) and lines still came 5 ms apart. Refused, naming the least; 0 is still no lines.
TEST(Options, stats_interval_below_what_is_honoured_is_refused) {
  for (const char* s : {"1e-9", "0.001", "0.0049"})
    expect_refused({"--stats-interval", s},
                   std::string("--stats-interval: Value ") + s + " is below 0.005 s, the shortest interval honoured");
  for (const char* s : {"0", "0.005", "1"}) {
    const Parsed p = parse({"--stats-interval", s});
    EXPECT_TRUE(p.ok) << s << ": " << p.err;
  }
}

// An explicit --drain 0 (cut whatever is in flight as soon as opening stops) was taken for "not
// given" and replaced by the default.
TEST(Options, drain_zero_given_is_kept_not_defaulted) {
  Parsed p = parse({"--timeout", "2", "--drain", "0"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.o.drain, 0);
  EXPECT_TRUE(p.o.drain_given);
  p = parse({"--timeout", "2"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(p.o.drain, 2);
  EXPECT_FALSE(p.o.drain_given);
}

// A next hop that is one of our own addresses never answers ARP: refused as turnstile-server
// refuses it, the addresses of --ip-range included.
TEST(Options, gateway_that_is_our_own_address_is_refused) {
  const std::string server = "198.18.1.2:80";  // off our subnet: the gateway is used
  for (const char* g : {"198.18.0.3", "198.18.0.6"}) {
    Options o;
    int code = -1;
    testing::internal::CaptureStderr();
    EXPECT_FALSE(ts::cps::parse_options({"--ip", "198.18.0.3/24", "--ip-range", "4", "--server", server,
                                         "--gateway", g}, &o, &code)) << g;
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2) << err;
    EXPECT_NE(err.find(std::string("--gateway ") + g + " is one of our own addresses"), std::string::npos) << err;
  }
  Options o;
  int code = -1;
  EXPECT_TRUE(ts::cps::parse_options({"--ip", "198.18.0.3/24", "--ip-range", "4", "--server", server, "--gateway",
                                      "198.18.0.7"}, &o, &code));
}

// Opening that gets nowhere is over after a second of stalls, but not before a tuple our own
// TIME-WAIT holds may be reused, nor before a held connection lets its tuple go: a run with
// --time-wait-reuse never waits out the whole TIME-WAIT rather than stop short of --requests.
TEST(Options, the_stall_limit_waits_out_hold_and_time_wait_reuse) {
  Parsed p = parse({"--requests", "10"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(ts::cps::stall_limit(p.o, 30), 1.001);
  p = parse({"--requests", "10", "--hold", "2", "--time-wait-reuse", "never"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_DOUBLE_EQ(ts::cps::stall_limit(p.o, 30), 1 + 2 + 60);
}
