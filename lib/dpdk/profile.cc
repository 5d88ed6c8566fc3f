#include "dpdk/profile.h"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "profile_default.h"

namespace pt = boost::property_tree;

namespace ts::dpdk {

namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// INI values may carry a trailing `; comment`: property_tree only strips whole-line comments.
std::string value_of(const std::string& raw) {
  std::string v = raw.substr(0, raw.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  return v;
}

template <typename T>
bool parse_uint(const std::string& v, T* out) {
  uint64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x > std::numeric_limits<T>::max()) return false;
  *out = static_cast<T>(x);
  return true;
}

bool parse_bool(const std::string& v, bool* out) {
  if (v == "true" || v == "yes" || v == "on" || v == "1") return *out = true, true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return *out = false, true;
  return false;
}

bool parse_offload(const std::string& v, Offload* out) {
  if (v == "auto") return *out = Offload::kAuto, true;
  if (v == "hardware") return *out = Offload::kHardware, true;
  if (v == "software") return *out = Offload::kSoftware, true;
  return false;
}

bool parse_rx_checksum(const std::string& v, Offload* out) {
  if (v == "trust") return *out = Offload::kTrust, true;
  return parse_offload(v, out);
}

// One key of one section; returns an error text or "".
std::string apply(Profile* p, const std::string& sec, const std::string& key, const std::string& v) {
  auto bad = [&](const char* what) { return "[" + sec + "] " + key + " = '" + v + "': expected " + what; };
  auto u16 = [&](uint16_t* f) { return parse_uint(v, f) ? std::string() : bad("a number 0..65535"); };
  auto u32 = [&](uint32_t* f) { return parse_uint(v, f) ? std::string() : bad("a number"); };
  auto off = [&](Offload* f) { return parse_offload(v, f) ? std::string() : bad("auto, hardware or software"); };
  if (sec == "profile") {
    if (key == "name") return p->name = v, "";
    if (key == "description") return p->description = v, "";
  } else if (sec == "eal") {
    if (key == "always") return p->eal_always = words(v), "";
    if (key == "devices") return p->eal_devices = words(v), "";
  } else if (sec == "port") {
    PortProfile& q = p->port;
    if (key == "queues") return u16(&q.queues);
    if (key == "rx_descriptors") return u16(&q.rx_descriptors);
    if (key == "tx_descriptors") return u16(&q.tx_descriptors);
    if (key == "mbufs") return u32(&q.mbufs);
    if (key == "mbuf_cache") return u16(&q.mbuf_cache);
    if (key == "mtu") return u16(&q.mtu);
    if (key == "burst") return u16(&q.burst);
    if (key == "port_id") return u16(&q.port_id);
    if (key == "vlan") return u16(&q.vlan);
    if (key == "rss") return off(&q.rss);
    if (key == "rx_checksum")
      return parse_rx_checksum(v, &q.rx_checksum) ? "" : bad("auto, hardware, software or trust");
    if (key == "tx_checksum") return off(&q.tx_checksum);
    if (key == "promiscuous") return parse_bool(v, &q.promiscuous) ? "" : bad("true or false");
  } else if (sec == "stack") {
    StackProfile& s = p->stack;
    if (key == "connections_per_queue") return u32(&s.connections_per_queue);
    if (key == "arp_timeout_s") return u32(&s.arp_timeout_s);
    if (key == "msl_ms") return u32(&s.msl_ms);
    if (key == "time_wait_per_queue") return u32(&s.time_wait_per_queue);
    if (key == "rx_ring_size") return u32(&s.rx_ring_size);
    if (key == "app_ring_size") return u32(&s.app_ring_size);
    if (key == "receive_window") return u32(&s.receive_window);
    if (key == "send_buffer") return u32(&s.send_buffer);
    if (key == "out_of_order_mbufs") return u32(&s.out_of_order_mbufs);
    if (key == "max_half_open") return u32(&s.max_half_open);
    if (key == "sack") return parse_bool(v, &s.sack) ? "" : bad("true or false");
    if (key == "tail_loss_probe") return parse_bool(v, &s.tail_loss_probe) ? "" : bad("true or false");
    if (key == "abort_on_overflow") return parse_bool(v, &s.abort_on_overflow) ? "" : bad("true or false");
    if (key == "keepalive") return parse_bool(v, &s.keepalive) ? "" : bad("true or false");
    if (key == "keepalive_idle_ms") return u32(&s.keepalive_idle_ms);
    if (key == "keepalive_interval_ms") return u32(&s.keepalive_interval_ms);
    if (key == "keepalive_probes") return u32(&s.keepalive_probes);
    if (key == "fin_timeout_ms") return u32(&s.fin_timeout_ms);
    if (key == "syn_retries") return u32(&s.syn_retries);
    if (key == "syn_rto_ms") return u32(&s.syn_rto_ms);
    if (key == "synack_retries") return u32(&s.synack_retries);
    if (key == "synack_rto_ms") return u32(&s.synack_rto_ms);
    if (key == "syncookies") {
      if (v == "off") return s.syncookies = tcp::CookieMode::kOff, "";
      if (v == "auto") return s.syncookies = tcp::CookieMode::kAuto, "";
      if (v == "always") return s.syncookies = tcp::CookieMode::kAlways, "";
      return bad("off, auto or always");
    }
  } else {
    return "unknown section [" + sec + "]";
  }
  return "[" + sec + "]: unknown key '" + key + "'";
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The line of `key` in section `sec` (sec "": before any section), or with key "" of the
// section's header; 0 when not found. property_tree keeps no line numbers, and an error in a
// profile of forty lines should name its line as an INI syntax error does.
unsigned line_of(const std::string& text, const std::string& sec, const std::string& key) {
  std::istringstream in(text);
  std::string cur;
  unsigned n = 0;
  for (std::string raw; std::getline(in, raw);) {
    n++;
    const std::string l = trim(raw);
    if (l.empty() || l[0] == ';' || l[0] == '#') continue;
    if (l.front() == '[' && l.back() == ']') {
      cur = trim(l.substr(1, l.size() - 2));
      if (key.empty() && cur == sec) return n;
    } else if (const size_t eq = l.find('='); eq != std::string::npos && cur == sec && trim(l.substr(0, eq)) == key) {
      return n;
    }
  }
  return 0;
}

// "file:line: " where the line is known, else "file: ".
std::string at(const std::string& origin, unsigned line) {
  return origin + (line ? ":" + std::to_string(line) : std::string()) + ": ";
}

std::string check(const Profile& p) {
  const PortProfile& q = p.port;
  if (q.burst == 0 || q.burst > 512) return "[port] burst must be 1..512";
  if (q.mbuf_cache > 512) return "[port] mbuf_cache must be 0..512 (DPDK's RTE_MEMPOOL_CACHE_MAX_SIZE)";
  if (q.rx_descriptors < 64 || q.tx_descriptors < 64) return "[port] descriptors must be at least 64";
  // A frame must fit one mbuf of the pool's (2,048 bytes of data): the stack takes no chained
  // frame in, so jumbo frames would only be dropped.
  if (q.mtu < 576 || q.mtu > kMaxMtu)
    return "[port] mtu must be 576.." + std::to_string(kMaxMtu) + " (a frame fits one mbuf; no jumbo frames)";
  if (q.vlan > kMaxVlan) return "[port] vlan must be 1.." + std::to_string(kMaxVlan) + " (0 or absent: untagged)";
  // Blocks and TIME-WAIT entries (as many by default) share a table of at most 2^30 entries, and
  // their sum is a 32-bit count: past 2^24 blocks (3 GiB an lcore) the sum could wrap, and the
  // blocks' allocation, then too big, would end the process instead of a line saying why.
  if (p.stack.connections_per_queue < 16 || p.stack.connections_per_queue > (1u << 24))
    return "[stack] connections_per_queue must be 16 to 16777216";
  if (p.stack.time_wait_per_queue != StackProfile::kAsConnections && p.stack.time_wait_per_queue > (1u << 24))
    return "[stack] time_wait_per_queue must be 0 to 16777216";
  // At most 2^24 slots (128 MiB of pointers a ring): rte_ring takes at most 2^30, and a bigger
  // ring would fail at start with a message naming neither the key nor the limit.
  auto pow2 = [](uint32_t x) { return x >= 64 && x <= (1u << 24) && (x & (x - 1)) == 0; };
  if (!pow2(p.stack.rx_ring_size) || !pow2(p.stack.app_ring_size))
    return "[stack] rx_ring_size and app_ring_size must be powers of two, 64 to 16777216";
  // RFC 7323 §2.3: a shift of at most 14 on a 16-bit field.
  if (p.stack.receive_window < 1024 || p.stack.receive_window > (0xffffu << 14))
    return "[stack] receive_window must be 1024 to 1073725440 bytes";
  // tcp::send takes under 1 GiB queued.
  if (p.stack.send_buffer < 1024 || p.stack.send_buffer > (1u << 30) - 1)
    return "[stack] send_buffer must be 1024 to 1073741823 bytes";
  if (p.stack.out_of_order_mbufs > (1u << 20)) return "[stack] out_of_order_mbufs must be 0 to 1048576";
  const StackProfile& s = p.stack;
  if (s.keepalive_idle_ms < 1 || s.keepalive_interval_ms < 1 || s.keepalive_probes < 1 || s.keepalive_probes > 255)
    return "[stack] keepalive_idle_ms and keepalive_interval_ms must be at least 1, keepalive_probes 1 to 255";
  if (s.syn_retries < 1 || s.syn_retries > 255 || s.synack_retries < 1 || s.synack_retries > 255)
    return "[stack] syn_retries and synack_retries must be 1 to 255";
  if (s.syn_rto_ms < 1 || s.synack_rto_ms < 1 || s.fin_timeout_ms < 1)
    return "[stack] syn_rto_ms, synack_rto_ms and fin_timeout_ms must be at least 1";
  // 0 would make a neighbour stale the moment it is learned: every active open would wait on
  // ARP and fail. (msl_ms and max_half_open take 0 on purpose: see drivers-config/README.md.)
  if (s.arp_timeout_s < 1) return "[stack] arp_timeout_s must be at least 1";
  return {};
}

}  // namespace

const char* offload_name(Offload o) {
  switch (o) {
    case Offload::kAuto: return "auto";
    case Offload::kHardware: return "hardware";
    case Offload::kSoftware: return "software";
    case Offload::kTrust: return "trust";
  }
  return "?";
}

bool parse_profile(const std::string& text, const std::string& origin, Profile* out, std::string* err) {
  pt::ptree tree;
  try {
    std::istringstream in(text);
    pt::read_ini(in, tree);
  } catch (const pt::ini_parser_error& e) {
    *err = origin + ":" + std::to_string(e.line()) + ": " + e.message();
    return false;
  }
  Profile p;
  for (const auto& [sec, body] : tree) {
    // property_tree reads "k = v" before any section as an entry with data, "k =" as one
    // without: only the text tells the latter from an empty "[k]".
    const unsigned header = line_of(text, sec, "");
    if (body.empty() && (!body.data().empty() || header == 0)) {
      *err = at(origin, line_of(text, "", sec)) + "key '" + sec + "' outside any section";
      return false;
    }
    if (apply(&p, sec, "", "").rfind("unknown section", 0) == 0) {
      *err = at(origin, header) + "unknown section [" + sec + "]";
      return false;
    }
    for (const auto& [key, val] : body) {
      if (std::string e = apply(&p, sec, key, value_of(val.data())); !e.empty()) {
        *err = at(origin, line_of(text, sec, key)) + e;
        return false;
      }
    }
  }
  if (std::string e = check(p); !e.empty()) {
    *err = origin + ": " + e;
    return false;
  }
  *out = std::move(p);
  return true;
}

bool load_profile(const std::string& path, Profile* out, std::string* err) {
  std::ifstream f(path);
  if (!f) {
    *err = "cannot read config file " + path;
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_profile(ss.str(), path, out, err);
}

const char* default_profile_text() { return kDefaultProfileText; }

Profile default_profile() {
  Profile p;
  std::string err;
  parse_profile(kDefaultProfileText, "embedded tap profile", &p, &err);
  return p;
}

}  // namespace ts::dpdk
