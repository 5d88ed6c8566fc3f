// libFuzzer target for lib/wire: any byte sequence is parsed (as the NIC hands it over, with and
// without checksum offload) and the verdict is held against an oracle written here from the
// RFCs, not from lib/wire: fields read at their fixed offsets, TCP options walked by RFC 9293's
// kind/length rules, checksums summed word by word (RFC 1071). A parse that merely agrees with
// itself (parse, rebuild, parse again) cannot see a field read from the wrong offset; this can.
// Then every builder the datapath uses is fed what was parsed (or the input's bytes) and its
// output must parse, through the same oracle, to what it was asked to write. So must a frame a
// VLAN port's tag was taken off or put on (wire/ether.h).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "check.h"
#include "wire/frame.h"

using namespace ts::wire;

namespace {

const Mac kMyMac{{0x02, 0, 0, 0, 0, 0x09}};
const Mac kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

// --- Bytes as the RFCs draw them: big-endian, read one byte at a time (not wire/bytes.h) ---

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t{be16(p)} << 16 | be16(p + 2); }
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

Mac mac_at(const uint8_t* p) {
  Mac m;
  std::memcpy(m.b, p, 6);
  return m;
}

bool group_or_broadcast(uint32_t a) { return (a >> 28) == 0xe || a == 0xffffffffu; }

// --- RFC 1071 the slow way: 16-bit words summed in 64 bits, carries folded back at the end ---

uint64_t add_words(const uint8_t* p, size_t n, uint64_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
  if (n & 1) sum += uint64_t{p[n - 1]} << 8;  // an odd last byte is padded with zero
  return sum;
}

