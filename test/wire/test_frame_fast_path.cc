// parse_frame's fast path for the datapath's common frame (untagged IPv4, 20-byte header, TCP)
// against parse_frame_general, the layer-by-layer walk it stands in for: the same WireError and
// the same Frame, every field (those the parse must leave alone included), for valid frames of
// every kind and for many mutated and truncated ones. A fast path that took one frame the
// general parse refuses, refused one it takes, or stored one field differently fails here.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/frame.h"

namespace ts::wire {
namespace {

using namespace testutil;
using namespace tcp_flags;

std::string mac(const Mac& m) {
  std::ostringstream s;
  for (uint8_t b : m.b) s << int(b) << ':';
  return s.str();
}

// Every field, so that a difference shows by name.
std::string describe(const Frame& f) {
  std::ostringstream s;
  const TcpOptions& o = f.tcp.opts;
  s << "kind " << int(f.kind) << " eth " << mac(f.eth.dst) << ' ' << mac(f.eth.src) << " type " << f.eth.type << " vlan "
    << f.eth.has_vlan << '/' << f.eth.vlan_tci << " len " << int(f.eth.len) << "\nip " << f.ip.src
    << ' ' << f.ip.dst << " total " << f.ip.total_len << " id " << f.ip.id << " hl "
    << int(f.ip.header_len) << " tos " << int(f.ip.tos) << " ttl " << int(f.ip.ttl) << " proto "
    << int(f.ip.proto) << " df " << f.ip.df << "\ntcp " << f.tcp.sport << ' ' << f.tcp.dport
    << " seq " << f.tcp.seq << " ack " << f.tcp.ack << " hl " << int(f.tcp.header_len) << " flags "
    << int(f.tcp.flags) << " win " << f.tcp.window << " sum " << f.tcp.checksum << " urg "
    << f.tcp.urgent << " len " << f.tcp.payload_len << "\nopts mss " << o.has_mss << '/' << o.mss
    << " ws " << o.has_wscale << '/' << int(o.wscale) << " sackp " << o.sack_permitted << " ts "
    << o.has_timestamps << '/' << o.ts_val << '/' << o.ts_ecr << " sacks " << int(o.sack_count);
  for (const SackBlock& b : o.sack) s << ' ' << b.left << '-' << b.right;
  s << "\narp " << f.arp.op << ' ' << mac(f.arp.sha) << ' ' << f.arp.spa << ' ' << mac(f.arp.tha)
    << ' ' << f.arp.tpa << "\nicmp " << int(f.icmp.type) << ' ' << int(f.icmp.code) << ' '
    << f.icmp.id << ' ' << f.icmp.seq << "\noffs " << f.l3_off << ' ' << f.l4_off << ' '
    << f.payload_off << ' ' << f.payload_len;
  return s.str();
}

// A Frame whose every field holds junk, none of it a default: a field the parse should leave as
// it was, and one of the two parses overwrote, shows.
Frame junk_frame() {
  Frame f;
  f.kind = FrameKind::kIpv4Icmp;
  f.eth.dst = Mac{{9, 8, 7, 6, 5, 4}};
  f.eth.src = Mac{{3, 2, 1, 9, 8, 7}};
  f.eth.type = 0x1234;
  f.eth.has_vlan = true;
  f.eth.vlan_tci = 0x4321;
  f.eth.len = 77;
  f.ip = Ipv4Header{0x11111111, 0x22222222, 0x3333, 0x4444, 55, 66, 77, 88, true};
  f.tcp.sport = 0x5151;
  f.tcp.dport = 0x5252;
  f.tcp.seq = 0x53535353;
  f.tcp.ack = 0x54545454;
  f.tcp.header_len = 55;
  f.tcp.flags = 0x56;
  f.tcp.window = 0x5757;
  f.tcp.checksum = 0x5858;
  f.tcp.urgent = 0x5959;
  f.tcp.payload_len = 0x5a5a;
  f.tcp.opts = TcpOptions{true, true, true, true, 61, 3, 0x6262, 0x63636363, 0x64646464,
                          {{1, 2}, {3, 4}, {5, 6}, {7, 8}}};
  f.arp = ArpPacket{0x7171, Mac{{1, 1, 1, 1, 1, 1}}, 0x72727272, Mac{{2, 2, 2, 2, 2, 2}}, 0x73737373};
  f.icmp = IcmpHeader{0x81, 0x82, 0x8383, 0x8484};
  f.l3_off = 0x9191;
  f.l4_off = 0x9292;
  f.payload_off = 0x9393;
  f.payload_len = 0x9494;
  return f;
}

// Both parses of the same bytes, with the same flags, from the same junk.
void expect_same_parse(const uint8_t* p, size_t len, uint32_t flags, const std::string& what) {
  Frame fast = junk_frame(), general = junk_frame();
  const WireError e_fast = parse_frame(p, len, flags, fast);
  const WireError e_general = parse_frame_general(p, len, flags, general);
  ASSERT_EQ(to_string(e_fast), std::string(to_string(e_general))) << what;
  ASSERT_EQ(describe(fast), describe(general)) << what;
}

void expect_same_parse_all_flags(const Bytes& b, const std::string& what) {
  for (uint32_t flags : {0u, kRxIpChecksumOk, kRxL4ChecksumOk, kRxIpChecksumOk | kRxL4ChecksumOk})
    expect_same_parse(b.data(), b.size(), flags, what + " flags " + std::to_string(flags));
}

// The options a frame of the datapath carries, and a few it does not: none, NOP NOP TS, Linux's
// SYN layout, TS with SACK blocks, MSS alone.
std::vector<TcpOptions> option_sets() {
  const TcpOptions ts{.has_timestamps = true, .ts_val = 0x01020304, .ts_ecr = 0xfffefdfc};
  TcpOptions syn = ts;
  syn.has_mss = syn.has_wscale = syn.sack_permitted = true;
  syn.mss = 1460;
  syn.wscale = 7;
  TcpOptions sack = ts;
  sack.sack_count = 2;
  sack.sack[0] = {100, 200};
  sack.sack[1] = {300, 400};
  return {TcpOptions{}, ts, syn, sack, TcpOptions{.has_mss = true, .mss = 536}};
}

// Valid frames of every kind the builder writes: options, payload lengths (odd ones too), flags,
// VLAN tag, link padding past the IP total length.
std::vector<Bytes> valid_tcp_frames() {
  std::vector<Bytes> out;
  std::vector<uint8_t> payload(400);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7 + 3);
  for (const TcpOptions& o : option_sets())
    for (size_t plen : {0, 1, 2, 7, 8, 15, 16, 17, 31, 80, 133, 200, 399})
      for (bool vlan : {false, true}) {
        const uint8_t flags = plen ? (kAck | kPsh) : (o.has_mss ? kSyn : kAck);
        const TcpFrameSpec s{.src_mac = kClientMac, .dst_mac = kServerMac, .has_vlan = vlan,
                             .vlan_tci = 100, .src_ip = kClientIp, .dst_ip = kServerIp,
                             .sport = 40000, .dport = 80, .seq = 0x89abcdef,
                             .ack = 0x12345678 + static_cast<uint32_t>(plen), .flags = flags,
                             .window = 502, .opts = o, .payload = payload.data(),
                             .payload_len = plen, .ip_id = static_cast<uint16_t>(plen * 31)};
        Bytes b(18 + 20 + 60 + plen + 8);
        b.resize(build_tcp_frame(b.data(), b.size(), s));
        out.push_back(b);
        b.resize(b.size() + 6, 0);  // Ethernet padding past the IP total length
        out.push_back(b);
      }
  return out;
}

std::vector<Bytes> reference_frames() {
  return {copy(testdata::kLinuxSyn),   copy(testdata::kLinuxSynAck), copy(testdata::kDataPsh),
          copy(testdata::kAckSack),    copy(testdata::kUnknownOption), copy(testdata::kArpRequest),
          copy(testdata::kIcmpEcho),   copy(testdata::kVlanSyn)};
}

TEST(FrameFastPath, ValidFramesParseAlikeBothWays) {
  for (const Bytes& b : valid_tcp_frames()) expect_same_parse_all_flags(b, "valid, size " + std::to_string(b.size()));
  for (const Bytes& b : reference_frames()) expect_same_parse_all_flags(b, "reference, size " + std::to_string(b.size()));
}

// The tests above would pass with a fast path that never takes a frame: the untagged ones (all
// but the VLAN ones) are its to take, under every checksum flag; the tagged ones the walk's.
TEST(FrameFastPath, TakesTheUntaggedFramesItIsFor) {
  for (const Bytes& b : valid_tcp_frames())
    for (uint32_t flags : {0u, kRxIpChecksumOk | kRxL4ChecksumOk}) {
      const bool tagged = load_be16(&b[12]) == kEtherTypeVlan;
      Frame f;
      EXPECT_EQ(parse_frame_fast(b.data(), b.size(), flags, f), !tagged) << "size " << b.size();
      ASSERT_EQ(parse_frame(b.data(), b.size(), flags, f), WireError::kOk);
      EXPECT_EQ(f.kind, FrameKind::kIpv4Tcp);
    }
}

TEST(FrameFastPath, TruncatedAtEveryLength) {
  for (const Bytes& b : valid_tcp_frames())
    for (size_t n = 0; n < b.size(); ++n)
      expect_same_parse(b.data(), n, 0, "cut to " + std::to_string(n) + " of " + std::to_string(b.size()));
}

// The IP and TCP checksums recomputed where the (mutated) header still says where they are, so
// that a mutation reaches the checks past them.
void fix_checksums_if_located(Bytes& b) {
  const size_t l3 = b.size() >= 14 && load_be16(&b[12]) == kEtherTypeVlan ? 18 : 14;
  if (b.size() < l3 + 20) return;
  const size_t hl = size_t{b[l3] & 0x0fu} * 4;
  if (hl < 20 || l3 + hl > b.size()) return;
  fix_ip_checksum(b, l3);
  const size_t total = load_be16(&b[l3 + 2]);
  if (b[l3 + 9] != kIpProtoTcp || total < hl + 20 || l3 + total > b.size()) return;
  fix_tcp_checksum(b, l3);
  fix_ip_checksum(b, l3);  // unchanged by the TCP fix; kept last so that both hold
}

// One random edit: a byte anywhere (mostly in the headers), a field set to an edge value, or the
// frame cut short.
void mutate(Bytes& b, std::mt19937& rng) {
  if (b.empty()) return;
  const size_t head = std::min<size_t>(b.size(), 18 + 20 + 60);
  switch (rng() % 6) {
    case 0:
    case 1:
      b[rng() % head] = static_cast<uint8_t>(rng());
      break;
    case 2:
      b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 3: {  // the bytes the fast path tests: ethertype, version/IHL, fragment, protocol,
               // source, data offset, the first option word
      static constexpr size_t kSpots[] = {12, 13, 14, 16, 17, 20, 21, 23, 26, 46, 54, 55, 56, 57};
      const size_t at = kSpots[rng() % std::size(kSpots)];
      static constexpr uint8_t kValues[] = {0x00, 0x01, 0x05, 0x06, 0x08, 0x0a, 0x40,
                                            0x45, 0x46, 0x50, 0x7f, 0x80, 0xe0, 0xff};
      if (at < b.size()) b[at] = kValues[rng() % std::size(kValues)];
      break;
    }
    case 4:
      b.resize(rng() % (b.size() + 1));
      break;
    default:
      b.resize(b.size() + rng() % 8, static_cast<uint8_t>(rng()));
      break;
  }
}

TEST(FrameFastPath, MutatedFramesParseAlikeBothWays) {
  std::mt19937 rng(9293);
  std::vector<Bytes> seeds = valid_tcp_frames();
  for (const Bytes& b : reference_frames()) seeds.push_back(b);
  for (int i = 0; i < 50000; ++i) {
    Bytes b = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) mutate(b, rng);
    if (rng() % 4 != 0) fix_checksums_if_located(b);
    expect_same_parse_all_flags(b, "mutation " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace ts::wire
