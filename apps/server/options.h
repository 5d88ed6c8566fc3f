// turnstile-server's application options (after `--`), parsed with CLI11.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dpdk/fault_port.h"
#include "handlers.h"

namespace ts::server {

// How often the reporter (report.cc) wakes: the shortest --stats-interval it can honour.
inline constexpr std::chrono::milliseconds kReportTick{20};

struct Options {
  std::string ip_cidr;           // --ip 198.18.0.2/24 (required)
  uint32_t ip = 0;
  uint8_t prefix_len = 24;
  uint32_t gateway = 0;
  uint16_t port = 80;
  Mode mode = Mode::kHttp;
  std::string mode_name = "http";
  uint32_t backlog = 511;
  uint16_t workers = 0;          // 0: handlers run inline on the lcores
  uint16_t queues = 0;           // 0: the profile's, or one per lcore
  std::string config;            // driver profile (drivers-config/*.ini); default: embedded tap
  int vlan = -1;                 // --vlan: overrides the profile's [port] vlan; -1: not given
  double stats_interval = 1.0;   // 0: no periodic line
  std::string json;
  double duration = 0;           // 0: until SIGINT/SIGTERM
  uint32_t dad_ms = 0;           // RFC 5227 probing before use; 0: off
  std::string body = "Hello from Turnstile\n";
  bool verbose = false;          // show EAL's start-up log
  std::string fault;             // --fault SPEC: a faulty wire on the port (dpdk/fault_port.h)
  dpdk::FaultSpec fault_spec;
  uint32_t read_delay_us = 0;    // --read-delay-us: a slow reader for tests (needs workers)
};

// Parses `args`. Returns true to go on; false with *exit_code set (0 after --help, 2 on a usage
// error, the one-line message already printed).
bool parse_options(const std::vector<std::string>& args, Options* o, int* exit_code);

}  // namespace ts::server
