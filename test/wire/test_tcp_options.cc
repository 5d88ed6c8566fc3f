#include <gtest/gtest.h>

#include <vector>

#include "wire/tcp_option_codec.h"

namespace ts::wire {
namespace {

using Bytes = std::vector<uint8_t>;

WireError parse(const Bytes& b, TcpOptions& o) { return parse_tcp_options(b.data(), b.size(), o); }

Bytes write(const TcpOptions& o) {
  Bytes b(40, 0xcc);
  size_t n = write_tcp_options(b.data(), b.size(), o);
  EXPECT_EQ(n, tcp_options_length(o));
  b.resize(n);
  return b;
}

TcpOptions linux_syn() {
  TcpOptions o;
  o.has_mss = true;
  o.mss = 1460;
  o.sack_permitted = true;
  o.has_timestamps = true;
  o.ts_val = 0x01020304;
  o.ts_ecr = 0;
  o.has_wscale = true;
  o.wscale = 7;
  return o;
}

TEST(TcpOptions, ParsesEveryKnownKind) {
  Bytes b = {2, 4, 0x05, 0xb4,  3, 3, 14,  4, 2,  1,  8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
             5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40,  0, 0};
  TcpOptions o;
  ASSERT_EQ(parse(b, o), WireError::kOk);
  EXPECT_TRUE(o.has_mss);
  EXPECT_EQ(o.mss, 1460);
  EXPECT_TRUE(o.has_wscale);
  EXPECT_EQ(o.wscale, 14);
  EXPECT_TRUE(o.sack_permitted);
  EXPECT_TRUE(o.has_timestamps);
  EXPECT_EQ(o.ts_val, 1u);
  EXPECT_EQ(o.ts_ecr, 2u);
  ASSERT_EQ(o.sack_count, 2);
  EXPECT_EQ(o.sack[0].left, 10u);
  EXPECT_EQ(o.sack[0].right, 20u);
  EXPECT_EQ(o.sack[1].left, 30u);
  EXPECT_EQ(o.sack[1].right, 40u);
}

TEST(TcpOptions, FourSackBlocksFillTheSpace) {
  Bytes b = {1, 1, 5, 34};
  for (uint32_t i = 1; i <= 8; ++i) b.insert(b.end(), {0, 0, 0, static_cast<uint8_t>(i)});
  TcpOptions o;
  ASSERT_EQ(parse(b, o), WireError::kOk);
  ASSERT_EQ(o.sack_count, 4);
  EXPECT_EQ(o.sack[3].left, 7u);
  EXPECT_EQ(o.sack[3].right, 8u);
}

TEST(TcpOptions, EolStopsAndWhatFollowsIsIgnored) {
  Bytes b = {2, 4, 0, 100, 0, 0xff, 0xff, 0xff};
  TcpOptions o;
  ASSERT_EQ(parse(b, o), WireError::kOk);
  EXPECT_EQ(o.mss, 100);
  EXPECT_FALSE(o.has_wscale);
}

TEST(TcpOptions, UnknownKindsAreSkippedByLength) {
  Bytes b = {253, 4, 0x12, 0x34, 30, 2, 2, 4, 0x02, 0x18};
  TcpOptions o;
  ASSERT_EQ(parse(b, o), WireError::kOk);
  EXPECT_TRUE(o.has_mss);
  EXPECT_EQ(o.mss, 536);
}

TEST(TcpOptions, ParsingResetsPreviousValues) {
  TcpOptions o = linux_syn();
  ASSERT_EQ(parse(Bytes{1, 1, 1, 1}, o), WireError::kOk);
  EXPECT_TRUE(tcp_options_equal(o, TcpOptions{}));
}

TEST(TcpOptions, LengthZeroOrOneIsBadLength) {
  TcpOptions o;
  EXPECT_EQ(parse(Bytes{2, 0, 0, 0}, o), WireError::kTcpOptionBadLength);
  EXPECT_EQ(parse(Bytes{2, 1, 0, 0}, o), WireError::kTcpOptionBadLength);
  EXPECT_EQ(parse(Bytes{99, 0, 1, 1}, o), WireError::kTcpOptionBadLength);  // unknown kind too
  EXPECT_EQ(parse(Bytes{1, 1, 99, 1}, o), WireError::kTcpOptionBadLength);
}

TEST(TcpOptions, PastTheHeaderIsOverrun) {
  TcpOptions o;
  EXPECT_EQ(parse(Bytes{1, 1, 1, 3, 3, 7}, o), WireError::kOk);
  EXPECT_EQ(parse(Bytes{1, 1, 1, 3, 4, 7}, o), WireError::kTcpOptionOverrun);
  EXPECT_EQ(parse(Bytes{1, 1, 1, 2}, o), WireError::kTcpOptionOverrun);  // no length byte
  EXPECT_EQ(parse(Bytes{8, 10, 0, 0}, o), WireError::kTcpOptionOverrun);
  EXPECT_EQ(parse(Bytes{99, 255, 0, 0}, o), WireError::kTcpOptionOverrun);
}

// A known kind with the wrong length is left out and the options after it still read (Linux's
// tcp_parse_options); the segment is not dropped for it.
TEST(TcpOptions, WrongLengthForAKnownKindIsLeftOut) {
  const Bytes ts_after = {8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
  const std::vector<Bytes> odd = {
      {2, 3, 0},                    // MSS
      {3, 4, 7, 1},                 // WS
      {4, 3, 0},                    // SACK_PERM
      {8, 8, 0, 0, 0, 0, 0, 0},     // TS
      {5, 2},                       // empty SACK
      {5, 6, 0, 0, 0, 0},           // SACK of less than a block
      {5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0},  // not 2 + 8n
  };
  for (const Bytes& b : odd) {
    Bytes all = b;
    all.insert(all.end(), ts_after.begin(), ts_after.end());
    TcpOptions o;
    ASSERT_EQ(parse(all, o), WireError::kOk) << int{b[0]} << " length " << int{b[1]};
    EXPECT_FALSE(o.has_mss || o.has_wscale || o.sack_permitted || o.sack_count) << int{b[0]};
    EXPECT_TRUE(o.has_timestamps) << int{b[0]};
    EXPECT_EQ(o.ts_val, 7u);
    EXPECT_EQ(o.ts_ecr, 9u);
  }
  TcpOptions o;  // the odd copy does not undo a good one before it
  ASSERT_EQ(parse(Bytes{2, 4, 5, 0xb4, 2, 3, 0}, o), WireError::kOk);
  EXPECT_TRUE(o.has_mss);
  EXPECT_EQ(o.mss, 1460);
}

TEST(TcpOptions, SynLayoutIsLinuxs) {
  // MSS, SACK_PERM, TS, NOP, WS: what `ss`/tcpdump shows for a Linux SYN.
  Bytes want = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
  EXPECT_EQ(write(linux_syn()), want);
}

TEST(TcpOptions, SynLayoutParsesAsTheLoopWould) {
  // The fast path's layout, and 20-byte near misses the loop takes.
  TcpOptions o;
  ASSERT_EQ(parse(Bytes{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 15}, o), WireError::kOk);
  EXPECT_TRUE(o.has_mss && o.sack_permitted && o.has_timestamps && o.has_wscale);
  EXPECT_EQ(o.mss, 1460);
  EXPECT_EQ(o.ts_val, 0x01020304u);
  EXPECT_EQ(o.ts_ecr, 0x05060708u);
  EXPECT_EQ(o.wscale, 15);  // as received (the clamp to 14 is lib/tcp's)
  EXPECT_EQ(o.sack_count, 0);
  ASSERT_EQ(parse(Bytes{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 3, 3, 7, 0}, o), WireError::kOk);
  EXPECT_TRUE(o.has_mss && o.sack_permitted && o.has_timestamps && o.has_wscale);
  EXPECT_EQ(o.wscale, 7);
  ASSERT_EQ(parse(Bytes{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 2, 0}, o), WireError::kOk);
  EXPECT_FALSE(o.has_wscale);  // wrong length: left out
  EXPECT_TRUE(o.has_mss && o.has_timestamps);
  ASSERT_EQ(parse(Bytes{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 7}, o), WireError::kOk);
  EXPECT_EQ(o.wscale, 7);
}

TEST(TcpOptions, SynLayoutsWithoutTimestampsOrSack) {
  TcpOptions o = linux_syn();
  o.has_timestamps = false;
  EXPECT_EQ(write(o), (Bytes{2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}));
  o = linux_syn();
  o.sack_permitted = false;
  EXPECT_EQ(write(o), (Bytes{2, 4, 0x05, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7}));
  TcpOptions mss_only;
  mss_only.has_mss = true;
  mss_only.mss = 536;
  EXPECT_EQ(write(mss_only), (Bytes{2, 4, 0x02, 0x18}));
}

TEST(TcpOptions, DataLayoutIsNopNopTimestamps) {
  TcpOptions o;
  o.has_timestamps = true;
  o.ts_val = 0x0a0b0c0d;
  o.ts_ecr = 0x01020304;
  EXPECT_EQ(write(o), (Bytes{1, 1, 8, 10, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4}));
  EXPECT_TRUE(write(TcpOptions{}).empty());
}

TEST(TcpOptions, SackBlocksFollowTimestampsAndAreCappedAtThree) {
  TcpOptions o;
  o.has_timestamps = true;
  o.sack_count = 4;
  for (int i = 0; i < 4; ++i) o.sack[i] = {uint32_t(100 * i + 1), uint32_t(100 * i + 50)};
  EXPECT_EQ(tcp_options_sack_fit(o), 3);
  Bytes b = write(o);
  ASSERT_EQ(b.size(), 40u);
  EXPECT_EQ((Bytes(b.begin() + 12, b.begin() + 16)), (Bytes{1, 1, 5, 26}));
  TcpOptions back;
  ASSERT_EQ(parse(b, back), WireError::kOk);
  ASSERT_EQ(back.sack_count, 3);
  EXPECT_EQ(back.sack[2].left, 201u);
  EXPECT_EQ(back.sack[2].right, 250u);
  o.has_timestamps = false;
  EXPECT_EQ(tcp_options_sack_fit(o), 4);
  EXPECT_EQ(write(o).size(), 36u);
}

TEST(TcpOptions, WriteRefusesAShortBuffer) {
  uint8_t buf[19];
  EXPECT_EQ(write_tcp_options(buf, sizeof buf, linux_syn()), 0u);
}

TEST(TcpOptions, WriteThenParseRoundTripsEveryCombination) {
  for (int mask = 0; mask < 32; ++mask) {
    TcpOptions o;
    o.has_mss = mask & 1;
    o.mss = 1400;
    o.sack_permitted = mask & 2;
    o.has_timestamps = mask & 4;
    o.ts_val = 77;
    o.ts_ecr = 88;
    o.has_wscale = mask & 8;
    o.wscale = 9;
    if (mask & 16) {
      o.sack_count = 4;
      for (int i = 0; i < 4; ++i) o.sack[i] = {uint32_t(i * 10), uint32_t(i * 10 + 5)};
    }
    Bytes b = write(o);
    EXPECT_EQ(b.size() % 4, 0u);
    TcpOptions back;
    ASSERT_EQ(parse(b, back), WireError::kOk) << mask;
    TcpOptions want = o;
    want.sack_count = static_cast<uint8_t>(tcp_options_sack_fit(o));
    EXPECT_TRUE(tcp_options_equal(back, want)) << mask;
  }
}

}  // namespace
}  // namespace ts::wire
