// turnstile-cps's application options (after `--`), parsed with CLI11.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dpdk/fault_port.h"

namespace ts::cps {

enum class Request : uint8_t { kHttp, kEcho, kNone };
enum class CloseMode : uint8_t {
  kClient,  // we send the first FIN once the reply is in: TIME-WAIT stays with us
  kServer,  // we wait for the server's FIN, then close: TIME-WAIT stays with the server
  kRst,     // we abort (RST) once the reply is in: no TIME-WAIT anywhere
};

// How often the controller (controller.cc) wakes: the shortest --stats-interval it can honour.
inline constexpr std::chrono::milliseconds kControlTick{5};
// Seconds the server's next hop has to answer ARP once the link is up: a bound of its own, not
// --link-wait's, which a link known to be up at once (--link-wait 0) would leave at nothing. A
// host on the link answers in well under a millisecond; a few seconds cover a lost request and
// the SYN's retransmission that asks again. A link whose state cannot be known (a tap, still
// being moved into its namespace) comes up in that wait too: then --link-wait is added to it.
inline constexpr double kArpWait = 5;

struct Options {
  uint32_t ip = 0;               // --ip 198.18.0.3/24: our first address
  uint8_t prefix_len = 24;
  uint32_t ip_count = 1;         // --ip-range N: ip .. ip + N - 1
  uint16_t port_lo = 32768;      // --port-range LO-HI: our local ports (Linux's ip_local_port_range)
  uint16_t port_hi = 60999;
  uint32_t gateway = 0;
  uint32_t server_ip = 0;        // --server A.B.C.D:PORT
  uint16_t server_port = 80;
  double rate = 0;               // connections per second, all lcores together; 0: as fast as possible
  uint32_t concurrency = 0;      // in-flight bound, all lcores together (0: default for the mode)
  bool concurrency_given = false;  // --concurrency was on the command line (else clamped to the blocks)
  double duration = 10;          // seconds of opening (0: until --requests or a signal)
  uint64_t requests = 0;         // stop after this many connections (0: no bound)
  Request request = Request::kHttp;
  std::string path = "/";        // --path: the GET's request target
  std::string host;              // --host: its Host header (default: the server's address[:port])
  CloseMode close = CloseMode::kClient;
  double timeout = 5;            // a connection not done after this long is aborted, counted as timeout
  double hold = 0;               // keep each connection open this long after its reply, then close
  bool hold_to_end = false;      // --hold end: keep them open until opening stops
  double drain = 0;              // after opening stops, wait this long for what is in flight
  bool drain_given = false;      // --drain was on the command line (0 included); else default_drain
  double time_wait_reuse = 0.001;  // reuse our own TIME-WAIT tuple this long after it entered it
                                   // (0 to 3600 s; -1: never)
  double link_wait = 10;         // seconds to wait for the port's link before starting (not for ARP:
                                 // kArpWait)
  double linger = 0;             // after the run, lcores stopped: seconds to wait for the peer to leave
  uint16_t queues = 0;
  std::string config;            // driver profile; default: the embedded tap profile
  int vlan = -1;                 // --vlan: overrides the profile's [port] vlan; -1: not given
  std::string json;
  std::string plot;
  double stats_interval = 1.0;
  bool verbose = false;
  std::string request_name = "http", close_name = "client", server_str;
  std::string python = "/usr/bin/python3";
  int watch_pid = 0;             // --watch-pid: its CPU time goes into the series too
  std::string fault;             // --fault SPEC: a faulty wire on the port (dpdk/fault_port.h)
  dpdk::FaultSpec fault_spec;
  std::string plot_script;       // default: bench/cps/plot.py next to the source tree
};

// --drain's default: --timeout + --hold; with --hold end, --timeout + kDrainPerHeld for each
// connection held (the least of --concurrency and --requests), at most kMaxDrain.
inline constexpr double kDrainPerHeld = 0.001;  // a peer closing 1,000 connections a second
inline constexpr double kMaxDrain = 3600;
double default_drain(const Options& o);

// How long the server's next hop has to answer ARP: kArpWait, after the link came up when its
// state is known (`link_known`), else from the start with --link-wait added.
double arp_wait(const Options& o, bool link_known);

// How long opening may get nowhere, stalls rising, before the controller ends it: a poll loop
// retries a stalled open at once, so kStallLimit of that is no passing shortage; plus --hold (a
// held connection then ends and frees its tuple) and how long a tuple of ours rests in TIME-WAIT
// before it may be reused (--time-wait-reuse; never: the whole TIME-WAIT, 2 * `msl_s`).
inline constexpr double kStallLimit = 1.0;
double stall_limit(const Options& o, double msl_s);

// Parses `args`. Returns true to go on; false with *exit_code set (0 after --help, 2 on a usage
// error, the one-line message already printed).
bool parse_options(const std::vector<std::string>& args, Options* o, int* exit_code);

// The bytes sent once connected, as --request, --path, --host and --close ask (the GET says
// `Connection: close` when the server is to close).
std::string request_bytes(const Options& o);

}  // namespace ts::cps
