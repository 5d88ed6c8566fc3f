// libFuzzer target for lib/wire: any byte sequence is parsed (as the NIC hands it over, with and
// without checksum offload); whatever parses must describe bytes inside the buffer, and what
// the stack would send back (a rebuilt segment, a RST, an ARP or echo reply) must parse again.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "wire/frame.h"

using namespace ts::wire;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

const Mac kMyMac{{0x02, 0, 0, 0, 0, 0x09}};

void check_bounds(const Frame& f, size_t size) {
  check(f.l3_off <= size);
  check(f.l4_off <= size);
  check(size_t{f.payload_off} + f.payload_len <= size);
  if (f.kind == FrameKind::kIpv4Tcp || f.kind == FrameKind::kIpv4Icmp ||
      f.kind == FrameKind::kIpv4Other) {
    check(size_t{f.l3_off} + f.ip.total_len <= size);
    check(f.l4_off == f.l3_off + f.ip.header_len);
    check(size_t{f.payload_off} + f.payload_len == size_t{f.l3_off} + f.ip.total_len);
  }
  if (f.kind == FrameKind::kIpv4Tcp) check(f.payload_off == f.l4_off + f.tcp.header_len);
}

void check_tcp_rebuild(const uint8_t* data, const Frame& f) {
  TcpFrameSpec s;
  s.src_mac = f.eth.src;
  s.dst_mac = f.eth.dst;
  s.has_vlan = f.eth.has_vlan;
  s.vlan_tci = f.eth.vlan_tci;
  s.src_ip = f.ip.src;
  s.dst_ip = f.ip.dst;
  s.sport = f.tcp.sport;
  s.dport = f.tcp.dport;
  s.seq = f.tcp.seq;
  s.ack = f.tcp.ack;
  s.flags = f.tcp.flags;
  s.window = f.tcp.window;
  s.opts = f.tcp.opts;
  s.payload = data + f.payload_off;
  s.payload_len = f.payload_len;
  s.ttl = f.ip.ttl;
  s.ip_id = f.ip.id;
  std::vector<uint8_t> buf(18 + 20 + 60 + f.payload_len);
  size_t n = build_tcp_frame(buf.data(), buf.size(), s);
  check(n > 0);
  buf.resize(n);  // exact size, so that ASan sees any read past the rebuilt frame
  Frame g;
  check(parse_frame(buf.data(), n, 0, g) == WireError::kOk);
  check(g.kind == FrameKind::kIpv4Tcp);
  check(g.eth.src == s.src_mac && g.eth.dst == s.dst_mac && g.eth.has_vlan == s.has_vlan);
  check(g.eth.vlan_tci == s.vlan_tci);
  check(g.ip.src == s.src_ip && g.ip.dst == s.dst_ip && g.ip.ttl == s.ttl && g.ip.id == s.ip_id);
  check(g.tcp.sport == s.sport && g.tcp.dport == s.dport);
  check(g.tcp.seq == s.seq && g.tcp.ack == s.ack);
  check(g.tcp.flags == s.flags && g.tcp.window == s.window);
  TcpOptions want = s.opts;
  want.sack_count = static_cast<uint8_t>(tcp_options_sack_fit(s.opts));
  check(tcp_options_equal(g.tcp.opts, want));
  check(g.payload_len == f.payload_len);
  check(std::memcmp(buf.data() + g.payload_off, s.payload, s.payload_len) == 0);
}

void check_rst(const Frame& f) {
  std::vector<uint8_t> buf(64);
  size_t n = build_rst_reply(buf.data(), buf.size(), f, kMyMac);
  if (f.tcp.has(tcp_flags::kRst) || ipv4_is_multicast_or_broadcast(f.ip.dst)) {
    check(n == 0);
    return;
  }
  check(n > 0);
  Frame r;
  check(parse_frame(buf.data(), n, 0, r) == WireError::kOk);
  check(r.tcp.has(tcp_flags::kRst) && r.payload_len == 0);
  check(r.tcp.sport == f.tcp.dport && r.tcp.dport == f.tcp.sport);
  if (f.tcp.has(tcp_flags::kAck)) check(r.tcp.seq == f.tcp.ack);
  else check(r.tcp.ack == f.tcp.seq + f.tcp.seg_len());
}

void check_arp(const uint8_t* data, const Frame& f) {
  uint8_t body[kArpLen];
  check(build_arp(body, sizeof body, f.arp) == kArpLen);
  check(std::memcmp(body, data + f.l3_off, kArpLen) == 0);
  std::vector<uint8_t> buf(64);
  EtherHeader me = f.eth;
  me.src = kMyMac;
  size_t n = build_arp_reply(buf.data(), buf.size(), me, f.arp);
  check(n == size_t{f.eth.len} + kArpLen);
  Frame r;
  check(parse_frame(buf.data(), n, 0, r) == WireError::kOk && r.kind == FrameKind::kArp);
  check(r.arp.op == kArpOpReply && r.arp.tpa == f.arp.spa && r.arp.spa == f.arp.tpa);
}

void check_echo(const uint8_t* data, const Frame& f) {
  std::vector<uint8_t> buf(18 + 20 + 8 + f.payload_len);
  size_t n = build_echo_reply_frame(buf.data(), buf.size(), data, f, kMyMac);
  if (f.icmp.type != kIcmpEchoRequest || ipv4_is_multicast_or_broadcast(f.ip.dst)) {
    check(n == 0);
    return;
  }
  check(n == buf.size() - (f.eth.has_vlan ? 0 : 4));
  Frame r;
  check(parse_frame(buf.data(), n, 0, r) == WireError::kOk);
  check(r.kind == FrameKind::kIpv4Icmp && r.icmp.type == kIcmpEchoReply);
  check(r.icmp.id == f.icmp.id && r.icmp.seq == f.icmp.seq && r.payload_len == f.payload_len);
  check(std::memcmp(buf.data() + r.payload_off, data + f.payload_off, f.payload_len) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Checksums verified in software, then as if the NIC had verified them (reaching deeper).
  for (uint32_t flags : {0u, kRxIpChecksumOk | kRxL4ChecksumOk}) {
    Frame f;
    WireError e = parse_frame(data, size, flags, f);
    check(std::strcmp(to_string(e), "unknown") != 0);
    if (e != WireError::kOk) continue;
    check_bounds(f, size);
    switch (f.kind) {
      case FrameKind::kIpv4Tcp:
        check_tcp_rebuild(data, f);
        check_rst(f);
        break;
      case FrameKind::kArp:
        check_arp(data, f);
        break;
      case FrameKind::kIpv4Icmp:
        check_echo(data, f);
        break;
      default:
        break;
    }
  }
  return 0;
}