uint16_t fold(uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

// Data that carries its own checksum sums to all ones (minus zero).
bool sums_to_ones(uint64_t s) { return fold(s) == 0xffff; }

// RFC 9293 §3.1: source, destination, zero + protocol, L4 length, from the IP header's bytes.
uint64_t pseudo_header(const uint8_t* ip, size_t l4_len) { return add_words(ip + 12, 8) + ip[9] + l4_len; }

// === lib/wire's policy: well-formed IPv4 packets it drops anyway (ipv4.h, error.h). The one
// place to change when those rules change (martian sources, options of the wrong length). ===

constexpr uint32_t bit(WireError e) { return 1u << static_cast<unsigned>(e); }

// RFC 1122 §3.2.1.3's martian sources: 0/8, 127/8, and everything from 224 up (multicast,
// 240/4, the limited broadcast). A TTL of 0 is taken (§3.2.1.7).
bool martian_source(uint32_t src) {
  const uint32_t top = src >> 24;
  return top == 0 || top == 127 || top >= 224;
}

uint32_t ipv4_policy_drops(uint8_t /*ttl*/, uint16_t flags_offset, uint32_t src) {
  uint32_t d = 0;
  if (flags_offset & 0x3fff) d |= bit(WireError::kIpFragment);  // MF or an offset: no reassembly
  if (martian_source(src)) d |= bit(WireError::kIpBadSource);
  return d;
}

// Whether a reply sent from src would get through the policy above: a reply from an address it
// drops cannot be parsed back to be compared.
bool policy_takes_source(uint32_t src) { return ipv4_policy_drops(kIpv4DefaultTtl, 0, src) == 0; }

// === The oracle: what a frame is, walked independently of lib/wire ===

struct Ref {
  uint32_t defects = 0;  // every WireError the frame gives a reason for; 0: must be accepted
  FrameKind kind = FrameKind::kOther;
  size_t l3 = 0, l4 = 0, payload_off = 0, payload_len = 0;
  TcpOptions opts;  // the last well-formed copy of each option

  void add(WireError e) { defects |= bit(e); }
};

void take_sack(const uint8_t* o, size_t blocks, Ref& r) {
  r.opts.sack_count = static_cast<uint8_t>(std::min<size_t>(blocks, TcpOptions::kMaxSack));
  for (size_t b = 0; b < r.opts.sack_count; ++b) {
    r.opts.sack[b].left = be32(o + 2 + 8 * b);
    r.opts.sack[b].right = be32(o + 6 + 8 * b);
  }
}

// The length each known kind must have; unknown kinds take any (and are skipped by it).
bool right_length(uint8_t kind, size_t len) {
  switch (kind) {
    case 2: return len == 4;                          // MSS (RFC 9293 §3.2)
    case 3: return len == 3;                          // window scale (RFC 7323 §2.2)
    case 4: return len == 2;                          // SACK permitted (RFC 2018 §2)
    case 5: return len >= 10 && (len - 2) % 8 == 0;   // SACK: 2 + 8n bytes, n >= 1 (RFC 2018 §3)
    case 8: return len == 10;                         // timestamps (RFC 7323 §3.2)
    default: return true;
  }
}

// One option of `len` bytes (kind, length, value), already known to fit the option space.
void take_option(const uint8_t* o, size_t len, Ref& r) {
  if (!right_length(o[0], len)) return;  // left out, the rest parsed (as Linux does)
  TcpOptions& t = r.opts;
  switch (o[0]) {
    case 2:
      t.has_mss = true;
      t.mss = be16(o + 2);
      break;
    case 3:
      t.has_wscale = true;
      t.wscale = o[2];
      break;
    case 4:
      t.sack_permitted = true;
      break;
    case 5:
      take_sack(o, (len - 2) / 8, r);
      break;
    case 8:
      t.has_timestamps = true;
      t.ts_val = be32(o + 2);
      t.ts_ecr = be32(o + 6);
      break;
    default:
      break;
  }
}

// RFC 9293 §3.1: EOL ends the list, NOP is one byte, any other kind has a length byte >= 2 and
// lies wholly within the option space.
void walk_options(const uint8_t* o, size_t n, Ref& r) {
  for (size_t i = 0; i < n;) {
    if (o[i] == 0) return;
    if (o[i] == 1) {
      ++i;
      continue;
    }
    if (n - i < 2) return r.add(WireError::kTcpOptionOverrun);
    size_t len = o[i + 1];
    if (len < 2) return r.add(WireError::kTcpOptionBadLength);
    if (len > n - i) return r.add(WireError::kTcpOptionOverrun);
    take_option(o + i, len, r);
    i += len;
  }
}

void walk_tcp(const uint8_t* ip, const uint8_t* seg, size_t n, uint32_t flags, Ref& r) {
  r.kind = FrameKind::kIpv4Tcp;
  if (n < 20) return r.add(WireError::kTcpTruncated);
  if (!(flags & kRxL4ChecksumOk) && !sums_to_ones(add_words(seg, n, pseudo_header(ip, n))))
    r.add(WireError::kTcpBadChecksum);
  size_t hl = static_cast<size_t>(seg[12] >> 4) * 4;
  if (hl < 20 || hl > n) return r.add(WireError::kTcpBadDataOffset);
  r.payload_off = r.l4 + hl;
  r.payload_len = n - hl;
  walk_options(seg + 20, hl - 20, r);
}

void walk_icmp(const uint8_t* icmp, size_t n, Ref& r) {
  r.kind = FrameKind::kIpv4Icmp;
  if (n < 8) return r.add(WireError::kIcmpTruncated);
  if (!sums_to_ones(add_words(icmp, n))) r.add(WireError::kIcmpBadChecksum);  // always verified
  r.payload_off = r.l4 + 8;
  r.payload_len = n - 8;
}

void walk_ip_payload(const uint8_t* ip, size_t hl, size_t total, uint32_t flags, Ref& r) {
  r.l4 = r.l3 + hl;
  r.payload_off = r.l4;
  r.payload_len = total - hl;  // what follows total length is link padding, never payload
  if (ip[9] == 6) walk_tcp(ip, ip + hl, total - hl, flags, r);
  if (ip[9] == 1) walk_icmp(ip + hl, total - hl, r);
}

// RFC 791 §3.1. Defects of the header itself are all collected; the payload only when the
// header says where it is.
void walk_ipv4(const uint8_t* ip, size_t n, uint32_t flags, Ref& r) {
  r.kind = FrameKind::kIpv4Other;
  if (n < 20) return r.add(WireError::kIpTruncated);
  if (ip[0] >> 4 != 4) r.add(WireError::kIpBadVersion);
  size_t hl = size_t{ip[0] & 0x0fu} * 4;
  if (hl < 20) return r.add(WireError::kIpBadIhl);
  if (hl > n) return r.add(WireError::kIpTruncated);
  if (!(flags & kRxIpChecksumOk) && !sums_to_ones(add_words(ip, hl))) r.add(WireError::kIpBadChecksum);
  r.defects |= ipv4_policy_drops(ip[8], be16(ip + 6), be32(ip + 12));
  size_t total = be16(ip + 2);
  if (total < hl) return r.add(WireError::kIpBadTotalLength);
  if (total > n) return r.add(WireError::kIpTruncated);
  walk_ip_payload(ip, hl, total, flags, r);
}

// RFC 826, Ethernet hardware and IPv4 only.
void walk_arp(const uint8_t* a, size_t n, Ref& r) {
  r.kind = FrameKind::kArp;
  r.payload_len = 28;
  if (n < 28) return r.add(WireError::kArpTruncated);
  if (be16(a) != 1 || be16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) r.add(WireError::kArpUnsupported);
  if (be16(a + 6) != 1 && be16(a + 6) != 2) r.add(WireError::kArpBadOp);
}

// Ethernet II with at most one 802.1Q tag; QinQ is refused.
void walk_frame(const uint8_t* p, size_t len, uint32_t flags, Ref& r) {
  if (len < 14) return r.add(WireError::kEthTruncated);
  uint16_t type = be16(p + 12);
  r.l3 = 14;
  if (type == 0x8100) {
    if (len < 18) return r.add(WireError::kEthTruncated);
    type = be16(p + 16);
    r.l3 = 18;
  }
  if (type == 0x8100 || type == 0x88a8) return r.add(WireError::kEthVlanUnsupported);
  r.l4 = r.payload_off = r.l3;
  r.payload_len = std::min<size_t>(len - r.l3, 0xffff);
  if (type == 0x0800) walk_ipv4(p + r.l3, len - r.l3, flags, r);
  if (type == 0x0806) walk_arp(p + r.l3, len - r.l3, r);
}

// --- The parser against the oracle ---

void check_ether(const uint8_t* p, const Ref& r, const EtherHeader& e) {
  CHECK(e.dst == mac_at(p) && e.src == mac_at(p + 6));
  CHECK(e.has_vlan == (r.l3 == 18) && e.len == r.l3);
  CHECK(e.vlan_tci == (e.has_vlan ? be16(p + 14) : 0));
  CHECK(e.type == be16(p + r.l3 - 2));
}

void check_ipv4(const uint8_t* ip, const Ipv4Header& h) {
  CHECK(h.header_len == (ip[0] & 0x0f) * 4 && h.total_len == be16(ip + 2));
  CHECK(h.tos == ip[1] && h.id == be16(ip + 4) && h.df == ((ip[6] & 0x40) != 0));
  CHECK(h.ttl == ip[8] && h.proto == ip[9]);
  CHECK(h.src == be32(ip + 12) && h.dst == be32(ip + 16));
}

void check_options(const TcpOptions& got, const TcpOptions& want) {
  CHECK(got.has_mss == want.has_mss && (!want.has_mss || got.mss == want.mss));
  CHECK(got.has_wscale == want.has_wscale && (!want.has_wscale || got.wscale == want.wscale));
  CHECK(got.sack_permitted == want.sack_permitted);
  CHECK(got.has_timestamps == want.has_timestamps);
  CHECK(!want.has_timestamps || (got.ts_val == want.ts_val && got.ts_ecr == want.ts_ecr));
  CHECK(got.sack_count == want.sack_count);
  for (int b = 0; b < want.sack_count; ++b) {
    CHECK(got.sack[b].left == want.sack[b].left);
    CHECK(got.sack[b].right == want.sack[b].right);
  }
}

void check_tcp(const uint8_t* seg, const Ref& r, const TcpHeader& t) {
  CHECK(t.sport == be16(seg) && t.dport == be16(seg + 2));
  CHECK(t.seq == be32(seg + 4) && t.ack == be32(seg + 8));
  CHECK(t.header_len == (seg[12] >> 4) * 4 && t.flags == seg[13]);
  CHECK(t.window == be16(seg + 14) && t.checksum == be16(seg + 16) && t.urgent == be16(seg + 18));
  CHECK(t.payload_len == r.payload_len);
  check_options(t.opts, r.opts);
}

void check_arp_fields(const uint8_t* a, const ArpPacket& arp) {
  CHECK(arp.op == be16(a + 6) && arp.sha == mac_at(a + 8) && arp.spa == be32(a + 14));
  CHECK(arp.tha == mac_at(a + 18) && arp.tpa == be32(a + 24));
}

void check_icmp(const uint8_t* icmp, const IcmpHeader& h) {
  CHECK(h.type == icmp[0] && h.code == icmp[1] && h.id == be16(icmp + 4) && h.seq == be16(icmp + 6));
}

void check_accepted(const uint8_t* p, const Ref& r, const Frame& f) {
  CHECK(r.defects == 0);  // nothing malformed, no checksum the parser was to verify is wrong
  CHECK(f.kind == r.kind);
  CHECK(f.l3_off == r.l3 && f.l4_off == r.l4);
  CHECK(f.payload_off == r.payload_off && f.payload_len == r.payload_len);
  check_ether(p, r, f.eth);
  if (f.kind == FrameKind::kArp) check_arp_fields(p + r.l3, f.arp);
  if (f.kind == FrameKind::kIpv4Tcp || f.kind == FrameKind::kIpv4Icmp || f.kind == FrameKind::kIpv4Other)
    check_ipv4(p + r.l3, f.ip);
  if (f.kind == FrameKind::kIpv4Tcp) check_tcp(p + r.l4, r, f.tcp);
  if (f.kind == FrameKind::kIpv4Icmp) check_icmp(p + r.l4, f.icmp);
}

// frame.h: "on an error, out.kind tells how far the parse got".
FrameKind layer_of(WireError e) {
  switch (e) {
    case WireError::kEthTruncated:
    case WireError::kEthVlanUnsupported:
      return FrameKind::kOther;
    case WireError::kArpTruncated:
    case WireError::kArpUnsupported:
    case WireError::kArpBadOp:
      return FrameKind::kArp;
    case WireError::kIcmpTruncated:
    case WireError::kIcmpBadChecksum:
      return FrameKind::kIpv4Icmp;
    case WireError::kTcpTruncated:
    case WireError::kTcpBadDataOffset:
    case WireError::kTcpBadChecksum:
    case WireError::kTcpOptionBadLength:
    case WireError::kTcpOptionOverrun:
      return FrameKind::kIpv4Tcp;
    default:
      return FrameKind::kIpv4Other;  // the IPv4 header's
  }
}

// Parses p and holds the verdict against the oracle: accepted only if nothing is wrong, and
// then every field as the bytes say; rejected only for a reason the frame really has.
WireError parse_checked(const uint8_t* p, size_t len, uint32_t flags, Frame& f) {
  WireError e = parse_frame(p, len, flags, f);
  CHECK(std::strcmp(to_string(e), "unknown") != 0);
  Ref r;
  walk_frame(p, len, flags, r);
  if (e == WireError::kOk) {
    check_accepted(p, r, f);
  } else {
    CHECK(r.defects & bit(e));
    CHECK(f.kind == layer_of(e));
  }
  return e;
}

// What the stack sends must parse, checksums verified in software.
Frame parse_sent(const uint8_t* p, size_t len) {
  Frame f;
  CHECK(parse_checked(p, len, 0, f) == WireError::kOk);
  return f;
}

// --- Builders: what they write must parse back to what they were asked for ---

// What a NIC with TX IP and TCP checksum offload does to a frame the builder left for it: checks
// the builder's part (IP checksum 0, TCP checksum seeded with the folded pseudo-header sum) and
// completes both checksums.
void complete_checksums_as_nic(std::vector<uint8_t>& b) {
  uint8_t* ip = b.data() + (be16(b.data() + 12) == 0x8100 ? 18 : 14);
  size_t hl = size_t{ip[0] & 0x0fu} * 4, tcp_len = be16(ip + 2) - hl;
  uint8_t* seg = ip + hl;
  CHECK(be16(ip + 10) == 0);
  CHECK(be16(seg + 16) == fold(pseudo_header(ip, tcp_len)));
  put16(ip + 10, static_cast<uint16_t>(~fold(add_words(ip, hl))));
  put16(seg + 16, static_cast<uint16_t>(~fold(add_words(seg, tcp_len))));
}

void check_tcp_matches(const uint8_t* bytes, const Frame& g, const TcpFrameSpec& s) {
  CHECK(g.kind == FrameKind::kIpv4Tcp);
  CHECK(g.eth.src == s.src_mac && g.eth.dst == s.dst_mac && g.eth.has_vlan == s.has_vlan);
  CHECK(g.eth.vlan_tci == (s.has_vlan ? s.vlan_tci : 0));
  CHECK(g.ip.src == s.src_ip && g.ip.dst == s.dst_ip && g.ip.ttl == s.ttl && g.ip.id == s.ip_id);
  CHECK(g.ip.df && g.ip.header_len == 20);
  CHECK(g.tcp.sport == s.sport && g.tcp.dport == s.dport);
  CHECK(g.tcp.seq == s.seq && g.tcp.ack == s.ack);
  CHECK(g.tcp.flags == s.flags && g.tcp.window == s.window && g.tcp.urgent == 0);
  TcpOptions want = s.opts;
  want.sack_count = static_cast<uint8_t>(tcp_options_sack_fit(s.opts));  // Linux's: what fits
  check_options(g.tcp.opts, want);
  CHECK(g.payload_len == s.payload_len);
  CHECK(s.payload_len == 0 || std::memcmp(bytes + g.payload_off, s.payload, s.payload_len) == 0);
}

std::vector<uint8_t> build_checked(const TcpFrameSpec& s) {
  std::vector<uint8_t> buf(18 + 20 + 60 + s.payload_len);
  size_t n = build_tcp_frame(buf.data(), buf.size(), s);
  CHECK(n > 0);
  buf.resize(n);  // exact size, so that ASan sees any read past the built frame
  return buf;
}

TcpFrameSpec spec_of(const uint8_t* data, const Frame& f) {
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
  return s;
}

// The segment rebuilt from what was parsed, with software checksums and with offload ones (the
// same bytes once a NIC has filled them in).
void check_tcp_rebuild(const uint8_t* data, const Frame& f) {
  TcpFrameSpec s = spec_of(data, f);
  std::vector<uint8_t> sw = build_checked(s);
  check_tcp_matches(sw.data(), parse_sent(sw.data(), sw.size()), s);
  s.checksum = ChecksumMode::kOffload;
  std::vector<uint8_t> off = build_checked(s);
  complete_checksums_as_nic(off);
  CHECK(off == sw);
}

// write_plain_tcp_frame, as lcore_tcp.cc's build_plain calls it: payload already in place, the
// destination MAC the caller's; no VLAN and no SACK blocks. Must equal build_tcp_frame's bytes
// for the same values.
void check_plain_build(const uint8_t* data, const Frame& f) {
  TcpFrameSpec s = spec_of(data, f);
  s.has_vlan = false;
  s.vlan_tci = 0;
  s.opts = f.tcp.opts;
  s.opts.sack_count = 0;
  PlainTcp pt;
  pt.src_ip = s.src_ip;
  pt.dst_ip = s.dst_ip;
  pt.addr_sum = ipv4_addr_sum(s.src_ip, s.dst_ip);
  pt.h = {s.sport, s.dport, s.seq, s.ack, s.flags, s.window, 0};
  pt.ip_id = s.ip_id;
  pt.ttl = s.ttl;
  const size_t headers = 14 + 20 + 20 + tcp_options_length(s.opts);
  std::vector<uint8_t> buf(headers + s.payload_len);
  if (s.payload_len) std::memcpy(buf.data() + headers, s.payload, s.payload_len);
  std::memcpy(buf.data(), s.dst_mac.b, 6);
  CHECK(write_plain_tcp_frame(buf.data(), s.src_mac, pt, s.opts, tcp_options_length_before_sack(s.opts),
                              s.payload_len) == buf.size());
  check_tcp_matches(buf.data(), parse_sent(buf.data(), buf.size()), s);
  CHECK(buf == build_checked(s));
}

uint32_t seg_len(const Frame& f) {
  return f.payload_len + ((f.tcp.flags & tcp_flags::kSyn) ? 1u : 0u) + ((f.tcp.flags & tcp_flags::kFin) ? 1u : 0u);
}

// RFC 9293 §3.10.7.1, a segment with no connection:
//   ACK set:   <SEQ=SEG.ACK><CTL=RST>
//   otherwise: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN and FIN counting one each
// Never in answer to a RST, nor to a multicast or broadcast destination (RFC 1122 §4.2.3.10).
void check_rst_reply(const Frame& f, const std::vector<uint8_t>& b) {
  Frame r = parse_sent(b.data(), b.size());
  CHECK(r.kind == FrameKind::kIpv4Tcp && r.payload_len == 0 && r.tcp.header_len == 20);
  CHECK(r.eth.dst == f.eth.src && r.eth.src == kMyMac);
  CHECK(r.eth.has_vlan == f.eth.has_vlan && r.eth.vlan_tci == f.eth.vlan_tci);
  CHECK(r.ip.src == f.ip.dst && r.ip.dst == f.ip.src);
  CHECK(r.tcp.sport == f.tcp.dport && r.tcp.dport == f.tcp.sport);
  if (f.tcp.flags & tcp_flags::kAck) {
    CHECK(r.tcp.flags == tcp_flags::kRst && r.tcp.seq == f.tcp.ack);
  } else {
    CHECK(r.tcp.flags == (tcp_flags::kRst | tcp_flags::kAck) && r.tcp.seq == 0);
    CHECK(r.tcp.ack == f.tcp.seq + seg_len(f));
  }
}

void check_rst(const Frame& f) {
  std::vector<uint8_t> sw(64), off(64);
  size_t n = build_rst_reply(sw.data(), sw.size(), f, kMyMac);
  CHECK(build_rst_reply(off.data(), off.size(), f, kMyMac, ChecksumMode::kOffload) == n);
  if ((f.tcp.flags & tcp_flags::kRst) || group_or_broadcast(f.ip.dst)) {
    CHECK(n == 0);
    return;
  }
  CHECK(n > 0);
  sw.resize(n);
  off.resize(n);
  if (policy_takes_source(f.ip.dst)) check_rst_reply(f, sw);
  complete_checksums_as_nic(off);
  CHECK(off == sw);
}

void check_arp_reply(const uint8_t* data, const Frame& f) {
  uint8_t body[kArpLen];
  CHECK(build_arp(body, sizeof body, f.arp) == kArpLen);
  CHECK(std::memcmp(body, data + f.l3_off, kArpLen) == 0);
  std::vector<uint8_t> buf(64);
  EtherHeader me = f.eth;
  me.src = kMyMac;
  size_t n = build_arp_reply(buf.data(), buf.size(), me, f.arp);
  CHECK(n == size_t{f.eth.len} + kArpLen);
  Frame r = parse_sent(buf.data(), n);
  CHECK(r.kind == FrameKind::kArp && r.eth.dst == f.arp.sha && r.eth.src == kMyMac);
  CHECK(r.eth.has_vlan == f.eth.has_vlan && r.eth.vlan_tci == f.eth.vlan_tci);
  CHECK(r.arp.op == kArpOpReply && r.arp.sha == kMyMac && r.arp.spa == f.arp.tpa);
  CHECK(r.arp.tha == f.arp.sha && r.arp.tpa == f.arp.spa);
}

void check_echo_reply(const uint8_t* req_bytes, const Frame& f, const uint8_t* b, size_t n) {
  Frame r = parse_sent(b, n);
  CHECK(r.kind == FrameKind::kIpv4Icmp && r.eth.dst == f.eth.src && r.eth.src == kMyMac);
  CHECK(r.eth.has_vlan == f.eth.has_vlan && r.eth.vlan_tci == f.eth.vlan_tci);
  CHECK(r.ip.src == f.ip.dst && r.ip.dst == f.ip.src && r.ip.tos == f.ip.tos);
  CHECK(r.ip.header_len == 20 && !r.ip.df);  // no options echoed; DF off, as Linux answers
  CHECK(r.icmp.type == kIcmpEchoReply && r.icmp.code == 0);
  CHECK(r.icmp.id == f.icmp.id && r.icmp.seq == f.icmp.seq && r.payload_len == f.payload_len);
  CHECK(std::memcmp(b + r.payload_off, req_bytes + f.payload_off, f.payload_len) == 0);
}

// Into a buffer of its own, then in place in the request's bytes as lcore_l3.cc answers (the
// echo data moves back over longer request headers): the same frame both ways.
void check_echo(const uint8_t* data, size_t size, const Frame& f) {
  std::vector<uint8_t> out(f.eth.len + 20 + 8 + f.payload_len);
  size_t n = build_echo_reply_frame(out.data(), out.size(), data, f, kMyMac);
  if (f.icmp.type != kIcmpEchoRequest || group_or_broadcast(f.ip.dst)) {
    CHECK(n == 0);
    return;
  }
  CHECK(n == out.size());
  CHECK(build_echo_reply_frame(out.data(), n - 1, data, f, kMyMac) == 0);
  if (policy_takes_source(f.ip.dst)) check_echo_reply(data, f, out.data(), n);
  std::vector<uint8_t> in(data, data + size);
  CHECK(build_echo_reply_frame(in.data(), in.size(), in.data(), f, kMyMac) == n);
  CHECK(std::memcmp(in.data(), out.data(), n) == 0);
}

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() { return n ? (--n, *p++) : 0; }  // zeros past the end
  uint16_t u16() {
    uint16_t hi = u8();
    return static_cast<uint16_t>(hi << 8 | u8());
  }
  uint32_t u32() {
    uint32_t hi = u16();
    return hi << 16 | u16();
  }
  Mac mac() {
    Mac m;
    for (uint8_t& b : m.b) b = u8();
    return m;
  }
};

