#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/frame.h"

namespace ts::wire {
namespace {

using namespace testutil;
using namespace tcp_flags;

TcpFrameSpec syn_ack_spec() {
  TcpFrameSpec s;
  s.src_mac = kServerMac;
  s.dst_mac = kClientMac;
  s.src_ip = kServerIp;
  s.dst_ip = kClientIp;
  s.sport = 80;
  s.dport = 40000;
  s.seq = 0xa0b0c0d0;
  s.ack = 0x11223345;
  s.flags = kSyn | kAck;
  s.window = 65160;
  s.opts.has_mss = true;
  s.opts.mss = 1460;
  s.opts.sack_permitted = true;
  s.opts.has_timestamps = true;
  s.opts.ts_val = 987654321;
  s.opts.ts_ecr = 123456789;
  s.opts.has_wscale = true;
  s.opts.wscale = 7;
  return s;
}

TEST(FrameBuild, BuiltSynAckMatchesScapyByteForByte) {
  uint8_t buf[128];
  ASSERT_EQ(build_tcp_frame(buf, sizeof buf, syn_ack_spec()), 74u);
  EXPECT_EQ(0, memcmp(buf, testdata::kLinuxSynAck, 74));
}

TEST(FrameBuild, BuiltDataSegmentMatchesScapyByteForByte) {
  Frame in = parsed(testdata::kDataPsh);
  TcpFrameSpec s;
  s.src_mac = kClientMac;
  s.dst_mac = kServerMac;
  s.src_ip = kClientIp;
  s.dst_ip = kServerIp;
  s.sport = 40000;
  s.dport = 80;
  s.seq = in.tcp.seq;
  s.ack = in.tcp.ack;
  s.flags = kPsh | kAck;
  s.window = 502;
  s.opts = in.tcp.opts;
  s.ip_id = 0x1c47;
  s.payload = testdata::kDataPsh + in.payload_off;
  s.payload_len = in.payload_len;
  uint8_t buf[128];
  ASSERT_EQ(build_tcp_frame(buf, sizeof buf, s), sizeof testdata::kDataPsh);
  EXPECT_EQ(0, memcmp(buf, testdata::kDataPsh, sizeof testdata::kDataPsh));
}

TEST(FrameBuild, BuildReturnsZeroWhenItDoesNotFit) {
  uint8_t buf[128];
  for (size_t cap = 0; cap < 74; ++cap) EXPECT_EQ(build_tcp_frame(buf, cap, syn_ack_spec()), 0u);
  TcpFrameSpec s = syn_ack_spec();
  std::vector<uint8_t> big(70000), out(70100);
  s.payload = big.data();
  s.payload_len = 65535 - 20 - 40 + 1;  // one byte more than an IPv4 packet holds
  EXPECT_EQ(build_tcp_frame(out.data(), out.size(), s), 0u);
  s.payload_len -= 1;
  EXPECT_EQ(build_tcp_frame(out.data(), out.size(), s), 14u + 65535u);
}

TEST(FrameBuild, RandomSpecsRoundTrip) {
  std::mt19937 rng(2024);
  std::vector<uint8_t> payload(1460), buf(1600);
  for (auto& b : payload) b = static_cast<uint8_t>(rng());
  for (int i = 0; i < 3000; ++i) {
    TcpFrameSpec s;
    s.src_mac = Mac{{0x02, 0, 0, 0, uint8_t(rng()), uint8_t(rng())}};
    s.dst_mac = Mac{{0x02, 1, 0, 0, uint8_t(rng()), uint8_t(rng())}};
    s.has_vlan = rng() % 4 == 0;
    s.vlan_tci = static_cast<uint16_t>(rng());
    s.src_ip = 0xc6120000 | (rng() & 0x1ffff);
    s.dst_ip = 0xc6120000 | (rng() & 0x1ffff);
    s.sport = static_cast<uint16_t>(rng());
    s.dport = static_cast<uint16_t>(rng());
    s.seq = rng();
    s.ack = rng();
    s.flags = static_cast<uint8_t>(rng());
    s.window = static_cast<uint16_t>(rng());
    s.ttl = static_cast<uint8_t>(1 + rng() % 255);
    s.ip_id = static_cast<uint16_t>(rng());
    uint32_t m = rng();
    s.opts.has_mss = m & 1;
    s.opts.mss = static_cast<uint16_t>(rng());
    s.opts.sack_permitted = m & 2;
    s.opts.has_timestamps = m & 4;
    s.opts.ts_val = rng();
    s.opts.ts_ecr = rng();
    s.opts.has_wscale = m & 8;
    s.opts.wscale = static_cast<uint8_t>(rng() % 15);
    s.opts.sack_count = static_cast<uint8_t>((m >> 4) % 5);
    for (auto& b : s.opts.sack) b = {uint32_t(rng()), uint32_t(rng())};
    s.payload = payload.data();
    s.payload_len = rng() % 3 ? rng() % payload.size() : 0;
    size_t n = build_tcp_frame(buf.data(), buf.size(), s);
    ASSERT_GT(n, 0u);
    Frame f;
    ASSERT_EQ(parse_frame(buf.data(), n, 0, f), WireError::kOk) << i;
    ASSERT_EQ(f.kind, FrameKind::kIpv4Tcp);
    EXPECT_EQ(f.eth.src, s.src_mac);
    EXPECT_EQ(f.eth.dst, s.dst_mac);
    EXPECT_EQ(f.eth.has_vlan, s.has_vlan);
    EXPECT_EQ(f.eth.vlan_tci, s.has_vlan ? s.vlan_tci : 0);
    EXPECT_EQ(f.ip.src, s.src_ip);
    EXPECT_EQ(f.ip.dst, s.dst_ip);
    EXPECT_EQ(f.ip.ttl, s.ttl);
    EXPECT_EQ(f.ip.id, s.ip_id);
    EXPECT_TRUE(f.ip.df);
    EXPECT_EQ(f.tcp.sport, s.sport);
    EXPECT_EQ(f.tcp.dport, s.dport);
    EXPECT_EQ(f.tcp.seq, s.seq);
    EXPECT_EQ(f.tcp.ack, s.ack);
    EXPECT_EQ(f.tcp.flags, s.flags);
    EXPECT_EQ(f.tcp.window, s.window);
    TcpOptions want = s.opts;
    want.sack_count = static_cast<uint8_t>(tcp_options_sack_fit(s.opts));
    EXPECT_TRUE(tcp_options_equal(f.tcp.opts, want)) << i;
    ASSERT_EQ(f.payload_len, s.payload_len);
    EXPECT_EQ(0, memcmp(buf.data() + f.payload_off, payload.data(), s.payload_len));
  }
}

TEST(FrameBuild, OffloadModeSeedsThePseudoHeaderAndLeavesIpChecksumZero) {
  TcpFrameSpec s = syn_ack_spec();
  s.checksum = ChecksumMode::kOffload;
  const uint8_t data[5] = {1, 2, 3, 4, 5};
  s.payload = data;
  s.payload_len = 5;
  uint8_t buf[128];
  size_t n = build_tcp_frame(buf, sizeof buf, s);
  ASSERT_EQ(n, 79u);
  EXPECT_EQ(load_be16(buf + 24), 0);
  EXPECT_EQ(load_be16(buf + 50), tcp_pseudo_header_checksum(kServerIp, kClientIp, 45));
  Frame f;
  EXPECT_EQ(parse_frame(buf, n, 0, f), WireError::kIpBadChecksum);
  ASSERT_EQ(parse_frame(buf, n, kRxIpChecksumOk | kRxL4ChecksumOk, f), WireError::kOk);
  // What the NIC does: sum the segment as it stands (seed included) and store the complement.
  store_be16(buf + 24, ipv4_header_checksum(buf + 14, 20));
  store_be16(buf + 50, checksum_finish(checksum_partial(buf + 34, 45)));
  EXPECT_EQ(parse_frame(buf, n, 0, f), WireError::kOk);
}

TEST(FrameBuild, ReplySpecSwapsEndpoints) {
  Frame in = parsed(testdata::kVlanSyn);
  TcpFrameSpec s = tcp_reply_spec(in, kServerMac);
  EXPECT_EQ(s.src_mac, kServerMac);
  EXPECT_EQ(s.dst_mac, kClientMac);
  EXPECT_TRUE(s.has_vlan);
  EXPECT_EQ(s.vlan_tci, in.eth.vlan_tci);
  EXPECT_EQ(s.src_ip, kServerIp);
  EXPECT_EQ(s.dst_ip, kClientIp);
  EXPECT_EQ(s.sport, 443);
  EXPECT_EQ(s.dport, 40001);
}

Frame rst_for(const Bytes& in_bytes) {
  Frame in;
  EXPECT_EQ(parse_frame(in_bytes, 0, in), WireError::kOk);
  uint8_t buf[128];
  size_t n = build_rst_reply(buf, sizeof buf, in, kServerMac);
  EXPECT_EQ(n, 54u);
  Frame out;
  EXPECT_EQ(parse_frame(buf, n, 0, out), WireError::kOk);
  EXPECT_EQ(out.ip.src, in.ip.dst);
  EXPECT_EQ(out.tcp.sport, in.tcp.dport);
  EXPECT_EQ(out.eth.dst, in.eth.src);
  EXPECT_EQ(out.tcp.header_len, 20);
  EXPECT_EQ(out.payload_len, 0);
  return out;
}

TEST(FrameBuild, RstForASynAcknowledgesIt) {
  Frame r = rst_for(copy(testdata::kLinuxSyn));
  EXPECT_EQ(r.tcp.flags, kRst | kAck);
  EXPECT_EQ(r.tcp.seq, 0u);
  EXPECT_EQ(r.tcp.ack, 0x11223345u);
}

TEST(FrameBuild, RstForAnAckTakesItsSequenceFromTheAck) {
  Frame r = rst_for(copy(testdata::kDataPsh));
  EXPECT_EQ(r.tcp.flags, kRst);
  EXPECT_EQ(r.tcp.seq, 0xa0b0c0d1u);
}

TEST(FrameBuild, RstForDataWithFinCountsDataAndFin) {
  Bytes f = copy(testdata::kDataPsh);
  f[34 + 13] = kFin | kPsh;  // no ACK
  fix_tcp_checksum(f);
  Frame r = rst_for(f);
  EXPECT_EQ(r.tcp.flags, kRst | kAck);
  EXPECT_EQ(r.tcp.ack, 0x11223345u + 18 + 1);
}

TEST(FrameBuild, NeverAResetForAReset) {
  Bytes f = copy(testdata::kDataPsh);
  f[34 + 13] = kRst | kAck;
  fix_tcp_checksum(f);
  Frame in;
  ASSERT_EQ(parse_frame(f, 0, in), WireError::kOk);
  uint8_t buf[128];
  EXPECT_EQ(build_rst_reply(buf, sizeof buf, in, kServerMac), 0u);
  Frame arp = parsed(testdata::kArpRequest);
  EXPECT_EQ(build_rst_reply(buf, sizeof buf, arp, kServerMac), 0u);
}

TEST(FrameBuild, NoResetForASegmentToMulticastOrBroadcast) {
  // Not traffic: these destinations only exercise the builder's refusal (RFC 1122 §4.2.3.10).
  for (uint32_t dst : {0xe0000001u, 0xffffffffu}) {
    Bytes f = copy(testdata::kLinuxSyn);
    store_be32(&f[kL3 + 16], dst);
    fix_checksums(f);
    Frame in;
    ASSERT_EQ(parse_frame(f, 0, in), WireError::kOk);
    uint8_t buf[128];
    EXPECT_EQ(build_rst_reply(buf, sizeof buf, in, kServerMac), 0u) << std::hex << dst;
  }
}

// The datapath's plain writer gives the very bytes of the general one, for segments with and
// without timestamps (and handshake options), payloads of odd and even length, any flags and values; its destination
// MAC is the caller's to write.
TEST(FrameBuild, PlainWriterGivesTheGeneralWritersBytes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; i++) {
    TcpFrameSpec s;
    s.src_mac = kClientMac;
    s.src_ip = rng();
    s.dst_ip = rng();
    s.sport = static_cast<uint16_t>(rng());
    s.dport = static_cast<uint16_t>(rng());
    s.seq = rng();
    s.ack = rng();
    s.flags = static_cast<uint8_t>(rng() & 0x3f);
    s.window = static_cast<uint16_t>(rng());
    s.opts.has_timestamps = i % 2;
    s.opts.ts_val = rng();
    s.opts.ts_ecr = rng();
    if (i % 3 == 0) {  // handshake options too, in any combination
      s.opts.has_mss = rng() & 1;
      s.opts.mss = static_cast<uint16_t>(rng());
      s.opts.has_wscale = rng() & 1;
      s.opts.wscale = static_cast<uint8_t>(rng() % 15);
      s.opts.sack_permitted = rng() & 1;
    }
    std::vector<uint8_t> payload(rng() % 300);
    for (auto& b : payload) b = static_cast<uint8_t>(rng());
    s.payload = payload.data();
    s.payload_len = payload.size();
    uint8_t general[512] = {}, plain[512] = {};
    const size_t n = build_tcp_frame(general, sizeof general, s);
    ASSERT_GT(n, 0u);
    ASSERT_TRUE(plain_options(s.opts));
    const size_t hdr = kPlainTcpHeadersLen + tcp_options_length(s.opts);
    if (!payload.empty()) std::memcpy(plain + hdr, payload.data(), payload.size());
    PlainTcp f;
    f.src_ip = s.src_ip;
    f.dst_ip = s.dst_ip;
    f.addr_sum = ipv4_addr_sum(s.src_ip, s.dst_ip);
    f.h = {s.sport, s.dport, s.seq, s.ack, s.flags, s.window, 0};
    ASSERT_EQ(write_plain_tcp_frame(plain, s.src_mac, f, s.opts, tcp_options_length(s.opts), payload.size()), n);
    EXPECT_EQ(0, memcmp(general, plain, n)) << "segment " << i;
  }
  TcpOptions syn;
  syn.has_mss = true;
  EXPECT_TRUE(plain_options(syn));
  TcpOptions sack;
  sack.sack_count = 1;
  EXPECT_FALSE(plain_options(sack));
}

}  // namespace
}  // namespace ts::wire
