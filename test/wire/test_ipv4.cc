#include <gtest/gtest.h>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/ipv4.h"

namespace ts::wire {
namespace {

using namespace testutil;

WireError parse(const Bytes& f, uint32_t flags = 0) {
  Ipv4Header h;
  return parse_ipv4(f.data() + kL3, f.size() - kL3, flags, h);
}

TEST(Ipv4, ParsesTheReferenceSyn) {
  Ipv4Header h;
  ASSERT_EQ(parse_ipv4(testdata::kLinuxSyn + 14, 60, 0, h), WireError::kOk);
  EXPECT_EQ(h.src, kClientIp);
  EXPECT_EQ(h.dst, kServerIp);
  EXPECT_EQ(h.total_len, 60);
  EXPECT_EQ(h.header_len, 20);
  EXPECT_EQ(h.payload_len(), 40);
  EXPECT_EQ(h.id, 0x1c46);
  EXPECT_EQ(h.ttl, 64);
  EXPECT_EQ(h.proto, 6);
  EXPECT_TRUE(h.df);
}

TEST(Ipv4, LinkPaddingAfterTotalLengthIsIgnored) {
  Bytes f = copy(testdata::kLinuxSyn);
  f.resize(f.size() + 6, 0xee);
  Ipv4Header h;
  ASSERT_EQ(parse_ipv4(f.data() + kL3, f.size() - kL3, 0, h), WireError::kOk);
  EXPECT_EQ(h.total_len, 60);
}

TEST(Ipv4, OptionsAreSkipped) {
  // Grow the IHL to 6 with a 4-byte option (NOP NOP NOP EOL) in front of the TCP header.
  Bytes f = copy(testdata::kLinuxSyn);
  const uint8_t opt[4] = {1, 1, 1, 0};
  f.insert(f.begin() + 34, opt, opt + 4);
  f[kL3] = 0x46;
  store_be16(&f[kL3 + 2], 64);
  fix_ip_checksum(f);
  Ipv4Header h;
  ASSERT_EQ(parse_ipv4(f.data() + kL3, f.size() - kL3, 0, h), WireError::kOk);
  EXPECT_EQ(h.header_len, 24);
  EXPECT_EQ(h.payload_len(), 40);
}

TEST(Ipv4, TruncatedAtEveryLength) {
  Ipv4Header h;
  for (size_t n = 0; n < 60; ++n)
    EXPECT_EQ(parse_ipv4(testdata::kLinuxSyn + 14, n, 0, h), WireError::kIpTruncated) << n;
}

TEST(Ipv4, BadVersion) {
  Bytes f = copy(testdata::kLinuxSyn);
  f[kL3] = 0x65;
  EXPECT_EQ(parse(f), WireError::kIpBadVersion);
}

TEST(Ipv4, IhlBelowFive) {
  for (uint8_t ihl = 0; ihl < 5; ++ihl) {
    Bytes f = copy(testdata::kLinuxSyn);
    f[kL3] = 0x40 | ihl;
    EXPECT_EQ(parse(f), WireError::kIpBadIhl) << int{ihl};
  }
}

TEST(Ipv4, IhlPastTheFrame) {
  Bytes f = copy(testdata::kLinuxSyn);
  f.resize(kL3 + 40);  // 40 bytes of IP, header claims 60
  f[kL3] = 0x4f;
  EXPECT_EQ(parse(f), WireError::kIpTruncated);
}

TEST(Ipv4, TotalLengthBelowHeader) {
  for (uint16_t total : {0, 1, 19}) {
    Bytes f = copy(testdata::kLinuxSyn);
    store_be16(&f[kL3 + 2], total);
    fix_ip_checksum(f);
    EXPECT_EQ(parse(f), WireError::kIpBadTotalLength) << total;
  }
}

TEST(Ipv4, TotalLengthPastTheFrame) {
  Bytes f = copy(testdata::kLinuxSyn);
  store_be16(&f[kL3 + 2], 61);
  fix_ip_checksum(f);
  EXPECT_EQ(parse(f), WireError::kIpTruncated);
}

TEST(Ipv4, BadChecksumUnlessTheNicVerifiedIt) {
  Bytes f = copy(testdata::kLinuxSyn);
  f[kL3 + 11] ^= 1;
  EXPECT_EQ(parse(f), WireError::kIpBadChecksum);
  EXPECT_EQ(parse(f, kRxIpChecksumOk), WireError::kOk);
  Bytes g = copy(testdata::kLinuxSyn);
  g[kL3 + 5] ^= 0x80;  // a flipped bit in the id
  EXPECT_EQ(parse(g), WireError::kIpBadChecksum);
}

// RFC 1122 §3.2.1.7: "A host MUST NOT discard a datagram just because it was received with TTL
// less than 2" (it is delivered, not forwarded).
TEST(Ipv4, TtlZeroAndOneAreTaken) {
  for (uint8_t ttl : {0, 1}) {
    Bytes f = copy(testdata::kLinuxSyn);
    f[kL3 + 8] = ttl;
    fix_ip_checksum(f);
    Ipv4Header h;
    ASSERT_EQ(parse_ipv4(f.data() + kL3, f.size() - kL3, 0, h), WireError::kOk) << int{ttl};
    EXPECT_EQ(h.ttl, ttl);
  }
}

TEST(Ipv4, FragmentsAreTheirOwnError) {
  for (uint16_t frag : {0x2000, 0x6000, 0x0001, 0x1fff, 0x4001}) {  // MF, DF|MF, offsets
    Bytes f = copy(testdata::kLinuxSyn);
    store_be16(&f[kL3 + 6], frag);
    fix_ip_checksum(f);
    EXPECT_EQ(parse(f), WireError::kIpFragment) << std::hex << frag;
  }
  Bytes f = copy(testdata::kLinuxSyn);
  store_be16(&f[kL3 + 6], 0);  // DF clear, not a fragment
  fix_ip_checksum(f);
  Ipv4Header h;
  ASSERT_EQ(parse_ipv4(f.data() + kL3, f.size() - kL3, 0, h), WireError::kOk);
  EXPECT_FALSE(h.df);
}

// RFC 1122 §3.2.1.3's invalid sources (Linux's martians): 0/8, 127/8, multicast, 240/4 and the
// limited broadcast. Their neighbours on either side are valid.
TEST(Ipv4, MartianSourcesAreRefused) {
  // Not traffic: these source addresses only exercise the parser's rejection of them.
  for (uint32_t src : {0x00000000u, 0x00000005u, 0x00ffffffu, 0x7f000001u, 0x7fffffffu, 0xe0000001u,
                       0xefffffffu, 0xf0000001u, 0xfffffffeu, 0xffffffffu}) {
    Bytes f = copy(testdata::kLinuxSyn);
    store_be32(&f[kL3 + 12], src);
    fix_ip_checksum(f);
    EXPECT_EQ(parse(f), WireError::kIpBadSource) << std::hex << src;
  }
  for (uint32_t src : {0x01000000u, 0x7effffffu, 0x80000000u, 0xdfffffffu}) {
    Bytes f = copy(testdata::kLinuxSyn);
    store_be32(&f[kL3 + 12], src);
    fix_ip_checksum(f);
    fix_tcp_checksum(f);
    EXPECT_EQ(parse(f), WireError::kOk) << std::hex << src;
  }
}

TEST(Ipv4, BuildWritesAValidHeader) {
  Ipv4Spec s;
  s.src = kServerIp;
  s.dst = kClientIp;
  s.payload_len = 40;
  s.proto = 6;
  s.id = 0x1234;
  uint8_t buf[60] = {};
  EXPECT_EQ(build_ipv4(buf, 19, s), 0u);
  ASSERT_EQ(build_ipv4(buf, sizeof buf, s), 20u);
  const uint8_t want[12] = {0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6};
  EXPECT_EQ(0, memcmp(buf, want, 10));
  EXPECT_EQ(ipv4_header_checksum(buf, 20), 0);
  Ipv4Header h;
  ASSERT_EQ(parse_ipv4(buf, sizeof buf, 0, h), WireError::kOk);
  EXPECT_EQ(h.src, kServerIp);
  EXPECT_EQ(h.dst, kClientIp);
  EXPECT_EQ(h.ttl, 64);
  EXPECT_TRUE(h.df);
}

TEST(Ipv4, BuildWithOffloadLeavesTheChecksumZero) {
  Ipv4Spec s;
  s.src = kServerIp;
  s.dst = kClientIp;
  s.checksum = false;
  uint8_t buf[20];
  ASSERT_EQ(build_ipv4(buf, sizeof buf, s), 20u);
  EXPECT_EQ(load_be16(buf + 10), 0);
}

TEST(Ipv4, BuildRefusesMoreThan65535Bytes) {
  Ipv4Spec s;
  s.payload_len = 65535 - 19;
  uint8_t buf[20];
  EXPECT_EQ(build_ipv4(buf, sizeof buf, s), 0u);
  s.payload_len = 65535 - 20;
  EXPECT_EQ(build_ipv4(buf, sizeof buf, s), 20u);
}

}  // namespace
}  // namespace ts::wire
