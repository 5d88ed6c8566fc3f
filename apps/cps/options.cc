#include "options.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string_view>

#include "../cli.h"
#include "dpdk/netif.h"

namespace ts::cps {

namespace {

// No port opens a billion connections a second; the bound keeps the token bucket's counts
// (rate / 200 at most) far inside an int.
constexpr double kMaxRate = 1e9;
// Seconds at most for --hold and --time-wait-reuse, as for --timeout and --drain.
constexpr double kMaxSeconds = 3600;

// The whole of `s` as a number, nan and inf included (for the range checks to refuse), as the
// float options read theirs (apps::plain_number: no leading space, sign or hex).
std::optional<double> whole_number(const std::string& s) {
  double v = 0;
  if (!apps::plain_number(s, v)) return std::nullopt;
  return v;
}

bool parse_rate(const std::string& s, double* out) {
  if (s == "max") return *out = 0, true;
  const auto v = whole_number(s);
  if (!v || !(*v > 0 && *v <= kMaxRate)) return false;  // nan and inf fail too
  *out = *v;
  return true;
}

// `s` as seconds from 0 to kMaxSeconds, or `word` (returned as -1).
bool parse_seconds_or(const std::string& s, const char* word, double* out) {
  if (s == word) return *out = -1, true;
  const auto v = whole_number(s);
  if (!v || !(*v >= 0 && *v <= kMaxSeconds)) return false;
  *out = *v;
  return true;
}

// What may go into the request line or a header value as it is: visible ASCII, no space.
bool http_token_chars(const std::string& s) {
  for (const char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// A port in decimal digits only, 1 to 65535, as turnstile-server's --port (apps::decimal):
// std::stoi skipped leading spaces and took a sign, so `198.18.0.2: 80`, `:+80` and ` 1-5` passed.
std::optional<uint16_t> port_number(std::string_view s) {
  unsigned v = 0;  // from_chars takes no space, sign or prefix
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 1 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

bool parse_endpoint(const std::string& s, uint32_t* ip, uint16_t* port) {
  const size_t colon = s.rfind(':');
  const auto a = dpdk::parse_ipv4(s.substr(0, colon));
  if (!a || *a == 0) return false;
  *ip = *a;
  if (colon == std::string::npos) return true;
  const auto p = port_number(std::string_view(s).substr(colon + 1));
  if (p) *port = *p;
  return p.has_value();
}

bool parse_port_range(const std::string& s, uint16_t* lo, uint16_t* hi) {
  const size_t dash = s.find('-');
  if (dash == std::string::npos) return false;
  const auto l = port_number(std::string_view(s).substr(0, dash));
  const auto h = port_number(std::string_view(s).substr(dash + 1));
  if (!l || !h || *l > *h) return false;
  *lo = *l;
  *hi = *h;
  return true;
}

}  // namespace

// With --hold end every connection held closes once opening stops, all of them in the drain: at
// the peer's close rate, which a fixed --timeout cannot cover for a large population.
double default_drain(const Options& o) {
  if (!o.hold_to_end) return o.timeout + o.hold;
  const uint64_t held = o.requests ? std::min<uint64_t>(o.requests, o.concurrency) : o.concurrency;
  return std::min(o.timeout + static_cast<double>(held) * kDrainPerHeld, kMaxDrain);
}

double arp_wait(const Options& o, bool link_known) { return kArpWait + (link_known ? 0 : o.link_wait); }

double stall_limit(const Options& o, double msl_s) {
  return kStallLimit + o.hold + (o.time_wait_reuse >= 0 ? o.time_wait_reuse : 2 * msl_s);
}

bool parse_options(const std::vector<std::string>& args, Options* o, int* exit_code) {
  CLI::App app{"turnstile-cps: a connections-per-second load generator on the Turnstile stack.",
               "turnstile-cps"};
  apps::set_usage(app, "Usage: turnstile-cps [EAL options] -- --ip A.B.C.D/N --server A.B.C.D:PORT [options]");
  std::string ip, rate = "max", gateway, reuse = "0.001", hold = "0", ports = "32768-60999";
  app.add_option("--ip", ip, "our (first) address and prefix, e.g. 198.18.0.3/24 (/24 if left out)")->required();
  app.add_option("--ip-range", o->ip_count, "use N consecutive local addresses from --ip on (more tuples per server)")
      ->transform(apps::decimal())
      ->check(CLI::Range(1, 4096));
  app.add_option("--port-range", ports, "local ports to open from, LO-HI (default 32768-60999, Linux's)");
  app.add_option("--gateway", gateway, "next hop for a server off our subnet")->check(apps::nonempty());
  app.add_option("--server", o->server_str, "the server, A.B.C.D:PORT (port 80 if left out)")->required();
  app.add_option("--rate", rate, "connections per second, all lcores together (at most 1e9), or max (default)");
  auto* conc = app.add_option("--concurrency", o->concurrency,
                              "connections in flight at most, all lcores together (default: 256 with --rate max, "
                              "10000 with a rate)")
                   ->transform(apps::decimal())
                   ->check(CLI::Range(1u, 1u << 24));
  auto* dur = app.add_option("--duration", o->duration, "seconds to open connections (default 10, or no bound with --requests; 0: until SIGINT)")
                  ->check(apps::finite_range(0.0, 1e7));
  app.add_option("--requests", o->requests, "stop after opening this many connections (0: no bound)")
      ->transform(apps::decimal());
  app.add_option("--request", o->request_name, "what to send once connected: http (GET), echo (16 bytes), none")
      ->check(CLI::IsMember({"http", "echo", "none"}));
  auto* path = app.add_option("--path", o->path, "the request target of --request http (default /)");
  auto* host = app.add_option("--host", o->host,
                              "the Host header of --request http (default: the server's address, with its port "
                              "unless 80)");
  app.add_option("--close", o->close_name,
                 "who closes once the reply is in: client (our FIN first: TIME-WAIT here), server (wait for "
                 "its FIN: TIME-WAIT there), rst (abort)")
      ->check(CLI::IsMember({"client", "server", "rst"}));
  app.add_option("--timeout", o->timeout, "abort a connection not done after this many seconds (a timeout)")
      ->check(apps::finite_range(0.001, 3600.0));
  app.add_option("--hold", hold,
                 "keep each connection open this many seconds once its reply is in (or once connected, with "
                 "--request none), then close it as --close says; end: until opening stops (--requests, "
                 "--duration), then close them all: many connections open at once")
      ->type_name("S|end");
  auto* drain = app.add_option("--drain", o->drain,
                 "after opening stops, wait this long for connections in flight (default: --timeout + --hold; "
                 "with --hold end, --timeout + 1 ms for each connection held, the least of --concurrency and "
                 "--requests: time for a peer closing 1,000 a second to close them all; at most 3600)")
      ->check(apps::finite_range(0.0, 3600.0));
  app.add_option("--time-wait-reuse", reuse,
                 "seconds (at most 3600) after which a TIME-WAIT tuple of ours may be reused by a new "
                 "connection, or never")
      ->default_str("0.001");
  app.add_option("--linger", o->linger,
                 "after the run, its lcores stopped, keep the port open until the link goes down (the server "
                 "stopped) or this many seconds pass: with memif, stop the server then, and no lcore of either "
                 "side polls rings its peer unmaps (DPDK 22.11's memif race, README)")
      ->check(apps::finite_range(0.0, 3600.0));
  app.add_option("--link-wait", o->link_wait,
                 "seconds to wait for the link to come up before starting; the server (or --gateway) then has " +
                     std::to_string(static_cast<int>(kArpWait)) +
                     " s of its own to answer ARP (on a tap, whose link state is unknown, the two together)")
      ->check(apps::finite_range(0.0, 600.0));
  app.add_option("--queues", o->queues, "RX/TX queue pairs, one lcore each (default: one per EAL lcore)")
      ->transform(apps::decimal())->check(CLI::Range(0, 64));
  app.add_option("--fault", o->fault,
                 "a faulty wire: drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42[,dir=rx|tx|both]")
      ->check(apps::nonempty());
  app.add_option("--vlan", o->vlan, "802.1Q VLAN id of our frames, 1..4094 (0: untagged; default: the profile's [port] vlan)")
      ->transform(apps::decimal())->check(CLI::Range(0, 4094));
  app.add_option("--config", o->config, "driver profile, drivers-config/*.ini (default: embedded tap)")
      ->check(CLI::ExistingFile);
  app.add_option("--json", o->json, "write the results (totals, histogram, per-second series) to this file")
      ->check(apps::nonempty());
  app.add_option("--plot", o->plot, "draw CPS over time and the connect-time distribution into this PNG")
      ->check(apps::nonempty());
  app.add_option("--plot-script", o->plot_script, "the plotting script (default: bench/cps/plot.py of the source tree)")
      ->check(apps::nonempty());
  app.add_option("--python", o->python, "the Python with matplotlib that runs the plotting script")
      ->check(apps::nonempty());
  app.add_option("--watch-pid", o->watch_pid,
                 "record this process's CPU time (e.g. the server's) with each interval, for CPU per connection")
      ->transform(apps::decimal())->check(CLI::Range(1, 1 << 30));
  app.add_option("--stats-interval", o->stats_interval, "seconds between stats lines, at least 0.005 (0: none)")
      ->check(apps::finite_range(0.0, 3600.0))
      ->check(apps::stats_interval(std::chrono::duration<double>(kControlTick).count()));
  app.add_flag("-v,--verbose", o->verbose, "show EAL's start-up log");

  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp& e) {
    std::printf("%s", app.help().c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "turnstile-cps: error: %s\n", apps::parse_error(app, e, args).c_str());
    *exit_code = 2;
    return false;
  }
  auto fail = [&](const std::string& m) {
    std::fprintf(stderr, "turnstile-cps: error: %s\n", m.c_str());
    *exit_code = 2;
    return false;
  };
  const auto c = dpdk::parse_cidr(ip);
  if (!c || c->ip == 0) return fail("--ip '" + ip + "' is not an address/prefix like 198.18.0.3/24");
  if (c->prefix_len > 30) return fail("--ip " + ip + ": the prefix is at most /30 (no /31 or /32 subnets)");
  if (std::string why = dpdk::not_a_host(c->ip, c->prefix_len); !why.empty())
    return fail("--ip " + ip + ": " + dpdk::ipv4_str(c->ip) + " " + why);
  o->ip = c->ip;
  o->prefix_len = c->prefix_len;
  dpdk::Netif ni;
  ni.ip = c->ip;
  ni.prefix_len = c->prefix_len;
  // Every address of the range answers ARP on this link: all must be hosts of the subnet.
  const uint64_t last = uint64_t(o->ip) + o->ip_count - 1;
  if (last > 0xffffffffu || !ni.on_link(uint32_t(last)) || !dpdk::not_a_host(uint32_t(last), c->prefix_len).empty())
    return fail("--ip-range " + std::to_string(o->ip_count) + " from " + dpdk::ipv4_str(o->ip) + " runs past the hosts of " +
                dpdk::ipv4_str(o->ip & ni.mask()) + "/" + std::to_string(c->prefix_len) +
                " (the last is " + dpdk::ipv4_str(ni.broadcast() - 1) + "): a shorter range or a wider prefix");
  if (!parse_port_range(ports, &o->port_lo, &o->port_hi))
    return fail("--port-range '" + ports + "' is not LO-HI with 1 <= LO <= HI <= 65535");
  if (!parse_endpoint(o->server_str, &o->server_ip, &o->server_port))
    return fail("--server '" + o->server_str + "' is not A.B.C.D:PORT");
  if (o->server_ip - o->ip < o->ip_count) return fail("--server is one of our own addresses");
  // No host answers there: on our subnet its network or broadcast address; anywhere, a loopback,
  // multicast or reserved one.
  const uint8_t server_prefix = ni.on_link(o->server_ip) ? c->prefix_len : 32;
  if (std::string why = dpdk::not_a_host(o->server_ip, server_prefix); !why.empty())
    return fail("--server " + dpdk::ipv4_str(o->server_ip) + " " + why);
  if (!gateway.empty()) {
    const auto g = dpdk::parse_ipv4(gateway);
    if (!g) return fail("--gateway '" + gateway + "' is not an IPv4 address");
    if (std::string why = dpdk::not_a_host(*g, c->prefix_len); !why.empty()) return fail("--gateway " + gateway + " " + why);
    if (!ni.on_link(*g)) return fail("--gateway " + gateway + " is not on the subnet of --ip " + ip + " (it could never be reached)");
    if (*g - o->ip < o->ip_count) return fail("--gateway " + gateway + " is one of our own addresses (--ip, --ip-range)");
    o->gateway = *g;
  } else if (!ni.on_link(o->server_ip)) {
    return fail("--server " + dpdk::ipv4_str(o->server_ip) + " is not on the subnet of --ip " + ip +
                ": give --gateway, the next hop on the link");
  }
  if (o->watch_pid && kill(o->watch_pid, 0) != 0 && errno == ESRCH)
    return fail("--watch-pid " + std::to_string(o->watch_pid) + ": no such process");
  if (std::string why; !o->fault.empty() && !dpdk::parse_fault_spec(o->fault, &o->fault_spec, &why))
    return fail("--fault: " + why);
  if (!parse_rate(rate, &o->rate))
    return fail("--rate '" + rate + "' is neither a number above 0 and at most 1e9 nor max");
  if (!parse_seconds_or(reuse, "never", &o->time_wait_reuse))
    return fail("--time-wait-reuse '" + reuse + "' is neither seconds from 0 to 3600 nor never");
  if (!parse_seconds_or(hold, "end", &o->hold))
    return fail("--hold '" + hold + "' is neither seconds from 0 to 3600 nor end");
  o->hold_to_end = o->hold < 0;
  if (o->hold_to_end) o->hold = 0;
  if (o->path.empty() || o->path[0] != '/' || o->path.size() > 1024 || !http_token_chars(o->path))
    return fail("--path '" + o->path + "' is not a request target: '/' first, at most 1024 visible characters, no space");
  if (o->host.size() > 255 || (host->count() && o->host.empty()) || !http_token_chars(o->host))
    return fail("--host '" + o->host + "' is not a host: 1 to 255 visible characters, no space");
  if (o->host.empty())
    o->host = dpdk::ipv4_str(o->server_ip) + (o->server_port == 80 ? "" : ":" + std::to_string(o->server_port));
  o->concurrency_given = conc->count() > 0;
  if (!o->concurrency_given) o->concurrency = o->rate > 0 ? 10000 : 256;
  if (!dur->count() && o->requests) o->duration = 0;
  // 0 given is a drain of none (cut what is in flight at once), not the default.
  o->drain_given = drain->count() > 0;
  if (!o->drain_given) o->drain = default_drain(*o);
  o->request = o->request_name == "echo" ? Request::kEcho : o->request_name == "none" ? Request::kNone : Request::kHttp;
  if ((path->count() || host->count()) && o->request != Request::kHttp)
    return fail("--path and --host are for --request http");
  o->close = o->close_name == "server" ? CloseMode::kServer : o->close_name == "rst" ? CloseMode::kRst : CloseMode::kClient;
  if (o->hold_to_end && o->requests > o->concurrency && o->duration == 0)
    return fail("--hold end with --requests above --concurrency would never end: raise --concurrency, or give --duration");
  if ((o->hold > 0 || o->hold_to_end) && o->close == CloseMode::kServer)
    return fail("--hold needs --close client or rst: with --close server the server decides when a connection ends");
  return true;
}

std::string request_bytes(const Options& o) {
  switch (o.request) {
    case Request::kNone: return {};
    case Request::kEcho: return "turnstile-cps!\r\n";
    case Request::kHttp: break;
  }
  // Keep-alive unless the server is to close: with `client` or `rst` we end the connection.
  return "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + "\r\nUser-Agent: turnstile-cps\r\n" +
         (o.close == CloseMode::kServer ? "Connection: close\r\n" : "") + "\r\n";
}

}  // namespace ts::cps
