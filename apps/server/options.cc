#include "options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "../cli.h"
#include "dpdk/netif.h"

namespace ts::server {

bool parse_options(const std::vector<std::string>& args, Options* o, int* exit_code) {
  CLI::App app{"turnstile-server: a TCP server on the Turnstile kernel-bypass stack.",
               "turnstile-server"};
  apps::set_usage(app, "Usage: turnstile-server [EAL options] -- --ip A.B.C.D/N [options]");
  std::string gateway;
  app.add_option("--ip", o->ip_cidr, "our address and prefix, e.g. 198.18.0.2/24 (/24 if left out)")->required();
  app.add_option("--gateway", gateway, "next hop for addresses off our subnet")->check(apps::nonempty());
  app.add_option("--port", o->port, "TCP port to listen on")->transform(apps::decimal())->check(CLI::Range(1, 65535));
  app.add_option("--mode", o->mode_name,
                 "http (200 OK, keep-alive), echo (flow-controlled: a peer that does not read sees our "
                 "window close), or discard")
      ->check(CLI::IsMember({"http", "echo", "discard"}));
  app.add_option("--backlog", o->backlog, "accept queue bound, per lcore")->transform(apps::decimal())->check(CLI::Range(1, 1 << 20));
  app.add_option("--workers", o->workers, "application threads fed by rings (0: handlers inline on the lcores)")
      ->transform(apps::decimal())->check(CLI::Range(0, 64));
  app.add_option("--queues", o->queues, "RX/TX queue pairs, one lcore each (default: one per EAL lcore)")
      ->transform(apps::decimal())->check(CLI::Range(0, 64));
  app.add_option("--vlan", o->vlan, "802.1Q VLAN id of our frames, 1..4094 (0: untagged; default: the profile's [port] vlan)")
      ->transform(apps::decimal())->check(CLI::Range(0, 4094));
  app.add_option("--config", o->config, "driver profile, drivers-config/*.ini (default: embedded tap)")
      ->check(CLI::ExistingFile);
  app.add_option("--stats-interval", o->stats_interval, "seconds between stats lines, at least 0.02 (0: none)")
      ->check(apps::finite_range(0.0, 3600.0))
      ->check(apps::stats_interval(std::chrono::duration<double>(kReportTick).count()));
  app.add_option("--json", o->json, "write the final counters to this JSON file")->check(apps::nonempty());
  app.add_option("--duration", o->duration, "stop after this many seconds (0: at SIGINT/SIGTERM)")
      ->check(apps::finite_range(0.0, 1e7));
  app.add_option("--dad-ms", o->dad_ms, "probe for address conflicts this long before announcing (RFC 5227)")
      ->transform(apps::decimal())->check(CLI::Range(0, 60000));
  app.add_option("--body", o->body, "HTTP response body");
  app.add_flag("-v,--verbose", o->verbose, "show EAL's start-up log");
  app.add_option("--fault", o->fault,
                 "a faulty wire for tests: drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42[,dir=rx|tx|both]")
      ->check(apps::nonempty());

  app.add_option("--read-delay-us", o->read_delay_us,
                 "for tests: each data delivery waits this long in the handler (a slow application; needs --workers)")
      ->transform(apps::decimal())->check(CLI::Range(0, 10000000));

  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp& e) {
    std::printf("%s", app.help().c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "turnstile-server: error: %s\n", apps::parse_error(app, e, args).c_str());
    *exit_code = 2;
    return false;
  }
  auto fail = [&](const std::string& m) {
    std::fprintf(stderr, "turnstile-server: error: %s\n", m.c_str());
    *exit_code = 2;
    return false;
  };
  auto c = dpdk::parse_cidr(o->ip_cidr);
  if (!c || c->ip == 0) return fail("--ip '" + o->ip_cidr + "' is not an address/prefix like 198.18.0.2/24");
  if (c->prefix_len > 30) return fail("--ip " + o->ip_cidr + ": the prefix is at most /30 (no /31 or /32 subnets)");
  if (std::string why = dpdk::not_a_host(c->ip, c->prefix_len); !why.empty())
    return fail("--ip " + o->ip_cidr + ": " + dpdk::ipv4_str(c->ip) + " " + why);
  o->ip = c->ip;
  o->prefix_len = c->prefix_len;
  if (!gateway.empty()) {
    auto g = dpdk::parse_ipv4(gateway);
    if (!g) return fail("--gateway '" + gateway + "' is not an IPv4 address");
    if (std::string why = dpdk::not_a_host(*g, c->prefix_len); !why.empty()) return fail("--gateway " + gateway + " " + why);
    dpdk::Netif ni;
    ni.ip = c->ip;
    ni.prefix_len = c->prefix_len;
    if (!ni.on_link(*g))
      return fail("--gateway " + gateway + " is not on the subnet of --ip " + o->ip_cidr + " (it could never be reached)");
    if (*g == c->ip) return fail("--gateway " + gateway + " is our own address");
    o->gateway = *g;
  }
  if (std::string why; !o->fault.empty() && !dpdk::parse_fault_spec(o->fault, &o->fault_spec, &why))
    return fail("--fault: " + why);
  if (o->read_delay_us && !o->workers)
    return fail("--read-delay-us needs --workers: inline handlers run on the lcore, which must never wait");
  o->mode = o->mode_name == "echo" ? Mode::kEcho : o->mode_name == "discard" ? Mode::kDiscard : Mode::kHttp;
  if (o->mode != Mode::kHttp && app.count("--body")) return fail("--body is for --mode http");
  return true;
}

}  // namespace ts::server
