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

bool parse_frame_fast(const uint8_t* p, size_t len, uint32_t flags, Frame& out) {
  constexpr size_t kL3 = kEtherHeaderLen, kL4 = kL3 + kIpv4HeaderLen;
  constexpr uint8_t kVersionIhl5 = 0x45;
  constexpr uint16_t kFragMask = 0x3fff;  // MF and the offset
  if (len < kL4 + kTcpHeaderLen) return false;
  const uint8_t* ip = p + kL3;
  const uint8_t* seg = p + kL4;
  if (load_be16(p + 12) != kEtherTypeIpv4 || ip[0] != kVersionIhl5 || ip[9] != kIpProtoTcp) return false;
  const uint16_t total = load_be16(ip + 2), frag = load_be16(ip + 6);
  const size_t hlen = static_cast<size_t>(seg[12] >> 4) * 4;
  // hlen >= 20 and total >= 20 + hlen: the segment holds its fixed header and its options.
  if (total > len - kL3 || hlen < kTcpHeaderLen || total < kIpv4HeaderLen + hlen || (frag & kFragMask))
    return false;
  const uint32_t src = load_be32(ip + 12), dst = load_be32(ip + 16);
  if (ipv4_is_martian_source(src)) return false;
  if (!(flags & kRxIpChecksumOk) && !ipv4_header20_ok(ip)) return false;
  const size_t seg_len = total - kIpv4HeaderLen;
  if (!(flags & kRxL4ChecksumOk) && !tcp_checksum_ok(ip, seg, seg_len)) return false;
  const uint8_t* opts = seg + kTcpHeaderLen;
  const size_t opts_len = hlen - kTcpHeaderLen;
  if (!parse_aligned_timestamps(opts, opts_len, out.tcp.opts) &&
      parse_tcp_options(opts, opts_len, out.tcp.opts) != WireError::kOk)
    return false;

  out.kind = FrameKind::kIpv4Tcp;
  std::memcpy(out.eth.dst.b, p, 6);
  std::memcpy(out.eth.src.b, p + 6, 6);
  out.eth.type = kEtherTypeIpv4;
  out.eth.has_vlan = false;
  out.eth.vlan_tci = 0;
  out.eth.len = kL3;
  out.ip.src = src;
  out.ip.dst = dst;
  out.ip.total_len = total;
  out.ip.id = load_be16(ip + 4);
  out.ip.header_len = kIpv4HeaderLen;
  out.ip.tos = ip[1];
  out.ip.ttl = ip[8];
  out.ip.proto = kIpProtoTcp;
  out.ip.df = frag & kIpv4FlagDf;
  out.tcp.sport = load_be16(seg);
  out.tcp.dport = load_be16(seg + 2);
  out.tcp.seq = load_be32(seg + 4);
  out.tcp.ack = load_be32(seg + 8);
  out.tcp.header_len = static_cast<uint8_t>(hlen);
  out.tcp.flags = seg[13];
  out.tcp.window = load_be16(seg + 14);
  out.tcp.checksum = load_be16(seg + 16);
  out.tcp.urgent = load_be16(seg + 18);
  out.tcp.payload_len = static_cast<uint16_t>(seg_len - hlen);
  out.l3_off = kL3;
  out.l4_off = kL4;
  out.payload_off = static_cast<uint16_t>(kL4 + hlen);
  out.payload_len = out.tcp.payload_len;
  return true;
}

WireError parse_frame(const uint8_t* p, size_t len, uint32_t flags, Frame& out) {
  if (parse_frame_fast(p, len, flags, out)) return WireError::kOk;
  return parse_frame_general(p, len, flags, out);
}

WireError parse_frame_general(const uint8_t* p, size_t len, uint32_t flags, Frame& out) {
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