// A who-has (or an announcement: sender = target) to broadcast, from eth.src on eth's VLAN.
void check_arp_request_frame(const EtherHeader& eth, const std::vector<uint8_t>& b, size_t n,
                             uint32_t spa, uint32_t tpa) {
  CHECK(n == EtherHeader::size(eth.has_vlan) + kArpLen);
  Frame r = parse_sent(b.data(), n);
  CHECK(r.kind == FrameKind::kArp && r.eth.dst == kBroadcast);
  CHECK(r.eth.src == eth.src && r.eth.has_vlan == eth.has_vlan);
  CHECK(r.eth.vlan_tci == (eth.has_vlan ? eth.vlan_tci : 0));
  CHECK(r.arp.op == kArpOpRequest && r.arp.sha == eth.src && r.arp.spa == spa);
  CHECK(r.arp.tha == Mac{} && r.arp.tpa == tpa);
}

// The ARP frames the stack sends on its own, from the input's first bytes; eth's dst and type
// hold junk the builders must overwrite.
void check_arp_requests(const uint8_t* data, size_t size) {
  Reader in{data, size};
  EtherHeader eth;
  eth.src = in.mac();
  eth.dst = in.mac();
  eth.type = in.u16();
  eth.has_vlan = in.u8() & 1;
  eth.vlan_tci = in.u16();
  const uint32_t my_ip = in.u32(), target = in.u32();
  std::vector<uint8_t> b(64);
  const size_t need = EtherHeader::size(eth.has_vlan) + kArpLen;
  CHECK(build_arp_request(b.data(), need - 1, eth, my_ip, target) == 0);
  check_arp_request_frame(eth, b, build_arp_request(b.data(), b.size(), eth, my_ip, target), my_ip, target);
  CHECK(build_gratuitous_arp(b.data(), need - 1, eth, my_ip) == 0);
  check_arp_request_frame(eth, b, build_gratuitous_arp(b.data(), b.size(), eth, my_ip), my_ip, my_ip);
}

