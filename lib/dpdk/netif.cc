#include "dpdk/netif.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace ts::dpdk {

std::optional<uint32_t> parse_ipv4(const std::string& s) {
  in_addr a;
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<Cidr> parse_cidr(const std::string& s, uint8_t default_prefix) {
  auto slash = s.find('/');
  auto ip = parse_ipv4(s.substr(0, slash));
  if (!ip) return std::nullopt;
  Cidr c{*ip, default_prefix};
  if (slash != std::string::npos) {
    unsigned p = 0;
    auto t = s.substr(slash + 1);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), p);
    if (ec != std::errc() || end != t.data() + t.size() || p == 0 || p > 32) return std::nullopt;
    c.prefix_len = static_cast<uint8_t>(p);
  }
  return c;
}

std::string ipv4_str(uint32_t ip) {
  char b[16];
  snprintf(b, sizeof b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
  return b;
}

std::string mac_str(const wire::Mac& m) {
  char b[18];
  snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m.b[0], m.b[1], m.b[2], m.b[3], m.b[4], m.b[5]);
  return b;
}

std::string not_a_host(uint32_t ip, uint8_t prefix) {
  const uint32_t host_mask = prefix >= 32 ? 0 : ~uint32_t(0) >> prefix;
  if (ip >> 24 == 0) return "is in 0.0.0.0/8 (\"this network\")";
  if (ip >> 24 == 127) return "is a loopback address";
  if (ip >> 28 == 0xe) return "is a multicast address";
  if (ip >> 28 == 0xf) return "is reserved or the broadcast address";
  if (prefix <= 30 && (ip & host_mask) == 0) return "is the network address of its subnet";
  if (prefix <= 30 && (ip & host_mask) == host_mask) return "is the broadcast address of its subnet";
  return {};
}

}  // namespace ts::dpdk
