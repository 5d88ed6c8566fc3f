#include "wire/frame.h"

#include <cstring>

#include "wire/bytes.h"
#include "wire/checksum.h"

namespace ts::wire {

namespace {

WireError parse_ip_payload(const uint8_t* p, uint32_t flags, Frame& out) {
  size_t l4 = out.l3_off + size_t{out.ip.header_len};
  size_t l4_len = out.ip.payload_len();
  out.l4_off = static_cast<uint16_t>(l4);
  WireError e;
  switch (out.ip.proto) {
    case kIpProtoTcp:
      out.kind = FrameKind::kIpv4Tcp;
      e = parse_tcp(p + l4, l4_len, out.ip.src, out.ip.dst, flags, out.tcp);
      if (e != WireError::kOk) return e;
      out.payload_off = static_cast<uint16_t>(l4 + out.tcp.header_len);
      out.payload_len = out.tcp.payload_len;
      return WireError::kOk;
    case kIpProtoIcmp:
      out.kind = FrameKind::kIpv4Icmp;
      e = parse_icmp(p + l4, l4_len, out.icmp);
      if (e != WireError::kOk) return e;
      out.payload_off = static_cast<uint16_t>(l4 + kIcmpHeaderLen);
      out.payload_len = static_cast<uint16_t>(l4_len - kIcmpHeaderLen);
      return WireError::kOk;
    default:
      out.kind = FrameKind::kIpv4Other;
      out.payload_off = static_cast<uint16_t>(l4);
      out.payload_len = static_cast<uint16_t>(l4_len);
      return WireError::kOk;
  }
}

}  // namespace

WireError parse_frame(const uint8_t* p, size_t len, uint32_t flags, Frame& out) {
  out.kind = FrameKind::kOther;
  WireError e = parse_ether(p, len, out.eth);
  if (e != WireError::kOk) return e;
  size_t l3 = out.eth.len;
  out.l3_off = static_cast<uint16_t>(l3);
  switch (out.eth.type) {
    case kEtherTypeIpv4:
      out.kind = FrameKind::kIpv4Other;
      e = parse_ipv4(p + l3, len - l3, flags, out.ip);
      if (e != WireError::kOk) return e;
      return parse_ip_payload(p, flags, out);
    case kEtherTypeArp:
      out.kind = FrameKind::kArp;
      e = parse_arp(p + l3, len - l3, out.arp);
      if (e != WireError::kOk) return e;
      out.l4_off = out.payload_off = static_cast<uint16_t>(l3);
      out.payload_len = kArpLen;
      return WireError::kOk;
    default:
      out.l4_off = out.payload_off = static_cast<uint16_t>(l3);
      out.payload_len = static_cast<uint16_t>(len - l3 > 0xffff ? 0xffff : len - l3);
      return WireError::kOk;
  }
}

size_t build_tcp_frame(uint8_t* buf, size_t cap, const TcpFrameSpec& s) {
  const size_t hlen = kTcpHeaderLen + tcp_options_length(s.opts);
  const size_t tcp_len = hlen + s.payload_len;
  if (s.payload_len > 0xffff || kIpv4HeaderLen + tcp_len > 0xffff ||
      EtherHeader::size(s.has_vlan) + kIpv4HeaderLen + tcp_len > cap)
    return 0;
  return write_tcp_frame(buf, s, hlen);
}

TcpFrameSpec tcp_reply_spec(const Frame& in, const Mac& my_mac) {
  TcpFrameSpec s;
  s.src_mac = my_mac;
  s.dst_mac = in.eth.src;
  s.has_vlan = in.eth.has_vlan;
  s.vlan_tci = in.eth.vlan_tci;
  s.src_ip = in.ip.dst;
  s.dst_ip = in.ip.src;
  s.sport = in.tcp.dport;
  s.dport = in.tcp.sport;
  return s;
}

size_t build_rst_reply(uint8_t* buf, size_t cap, const Frame& in, const Mac& my_mac,
                       ChecksumMode mode) {
  if (in.kind != FrameKind::kIpv4Tcp || in.tcp.has(tcp_flags::kRst)) return 0;
  if (ipv4_is_multicast_or_broadcast(in.ip.dst)) return 0;  // RFC 1122 §4.2.3.10
  TcpFrameSpec s = tcp_reply_spec(in, my_mac);
  if (in.tcp.has(tcp_flags::kAck)) {
    s.seq = in.tcp.ack;
    s.flags = tcp_flags::kRst;
  } else {
    s.ack = in.tcp.seq + in.tcp.seg_len();
    s.flags = tcp_flags::kRst | tcp_flags::kAck;
  }
  s.checksum = mode;
  return build_tcp_frame(buf, cap, s);
}

size_t build_echo_reply_frame(uint8_t* buf, size_t cap, const uint8_t* req_bytes,
                              const Frame& req, const Mac& my_mac, uint16_t ip_id) {
  if (req.kind != FrameKind::kIpv4Icmp || req.icmp.type != kIcmpEchoRequest) return 0;
  // Broadcast pings go unanswered, as Linux does by default (icmp_echo_ignore_broadcasts).
  if (ipv4_is_multicast_or_broadcast(req.ip.dst)) return 0;
  size_t l2 = EtherHeader::size(req.eth.has_vlan);
  size_t icmp_len = kIcmpHeaderLen + size_t{req.payload_len};
  if (cap < l2 + kIpv4HeaderLen + icmp_len) return 0;
  // ICMP first: it moves the echo data, which may lie in buf after longer request headers.
  build_icmp_echo_reply(buf + l2 + kIpv4HeaderLen, icmp_len, req.icmp.id, req.icmp.seq,
                        req_bytes + req.payload_off, req.payload_len);
  Ipv4Spec is;
  is.src = req.ip.dst;
  is.dst = req.ip.src;
  is.payload_len = static_cast<uint16_t>(icmp_len);
  is.proto = kIpProtoIcmp;
  is.tos = req.ip.tos;
  is.df = false;  // as Linux answers pings
  is.id = ip_id;
  build_ipv4(buf + l2, kIpv4HeaderLen, is);
  EtherHeader eth = req.eth;
  eth.dst = req.eth.src;
  eth.src = my_mac;
  build_ether(buf, l2, eth);
  return l2 + kIpv4HeaderLen + icmp_len;
}

}  // namespace ts::wire
