// The stack's own identity on the link: one IPv4 address, its subnet, an optional gateway.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "wire/ether.h"

namespace ts::dpdk {

struct Netif {
  uint32_t ip = 0;          // host order
  uint8_t prefix_len = 24;
  uint32_t gateway = 0;     // 0: none (off-link destinations are dropped, counted as no route)
  wire::Mac mac;
  uint32_t ip_count = 1;    // addresses ip .. ip + ip_count - 1 are ours (load generators)
  uint16_t vlan = 0;        // 802.1Q VLAN id our frames carry ([port] vlan); 0: untagged

  bool ours(uint32_t a) const { return a - ip < ip_count; }
  // With no test for /0: the shift by 32 is done in 64 bits, and leaves no bit in the low 32.
  uint32_t mask() const { return static_cast<uint32_t>(~uint64_t{0} << (32 - prefix_len)); }
  bool on_link(uint32_t a) const { return ((a ^ ip) & mask()) == 0; }
  uint32_t broadcast() const { return ip | ~mask(); }
  // The neighbour a packet to `dst` is handed to; 0: unreachable.
  uint32_t next_hop(uint32_t dst) const { return on_link(dst) ? dst : gateway; }
};

// "198.18.0.2/24" -> ip, prefix. nullopt on a malformed string.
struct Cidr {
  uint32_t ip = 0;
  uint8_t prefix_len = 32;
};
std::optional<Cidr> parse_cidr(const std::string& s, uint8_t default_prefix = 24);
std::optional<uint32_t> parse_ipv4(const std::string& s);
std::string ipv4_str(uint32_t ip);
std::string mac_str(const wire::Mac& m);
// Why `ip` cannot be a host's address on a /prefix subnet ("is the broadcast address of its
// subnet", ...; "" if it can). Linux refuses these as source addresses too (martians): nothing
// on a link would ever answer them.
std::string not_a_host(uint32_t ip, uint8_t prefix);

}  // namespace ts::dpdk
