#include <gtest/gtest.h>

#include <set>
#include <string>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/frame.h"

namespace ts::wire {
namespace {

using namespace testutil;
using namespace tcp_flags;

TEST(FrameParse, KindsOfTheReferenceFrames) {
  EXPECT_EQ(parsed(testdata::kLinuxSyn).kind, FrameKind::kIpv4Tcp);
  EXPECT_EQ(parsed(testdata::kArpRequest).kind, FrameKind::kArp);
  EXPECT_EQ(parsed(testdata::kIcmpEcho).kind, FrameKind::kIpv4Icmp);
  Bytes udp = copy(testdata::kLinuxSyn);
  udp[kL3 + 9] = 17;
  fix_ip_checksum(udp);
  Frame f;
  ASSERT_EQ(parse_frame(udp, 0, f), WireError::kOk);
  EXPECT_EQ(f.kind, FrameKind::kIpv4Other);
  EXPECT_EQ(f.payload_off, 34);
  EXPECT_EQ(f.payload_len, 40);
  Bytes v6 = copy(testdata::kLinuxSyn);
  store_be16(&v6[12], 0x86dd);
  ASSERT_EQ(parse_frame(v6, 0, f), WireError::kOk);
  EXPECT_EQ(f.kind, FrameKind::kOther);
  EXPECT_EQ(f.eth.type, 0x86dd);
}

TEST(FrameParse, TcpValuesAndPayloadLocation) {
  Frame f = parsed(testdata::kDataPsh);
  EXPECT_EQ(f.eth.src, kClientMac);
  EXPECT_EQ(f.ip.src, kClientIp);
  EXPECT_EQ(f.tcp.sport, 40000);
  EXPECT_EQ(f.l3_off, 14);
  EXPECT_EQ(f.l4_off, 34);
  EXPECT_EQ(f.payload_off, 66);
  ASSERT_EQ(f.payload_len, 18);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(testdata::kDataPsh) + f.payload_off,
                        f.payload_len),
            "GET / HTTP/1.1\r\n\r\n");
}

TEST(FrameParse, VlanTaggedSyn) {
  Frame f = parsed(testdata::kVlanSyn);
  EXPECT_EQ(f.kind, FrameKind::kIpv4Tcp);
  EXPECT_TRUE(f.eth.has_vlan);
  EXPECT_EQ(f.eth.vlan_tci & 0x0fff, 100);
  EXPECT_EQ(f.l3_off, 18);
  EXPECT_EQ(f.tcp.dport, 443);
  EXPECT_EQ(f.tcp.opts.mss, 1460);
}

TEST(FrameParse, IcmpPayloadIsTheEchoData) {
  Frame f = parsed(testdata::kIcmpEcho);
  EXPECT_EQ(f.payload_off, 42);
  EXPECT_EQ(f.payload_len, 56);
  EXPECT_EQ(f.icmp.id, 0x1234);
}

// Cutting a valid frame short anywhere yields the error of the layer it cuts into.
template <size_t N>
void expect_truncation_errors(const uint8_t (&a)[N], size_t l3, WireError l3_error) {
  Frame f;
  for (size_t n = 0; n < N; ++n) {
    WireError want = n < l3 ? WireError::kEthTruncated : l3_error;
    ASSERT_EQ(parse_frame(a, n, 0, f), want) << "length " << n;
  }
  EXPECT_EQ(parse_frame(a, N, 0, f), WireError::kOk);
}

TEST(FrameParse, TruncatedAtEveryLength) {
  expect_truncation_errors(testdata::kLinuxSyn, 14, WireError::kIpTruncated);
  expect_truncation_errors(testdata::kDataPsh, 14, WireError::kIpTruncated);
  expect_truncation_errors(testdata::kIcmpEcho, 14, WireError::kIpTruncated);
  expect_truncation_errors(testdata::kVlanSyn, 18, WireError::kIpTruncated);
  expect_truncation_errors(testdata::kArpRequest, 14, WireError::kArpTruncated);
}

TEST(FrameParse, IpTotalLengthCuttingIntoTcpAndIcmp) {
  for (size_t l4 = 0; l4 < 40; ++l4) {
    Bytes f = copy(testdata::kLinuxSyn);
    store_be16(&f[kL3 + 2], static_cast<uint16_t>(20 + l4));
    fix_ip_checksum(f);
    Frame fr;
    EXPECT_EQ(parse_frame(f, kRxL4ChecksumOk, fr),
              l4 < 20 ? WireError::kTcpTruncated : WireError::kTcpBadDataOffset)
        << l4;
    EXPECT_EQ(fr.kind, FrameKind::kIpv4Tcp);
  }
  for (size_t l4 = 0; l4 < 8; ++l4) {
    Bytes f = copy(testdata::kIcmpEcho);
    store_be16(&f[kL3 + 2], static_cast<uint16_t>(20 + l4));
    fix_ip_checksum(f);
    Frame fr;
    EXPECT_EQ(parse_frame(f, 0, fr), WireError::kIcmpTruncated) << l4;
  }
}

TEST(FrameParse, IncrementalSeqRewriteKeepsTheFrameValid) {
  Bytes f = copy(testdata::kDataPsh);
  uint8_t* tcp = &f[34];
  uint32_t old_seq = load_be32(tcp + 4), new_seq = old_seq + 0x7fff0001;
  store_be32(tcp + 4, new_seq);
  store_be16(tcp + 16, checksum_update32(load_be16(tcp + 16), old_seq, new_seq));
  Frame fr;
  ASSERT_EQ(parse_frame(f, 0, fr), WireError::kOk);
  EXPECT_EQ(fr.tcp.seq, new_seq);
}

TEST(WireError, EveryValueHasItsOwnName) {
  std::set<std::string> names;
  for (int i = 0; i < kWireErrorCount; ++i) {
    std::string n = to_string(static_cast<WireError>(i));
    EXPECT_NE(n, "unknown");
    EXPECT_TRUE(names.insert(n).second) << n;
  }
  EXPECT_STREQ(to_string(WireError::kOk), "ok");
  EXPECT_STREQ(to_string(WireError::kTcpBadChecksum), "tcp_bad_checksum");
  EXPECT_STREQ(to_string(WireError::kCount), "unknown");
}

}  // namespace
}  // namespace ts::wire
