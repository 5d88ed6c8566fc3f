#include <gtest/gtest.h>

#include <random>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/tcp_header.h"

namespace ts::wire {
namespace {

using namespace testutil;
using namespace tcp_flags;

constexpr size_t kL4 = 34;

WireError parse(const Bytes& f, uint32_t flags = 0) {
  TcpHeader h;
  return parse_tcp(f.data() + kL4, f.size() - kL4, kClientIp, kServerIp, flags, h);
}

TEST(TcpHeader, ParsesTheLinuxSyn) {
  TcpHeader h;
  ASSERT_EQ(parse_tcp(testdata::kLinuxSyn + kL4, 40, kClientIp, kServerIp, 0, h), WireError::kOk);
  EXPECT_EQ(h.sport, 40000);
  EXPECT_EQ(h.dport, 80);
  EXPECT_EQ(h.seq, 0x11223344u);
  EXPECT_EQ(h.ack, 0u);
  EXPECT_EQ(h.header_len, 40);
  EXPECT_EQ(h.flags, kSyn);
  EXPECT_EQ(h.window, 64240);
  EXPECT_EQ(h.checksum, 0x0b80);
  EXPECT_EQ(h.urgent, 0);
  EXPECT_EQ(h.payload_len, 0);
  EXPECT_EQ(h.seg_len(), 1u);
  EXPECT_TRUE(h.opts.has_mss);
  EXPECT_EQ(h.opts.mss, 1460);
  EXPECT_TRUE(h.opts.sack_permitted);
  EXPECT_TRUE(h.opts.has_timestamps);
  EXPECT_EQ(h.opts.ts_val, 123456789u);
  EXPECT_EQ(h.opts.ts_ecr, 0u);
  EXPECT_TRUE(h.opts.has_wscale);
  EXPECT_EQ(h.opts.wscale, 7);
  EXPECT_EQ(h.opts.sack_count, 0);
}

TEST(TcpHeader, ParsesADataSegment) {
  TcpHeader h;
  ASSERT_EQ(parse_tcp(testdata::kDataPsh + kL4, 50, kClientIp, kServerIp, 0, h), WireError::kOk);
  EXPECT_EQ(h.flags, kPsh | kAck);
  EXPECT_EQ(h.ack, 0xa0b0c0d1u);
  EXPECT_EQ(h.header_len, 32);
  EXPECT_EQ(h.payload_len, 18);
  EXPECT_EQ(h.seg_len(), 18u);
  EXPECT_TRUE(h.opts.has_timestamps);
  EXPECT_EQ(h.opts.ts_val, 123456800u);
  EXPECT_EQ(h.opts.ts_ecr, 987654321u);
  EXPECT_FALSE(h.opts.has_mss);
}

TEST(TcpHeader, ParsesSackBlocksAndSkipsUnknownOptions) {
  TcpHeader h;
  ASSERT_EQ(parse_tcp(testdata::kAckSack + kL4, 52, kClientIp, kServerIp, 0, h), WireError::kOk);
  ASSERT_EQ(h.opts.sack_count, 2);
  EXPECT_EQ(h.opts.sack[0].left, 0xa0b0d0d1u);
  EXPECT_EQ(h.opts.sack[1].right, 0xa0b0e5d1u);
  ASSERT_EQ(parse_tcp(testdata::kUnknownOption + kL4, 32, kClientIp, kServerIp, 0, h),
            WireError::kOk);
  EXPECT_TRUE(h.opts.has_mss);
  EXPECT_EQ(h.opts.mss, 536);
}

TEST(TcpHeader, FlagBitsAreTheRfcs) {
  EXPECT_EQ(kFin | kSyn | kRst | kPsh | kAck | kUrg | kEce | kCwr, 0xff);
  Bytes f = copy(testdata::kLinuxSyn);
  f[kL4 + 13] = kFin | kUrg | kEce | kCwr;
  fix_tcp_checksum(f);
  TcpHeader h;
  ASSERT_EQ(parse_tcp(f.data() + kL4, 40, kClientIp, kServerIp, 0, h), WireError::kOk);
  EXPECT_TRUE(h.has(kFin));
  EXPECT_TRUE(h.has(kCwr));
  EXPECT_FALSE(h.has(kSyn));
}

TEST(TcpHeader, ShorterThanTwentyBytesIsTruncated) {
  TcpHeader h;
  for (size_t n = 0; n < 20; ++n)
    EXPECT_EQ(parse_tcp(testdata::kLinuxSyn + kL4, n, kClientIp, kServerIp, kRxL4ChecksumOk, h),
              WireError::kTcpTruncated)
        << n;
}

TEST(TcpHeader, DataOffsetBelowFiveOrPastTheSegment) {
  for (uint8_t off : {0, 1, 4}) {
    Bytes f = copy(testdata::kLinuxSyn);
    f[kL4 + 12] = static_cast<uint8_t>(off << 4);
    EXPECT_EQ(parse(f), WireError::kTcpBadDataOffset) << int{off};
  }
  Bytes f = copy(testdata::kLinuxSyn);
  f[kL4 + 12] = 11 << 4;  // 44 bytes of header in a 40-byte segment
  EXPECT_EQ(parse(f), WireError::kTcpBadDataOffset);
  TcpHeader h;
  for (size_t n = 20; n < 40; ++n)  // the SYN's 40-byte header cut short
    EXPECT_EQ(parse_tcp(testdata::kLinuxSyn + kL4, n, kClientIp, kServerIp, 0, h),
              WireError::kTcpBadDataOffset)
        << n;
}

TEST(TcpHeader, BadChecksumUnlessTheNicVerifiedIt) {
  Bytes f = copy(testdata::kDataPsh);
  f.back() ^= 0x20;  // one bit of payload
  EXPECT_EQ(parse(f), WireError::kTcpBadChecksum);
  EXPECT_EQ(parse(f, kRxL4ChecksumOk), WireError::kOk);
  TcpHeader h;  // the pseudo-header counts: a different address fails too
  EXPECT_EQ(parse_tcp(testdata::kDataPsh + kL4, 50, kClientIp, kServerIp + 1, 0, h),
            WireError::kTcpBadChecksum);
}

TEST(TcpHeader, OptionErrorsComeThrough) {
  // SYN options: MSS at 0, SACK_PERM at 4, TS at 6, NOP at 16, WS at 17 (offsets in the options).
  const size_t opt = kL4 + 20;
  struct Case {
    size_t at;
    uint8_t value;
    WireError want;
  } cases[] = {
      {opt + 1, 0, WireError::kTcpOptionBadLength},     // MSS length 0
      {opt + 1, 1, WireError::kTcpOptionBadLength},     // MSS length 1
      {opt + 18, 4, WireError::kTcpOptionOverrun},      // WS runs past the header
      {opt + 7, 30, WireError::kTcpOptionOverrun},      // TS length past the header
  };
  for (const Case& c : cases) {
    Bytes f = copy(testdata::kLinuxSyn);
    f[c.at] = c.value;
    fix_tcp_checksum(f);
    EXPECT_EQ(parse(f), c.want) << c.at << " = " << int{c.value};
  }
}

TEST(TcpHeader, BuildWritesDataOffsetAndFields) {
  TcpHeaderSpec s{80, 40000, 0xa0b0c0d0, 0x11223345, kSyn | kAck, 65160, 0};
  TcpOptions o;
  o.has_mss = true;
  o.mss = 1460;
  uint8_t buf[24];
  EXPECT_EQ(build_tcp_header(buf, 23, s, o), 0u);
  ASSERT_EQ(build_tcp_header(buf, sizeof buf, s, o), 24u);
  EXPECT_EQ(buf[12], 6 << 4);
  EXPECT_EQ(buf[13], kSyn | kAck);
  EXPECT_EQ(load_be32(buf + 4), 0xa0b0c0d0u);
  EXPECT_EQ(load_be16(buf + 16), 0);
  EXPECT_EQ(load_be16(buf + 22), 1460);
}

TEST(TcpHeader, FixedHeaderSumFromValuesEqualsTheSumOfItsBytes) {
  std::mt19937 rng(793);
  for (int i = 0; i < 1000; ++i) {
    TcpHeaderSpec s{uint16_t(rng()), uint16_t(rng()), uint32_t(rng()), uint32_t(rng()),
                    uint8_t(rng()),  uint16_t(rng()), uint16_t(rng())};
    size_t hlen = 20 + 4 * (rng() % 11);
    uint8_t buf[20];
    uint32_t sum = write_tcp_fixed_header(buf, s, hlen);
    ASSERT_EQ(checksum_fold(sum), checksum_fold(checksum_partial(buf, 20))) << i;
    EXPECT_EQ(buf[12] >> 4, hlen / 4);
  }
}

}  // namespace
}  // namespace ts::wire