// --- A port on one VLAN: the tag tested, taken off and put on, against the bytes themselves ---

// The VLAN asked about is the input's own id when it has a tag, and the next id (another VLAN).
void check_vlan_test(const uint8_t* data, size_t size) {
  const bool tagged = size >= 18 && be16(data + 12) == 0x8100;
  const uint16_t id = tagged ? be16(data + 14) & 0x0fff : 1;
  for (uint16_t vid : {id, static_cast<uint16_t>((id + 1) & 0x0fff)})
    CHECK(vlan_tagged_with(data, size, vid) == (tagged && (be16(data + 14) & 0x0fff) == vid));
}

// A tagged input loses its 4 bytes after the MACs; what is left parses as the oracle reads it.
void check_vlan_strip(const uint8_t* data, size_t size) {
  if (size < 18 || be16(data + 12) != 0x8100) return;
  std::vector<uint8_t> b(data, data + size);
  const uint8_t* u = strip_vlan_tag(b.data());
  CHECK(u == b.data() + 4);
  CHECK(std::memcmp(u, data, 12) == 0 && std::memcmp(u + 12, data + 16, size - 16) == 0);
  Frame f;
  parse_checked(u, size - 4, 0, f);
}

// Any input of 12 bytes or more, taken as a frame to send, gets 4 bytes after its MACs: 0x8100
// and the TCI; the result parses as the oracle reads it (a second tag refused by both).
void check_vlan_insert(const uint8_t* data, size_t size) {
  if (size < 12) return;
  const uint16_t tci = be16(data + size - 2);
  std::vector<uint8_t> b(size + 4);
  std::memcpy(b.data() + 4, data, size);
  const uint8_t* t = insert_vlan_tag(b.data() + 4, tci);
  CHECK(t == b.data());
  CHECK(std::memcmp(t, data, 12) == 0 && be16(t + 12) == 0x8100 && be16(t + 14) == tci);
  CHECK(std::memcmp(t + 16, data + 12, size - 12) == 0);
  Frame f;
  if (parse_checked(t, size + 4, 0, f) == WireError::kOk) CHECK(f.eth.has_vlan && f.eth.vlan_tci == tci);
}

void check_builders(const uint8_t* data, size_t size, const Frame& f) {
  switch (f.kind) {
    case FrameKind::kIpv4Tcp:
      check_tcp_rebuild(data, f);
      check_plain_build(data, f);
      check_rst(f);
      break;
    case FrameKind::kArp:
      check_arp_reply(data, f);
      break;
    case FrameKind::kIpv4Icmp:
      check_echo(data, size, f);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Checksums verified in software, then as if the NIC had verified them (reaching deeper).
  // The builders run on the first parse that succeeds: both give the same fields.
  bool built = false;
  for (uint32_t flags : {0u, kRxIpChecksumOk | kRxL4ChecksumOk}) {
    Frame f;
    if (parse_checked(data, size, flags, f) != WireError::kOk || built) continue;
    check_builders(data, size, f);
    built = true;
  }
  check_arp_requests(data, size);
  check_vlan_test(data, size);
  check_vlan_strip(data, size);
  check_vlan_insert(data, size);
  return 0;
}
