#include "wire/arp.h"

#include <cstring>

namespace ts::wire {

namespace {
constexpr uint16_t kHwEthernet = 1;
}  // namespace

WireError parse_arp(const uint8_t* p, size_t len, ArpPacket& out) {
  if (len < kArpLen) return WireError::kArpTruncated;
  if (load_be16(p) != kHwEthernet || load_be16(p + 2) != kEtherTypeIpv4 || p[4] != 6 || p[5] != 4)
    return WireError::kArpUnsupported;
  out.op = load_be16(p + 6);
  if (out.op != kArpOpRequest && out.op != kArpOpReply) return WireError::kArpBadOp;
  std::memcpy(out.sha.b, p + 8, 6);
  out.spa = load_be32(p + 14);
  std::memcpy(out.tha.b, p + 18, 6);
  out.tpa = load_be32(p + 24);
  return WireError::kOk;
}

size_t build_arp(uint8_t* p, size_t cap, const ArpPacket& a) {
  if (cap < kArpLen) return 0;
  store_be16(p, kHwEthernet);
  store_be16(p + 2, kEtherTypeIpv4);
  p[4] = 6;
  p[5] = 4;
  store_be16(p + 6, a.op);
  std::memcpy(p + 8, a.sha.b, 6);
  store_be32(p + 14, a.spa);
  std::memcpy(p + 18, a.tha.b, 6);
  store_be32(p + 24, a.tpa);
  return kArpLen;
}

namespace {

size_t build_arp_frame(uint8_t* buf, size_t cap, EtherHeader eth, const Mac& eth_dst,
                       const ArpPacket& a) {
  eth.dst = eth_dst;
  eth.type = kEtherTypeArp;
  size_t n = EtherHeader::size(eth.has_vlan);
  if (cap < n + kArpLen) return 0;
  build_ether(buf, cap, eth);
  return n + build_arp(buf + n, cap - n, a);
}

}  // namespace

size_t build_arp_request(uint8_t* buf, size_t cap, EtherHeader eth, uint32_t my_ip,
                         uint32_t target_ip) {
  ArpPacket a{kArpOpRequest, eth.src, my_ip, Mac{}, target_ip};
  return build_arp_frame(buf, cap, eth, Mac::broadcast(), a);
}

size_t build_arp_reply(uint8_t* buf, size_t cap, EtherHeader eth, const ArpPacket& req) {
  ArpPacket a{kArpOpReply, eth.src, req.tpa, req.sha, req.spa};
  return build_arp_frame(buf, cap, eth, req.sha, a);
}

size_t build_gratuitous_arp(uint8_t* buf, size_t cap, EtherHeader eth, uint32_t my_ip) {
  ArpPacket a{kArpOpRequest, eth.src, my_ip, Mac{}, my_ip};
  return build_arp_frame(buf, cap, eth, Mac::broadcast(), a);
}

}  // namespace ts::wire
