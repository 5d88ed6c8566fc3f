// Whole Ethernet frames: the one parse the datapath runs on every received frame, and the
// builders of what it sends back (TCP segments, RSTs, echo replies).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/error.h"
#include "wire/ether.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

namespace ts::wire {

enum class FrameKind : uint8_t {
  kOther,      // neither IPv4 nor ARP (IPv6, LLDP, ...): eth, payload = what follows it
  kArp,        // eth, arp, payload = the 28-byte ARP packet
  kIpv4Tcp,    // eth, ip, tcp, payload = TCP data
  kIpv4Icmp,   // eth, ip, icmp, payload = the data after the 8-byte ICMP header
  kIpv4Other,  // eth, ip, payload = the IP payload
};

struct Frame {
  FrameKind kind = FrameKind::kOther;
  EtherHeader eth;
  Ipv4Header ip;
  TcpHeader tcp;
  ArpPacket arp;
  IcmpHeader icmp;
  uint16_t l3_off = 0;       // the ARP or IPv4 header
  uint16_t l4_off = 0;       // the TCP or ICMP header, or the IP payload
  uint16_t payload_off = 0;  // see FrameKind; always within the parsed frame
  uint16_t payload_len = 0;
};

// Parses Ethernet, then ARP or IPv4 and TCP/ICMP. flags: kRxIpChecksumOk, kRxL4ChecksumOk (what
// the NIC verified). Fields of `out` the kind does not name are left as they were; on an error,
// out.kind tells how far the parse got. On kOk every offset and length lies within [p, p + len).
WireError parse_frame(const uint8_t* p, size_t len, uint32_t flags, Frame& out);

// parse_frame's two halves, apart for the test that holds them against each other. The fast path
// takes the datapath's common frame in one go: untagged IPv4 with a 20-byte header, not a
// fragment, carrying TCP (NOP NOP TS through parse_aligned_timestamps, inline; other options
// through parse_tcp_options, which has its own fast path for Linux's SYN layout). It returns
// false, for the general walk to parse the frame, on anything else and on any defect: the error,
// and the fields written before it, are the walk's to give. Every check comes before its first
// store into `out` but the options' (which the walk parses again from the same bytes). On true,
// `out` is what the walk would have made of it.
bool parse_frame_fast(const uint8_t* p, size_t len, uint32_t flags, Frame& out);
// The layer-by-layer walk: Ethernet, then ARP or IPv4, then TCP or ICMP, any frame at all.
WireError parse_frame_general(const uint8_t* p, size_t len, uint32_t flags, Frame& out);

inline WireError parse_frame(std::span<const uint8_t> bytes, uint32_t flags, Frame& out) {
  return parse_frame(bytes.data(), bytes.size(), flags, out);
}

enum class ChecksumMode : uint8_t {
  kSoftware,  // IPv4 and TCP checksums computed here
  kOffload,   // IPv4 checksum 0, TCP checksum = pseudo-header sum: the NIC fills both in
};

struct TcpFrameSpec {
  Mac src_mac;
  Mac dst_mac;
  bool has_vlan = false;
  uint16_t vlan_tci = 0;
  uint32_t src_ip = 0;  // host order, as everything here
  uint32_t dst_ip = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  TcpOptions opts;                  // written in Linux's layout, see write_tcp_options
  const uint8_t* payload = nullptr; // may overlap buf (memmove)
  size_t payload_len = 0;
  uint8_t ttl = kIpv4DefaultTtl;
  uint16_t ip_id = 0;
  ChecksumMode checksum = ChecksumMode::kSoftware;
};

// Writes Ethernet + IPv4 (DF) + TCP + options + payload. Returns the frame length, or 0 if it
// does not fit in cap or in an IPv4 packet.
size_t build_tcp_frame(uint8_t* buf, size_t cap, const TcpFrameSpec& s);

// build_tcp_frame without the checks, for a caller that has made sure the frame fits (hlen =
// kTcpHeaderLen + tcp_options_length(s.opts)); returns the frame length. Inline, so that the
// caller's spec never goes to memory: the datapath builds every segment through it.
inline size_t write_tcp_frame(uint8_t* buf, const TcpFrameSpec& s, size_t hlen);

// A spec answering `in` (kIpv4Tcp): addresses and ports swapped, same VLAN, from my_mac.
// The caller fills seq, ack, flags, window, options and payload.
TcpFrameSpec tcp_reply_spec(const Frame& in, const Mac& my_mac);

// The RST that RFC 9293 §3.10.7.1 sends for a segment that has no connection:
//   ACK set:   <SEQ=SEG.ACK><CTL=RST>
//   otherwise: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>   (SEG.LEN counts SYN and FIN)
// Returns 0, writing nothing, when `in` is not kIpv4Tcp, is itself a RST (a RST never answers a
// RST), or was sent to a multicast or broadcast address (RFC 1122 §4.2.3.10).
size_t build_rst_reply(uint8_t* buf, size_t cap, const Frame& in, const Mac& my_mac,
                       ChecksumMode mode = ChecksumMode::kSoftware);

// The echo reply to `req` (kIpv4Icmp, an echo request whose bytes are req_bytes), from my_mac,
// with the request's id, sequence and data. buf may be req_bytes itself (an in-place reply).
// Returns 0 when req is not an echo request, was sent to a multicast or broadcast address (as
// Linux, which ignores broadcast pings by default), or the reply does not fit. The reply may be
// fragmented on its way (DF clear, as Linux's): `ip_id` must differ from the last 65,535 the
// caller sent (RFC 6864 §4.1).
size_t build_echo_reply_frame(uint8_t* buf, size_t cap, const uint8_t* req_bytes,
                              const Frame& req, const Mac& my_mac, uint16_t ip_id = 0);

// --- inline ---

// The options of data and ACK segments are NOP NOP TS (or nothing), those of our SYNs and
// SYN-ACKs MSS, SACK_PERM, TS, NOP, WS: both written and summed from the values in registers
// (the handshake's block through write_tcp_options was 90 instructions, and its sum read back
// 25 more); anything else goes through write_tcp_options and is summed back.
inline uint32_t write_tcp_options_summed(uint8_t* p, size_t len, const TcpOptions& o) {
  const uint32_t ts_sum = (o.ts_val >> 16) + (o.ts_val & 0xffff) + (o.ts_ecr >> 16) + (o.ts_ecr & 0xffff);
  constexpr uint64_t kTsOnly = tcp_options_head({.has_timestamps = true});
  constexpr uint64_t kHandshake = tcp_options_head({.has_mss = true, .has_wscale = true, .sack_permitted = true,
                                                    .has_timestamps = true});
  const uint64_t set = tcp_options_set(o);
  const bool ts_only = set == kTsOnly;
  if (ts_only) {
    constexpr uint32_t kLead = uint32_t{kTcpOptNop} << 24 | uint32_t{kTcpOptNop} << 16 |
                               uint32_t{kTcpOptTimestamps} << 8 | 10u;
    store_be32(p, kLead);
    store_be32(p + 4, o.ts_val);
    store_be32(p + 8, o.ts_ecr);
    return (kLead >> 16) + (kLead & 0xffff) + ts_sum;
  }
  const bool handshake = set == kHandshake;
  if (handshake) {
    constexpr uint32_t kSackTs = uint32_t{kTcpOptSackPermitted} << 24 | 2u << 16 |
                                 uint32_t{kTcpOptTimestamps} << 8 | 10u;
    const uint32_t mss = uint32_t{kTcpOptMss} << 24 | 4u << 16 | o.mss;
    const uint32_t ws = uint32_t{kTcpOptNop} << 24 | uint32_t{kTcpOptWscale} << 16 | 3u << 8 | o.wscale;
    store_be32(p, mss);
    store_be32(p + 4, kSackTs);
    store_be32(p + 8, o.ts_val);
    store_be32(p + 12, o.ts_ecr);
    store_be32(p + 16, ws);
    return (mss >> 16) + o.mss + (kSackTs >> 16) + (kSackTs & 0xffff) + ts_sum + (ws >> 16) + (ws & 0xffff);
  }
  if (len == 0) return 0;
  write_tcp_options(p, len, o);
  return checksum_words32(p, len);
}

// The IPv4 header (DF) of a TCP segment of tcp_len bytes.
// addr_sum: ipv4_addr_sum(src, dst).
[[gnu::always_inline]] inline void write_tcp_ipv4_header(uint8_t* ip, uint32_t src, uint32_t dst, size_t tcp_len,
                                                         uint8_t ttl, uint16_t id, bool checksum,
                                                         uint32_t addr_sum) {
  Ipv4Spec is;
  is.src = src;
  is.dst = dst;
  is.payload_len = static_cast<uint16_t>(tcp_len);
  is.proto = kIpProtoTcp;
  is.ttl = ttl;
  is.id = id;
  is.checksum = checksum;
  write_ipv4_header(ip, is, addr_sum);
}

[[gnu::always_inline]] inline size_t write_tcp_frame(uint8_t* buf, const TcpFrameSpec& s, size_t hlen) {
  const size_t l2 = EtherHeader::size(s.has_vlan);
  const size_t tcp_len = hlen + s.payload_len;
  uint8_t* ip = buf + l2;
  uint8_t* tcp = ip + kIpv4HeaderLen;
  // The payload first: it may sit where the headers go (a reply built in the received buffer).
  // The datapath copies it into place itself.
  if (s.payload_len && s.payload != tcp + hlen) std::memmove(tcp + hlen, s.payload, s.payload_len);

  EtherHeader eth;
  eth.dst = s.dst_mac;
  eth.src = s.src_mac;
  eth.type = kEtherTypeIpv4;
  eth.has_vlan = s.has_vlan;
  eth.vlan_tci = s.vlan_tci;
  build_ether(buf, l2, eth);

  const bool sw = s.checksum == ChecksumMode::kSoftware;
  write_tcp_ipv4_header(ip, s.src_ip, s.dst_ip, tcp_len, s.ttl, s.ip_id, sw, ipv4_addr_sum(s.src_ip, s.dst_ip));

  const TcpHeaderSpec ts{s.sport, s.dport, s.seq, s.ack, s.flags, s.window, 0};
  const uint32_t head_sum = write_tcp_fixed_header(tcp, ts, hlen);
  if (!sw) {
    // The NIC sums header and payload itself: only the pseudo-header is seeded.
    if (hlen > kTcpHeaderLen) write_tcp_options(tcp + kTcpHeaderLen, hlen - kTcpHeaderLen, s.opts);
    store_be16(tcp + 16, tcp_pseudo_header_checksum(s.src_ip, s.dst_ip, static_cast<uint16_t>(tcp_len)));
    return l2 + kIpv4HeaderLen + tcp_len;
  }
  uint32_t sum = head_sum + write_tcp_options_summed(tcp + kTcpHeaderLen, hlen - kTcpHeaderLen, s.opts) +
                 pseudo_header_sum(s.src_ip, s.dst_ip, kIpProtoTcp, static_cast<uint16_t>(tcp_len));
  if (s.payload_len) sum = checksum_partial(tcp + hlen, s.payload_len, checksum_fold(sum));
  store_be16(tcp + 16, checksum_finish(sum));
  return l2 + kIpv4HeaderLen + tcp_len;
}

// The segment of a connection in the datapath's common case: no VLAN, software checksums, and
// no SACK blocks (handshake, data and ACK segments: plain_options). Writes what write_tcp_frame
// writes for the same values (a test compares them), but from the values themselves, with no
// frame spec in between, and leaves the destination MAC to the caller (the datapath writes it
// once the next hop is resolved). The payload_len bytes of payload are already in place after
// the headers, after olen = tcp_options_length_before_sack(o) bytes of options (the caller sized
// the frame with it; passed in, it is not summed again from options that the payload copy may
// have overwritten, for all the compiler knows). Returns the frame length.
constexpr size_t kPlainTcpHeadersLen = kEtherHeaderLen + kIpv4HeaderLen + kTcpHeaderLen;  // + the options

inline bool plain_options(const TcpOptions& o) { return o.sack_count == 0; }

struct PlainTcp {
  uint32_t src_ip = 0, dst_ip = 0;
  uint16_t addr_sum = 0;  // ipv4_addr_sum(src_ip, dst_ip), kept per connection by the caller
  TcpHeaderSpec h;
  uint16_t ip_id = 0;
  uint8_t ttl = kIpv4DefaultTtl;
};

[[gnu::always_inline]] inline size_t write_plain_tcp_frame(uint8_t* buf, const Mac& src_mac, const PlainTcp& s,
                                                           const TcpOptions& o, size_t olen,
                                                           size_t payload_len) {
  const size_t hlen = kTcpHeaderLen + olen;
  const size_t tcp_len = hlen + payload_len;
  std::memcpy(buf + 6, src_mac.b, 6);
  store_be16(buf + kEtherHeaderLen - 2, kEtherTypeIpv4);
  uint8_t* ip = buf + kEtherHeaderLen;
  uint8_t* tcp = ip + kIpv4HeaderLen;
  write_tcp_ipv4_header(ip, s.src_ip, s.dst_ip, tcp_len, s.ttl, s.ip_id, true, s.addr_sum);
  uint32_t sum = write_tcp_fixed_header(tcp, s.h, hlen) + s.addr_sum + kIpProtoTcp + static_cast<uint32_t>(tcp_len);
  if (olen) sum += write_tcp_options_summed(tcp + kTcpHeaderLen, olen, o);
  if (payload_len) sum = checksum_partial(tcp + hlen, payload_len, checksum_fold(sum));
  store_be16(tcp + 16, checksum_finish(sum));
  return kEtherHeaderLen + kIpv4HeaderLen + tcp_len;
}

}  // namespace ts::wire
