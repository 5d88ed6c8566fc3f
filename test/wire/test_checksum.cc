#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "reference_frames.h"
#include "wire/bytes.h"
#include "wire/checksum.h"

namespace ts::wire {
namespace {

// The textbook definition, word by word, to check the fast one against.
uint16_t slow_sum(const uint8_t* p, size_t len) {
  uint64_t s = 0;
  for (size_t i = 0; i + 1 < len; i += 2) s += (uint32_t{p[i]} << 8) | p[i + 1];
  if (len & 1) s += uint32_t{p[len - 1]} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

TEST(Bytes, BigEndianLoadsAndStoresAtAnyAlignment) {
  uint8_t buf[8] = {};
  store_be16(buf + 1, 0x1234);
  store_be32(buf + 3, 0xa1b2c3d4);
  const uint8_t want[8] = {0, 0x12, 0x34, 0xa1, 0xb2, 0xc3, 0xd4, 0};
  EXPECT_EQ(0, memcmp(buf, want, 8));
  EXPECT_EQ(load_be16(buf + 1), 0x1234);
  EXPECT_EQ(load_be32(buf + 3), 0xa1b2c3d4u);
}

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2.
  const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_fold(checksum_partial(d, sizeof d)), 0xddf2);
  EXPECT_EQ(checksum_finish(checksum_partial(d, sizeof d)), 0x220d);
}

TEST(Checksum, OddLengthPadsTheLastByteAsHighHalf) {
  const uint8_t d[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(checksum_fold(checksum_partial(d, 3)), 0x1234 + 0x5600);
}

TEST(Checksum, EmptyIsZero) { EXPECT_EQ(checksum_partial(nullptr, 0), 0u); }

TEST(Checksum, MatchesWordByWordAtEveryLengthAndAlignment) {
  std::mt19937 rng(1071);
  std::vector<uint8_t> buf(1600);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t off = 0; off < 8; ++off)
    for (size_t len = 0; len <= 1500; len += (len < 80 ? 1 : 37))
      ASSERT_EQ(checksum_fold(checksum_partial(&buf[off], len)), slow_sum(&buf[off], len))
          << "off " << off << " len " << len;
}

TEST(Checksum, AllOnesDataDoesNotOverflow) {
  std::vector<uint8_t> buf(65535, 0xff);
  EXPECT_EQ(checksum_fold(checksum_partial(buf.data(), buf.size())),
            slow_sum(buf.data(), buf.size()));
  // Every tail shape with every carry it can raise (the bulk and the tail add with end-around
  // carry), with a running sum chained in.
  for (size_t len = 0; len <= 96; ++len)
    ASSERT_EQ(checksum_fold(checksum_partial(buf.data() + 1, len, 0xffff)),
              checksum_fold(uint64_t{slow_sum(buf.data() + 1, len)} + 0xffff))
        << "len " << len;
}

TEST(Checksum, ChainedEvenPiecesEqualOneSum) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(301);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  uint32_t s = checksum_partial(buf.data(), 100);
  s = checksum_partial(buf.data() + 100, 200, s);
  s = checksum_partial(buf.data() + 300, 1, s);
  EXPECT_EQ(checksum_fold(s), slow_sum(buf.data(), buf.size()));
}

// ipv4_header_checksum sums a 20-byte header on its own path: the same as the general sum, for
// random and all-ones headers (every carry), at every alignment, and for lengths with options.
TEST(Checksum, Ipv4HeaderFastPathMatchesTheGeneralSum) {
  std::mt19937 rng(791);
  std::vector<uint8_t> buf(80);
  for (int round = 0; round < 2000; ++round) {
    for (auto& b : buf) b = round == 0 ? 0xff : static_cast<uint8_t>(rng());
    for (size_t off = 0; off < 8; ++off)
      for (size_t len = 20; len <= 60; len += 4)
        ASSERT_EQ(ipv4_header_checksum(&buf[off], len), static_cast<uint16_t>(~slow_sum(&buf[off], len)))
            << "round " << round << " off " << off << " len " << len;
  }
}

// The fast path's verdict on a 20-byte header against ipv4_header_checksum's: random, all-ones
// and all-zero headers, at every alignment, with the checksum field right, off by one, and
// each of the two representations of zero.
TEST(Checksum, Ipv4Header20OkAgreesWithTheChecksum) {
  std::mt19937 rng(1071);
  std::vector<uint8_t> buf(28);
  for (int round = 0; round < 3000; ++round)
    for (size_t off = 0; off < 8; ++off) {
      for (auto& b : buf) b = round == 0 ? 0xff : round == 1 ? 0 : static_cast<uint8_t>(rng());
      uint8_t* h = &buf[off];
      store_be16(h + 10, 0);
      const uint16_t right = ipv4_header_checksum(h, 20);
      for (uint16_t c : {right, static_cast<uint16_t>(right + 1), uint16_t{0}, uint16_t{0xffff}}) {
        store_be16(h + 10, c);
        ASSERT_EQ(ipv4_header20_ok(h), ipv4_header_checksum(h, 20) == 0)
            << "round " << round << " off " << off << " checksum " << c;
      }
    }
}

TEST(Checksum, ReferenceIpv4HeaderVerifiesAndRecomputes) {
  std::vector<uint8_t> ip(testdata::kLinuxSyn + 14, testdata::kLinuxSyn + 34);
  EXPECT_EQ(ipv4_header_checksum(ip.data(), 20), 0);
  store_be16(&ip[10], 0);
  EXPECT_EQ(ipv4_header_checksum(ip.data(), 20), 0x924e);  // what scapy wrote
}

TEST(Checksum, ReferenceTcpSegmentVerifiesAndRecomputes) {
  const uint32_t src = 0xc6120001, dst = 0xc6120002;
  std::vector<uint8_t> seg(testdata::kDataPsh + 34, testdata::kDataPsh + sizeof testdata::kDataPsh);
  EXPECT_EQ(tcp_checksum(src, dst, seg.data(), seg.size()), 0);
  uint16_t want = load_be16(&seg[16]);
  store_be16(&seg[16], 0);
  EXPECT_EQ(tcp_checksum(src, dst, seg.data(), seg.size()), want);
  // Swapping the addresses keeps the pseudo-header sum: the checksum does not notice.
  store_be16(&seg[16], want);
  EXPECT_EQ(tcp_checksum(dst, src, seg.data(), seg.size()), 0);
  EXPECT_NE(tcp_checksum(src, dst + 1, seg.data(), seg.size()), 0);
}

// The receive path's verdict, the pseudo-header summed from the IPv4 header's bytes, against
// tcp_checksum's: at every length (odd ones too) and alignment, with the checksum field right,
// off by one, complemented, and each of the two representations of zero.
TEST(Checksum, TcpChecksumOkFromTheIpHeaderAgreesWithTcpChecksum) {
  std::mt19937 rng(9293);
  std::vector<uint8_t> buf(20 + 1600 + 8);
  for (size_t off = 0; off < 4; ++off)
    for (size_t len = 20; len <= 1500; len += (len < 80 ? 1 : 29)) {
      for (auto& b : buf) b = static_cast<uint8_t>(rng());
      uint8_t* ip = &buf[off];
      uint8_t* seg = ip + 20;
      const uint32_t src = load_be32(ip + 12), dst = load_be32(ip + 16);
      store_be16(seg + 16, 0);
      const uint16_t right = tcp_checksum(src, dst, seg, len);
      for (uint16_t c : {right, static_cast<uint16_t>(right + 1), static_cast<uint16_t>(~right),
                         uint16_t{0}, uint16_t{0xffff}}) {
        store_be16(seg + 16, c);
        ASSERT_EQ(tcp_checksum_ok(ip, seg, len), tcp_checksum(src, dst, seg, len) == 0)
            << "off " << off << " len " << len << " checksum " << c;
      }
      store_be16(seg + 16, right);
      ASSERT_TRUE(tcp_checksum_ok(ip, seg, len)) << "len " << len;
    }
}

TEST(Checksum, PseudoHeaderSeedPlusSegmentSumIsTheFullChecksum) {
  // What a NIC with TX offload does: sum the segment whose checksum field holds the seed.
  const uint32_t src = 0xc6120001, dst = 0xc6120002;
  std::vector<uint8_t> seg(testdata::kDataPsh + 34, testdata::kDataPsh + sizeof testdata::kDataPsh);
  uint16_t want = load_be16(&seg[16]);
  uint16_t seed = tcp_pseudo_header_checksum(src, dst, static_cast<uint16_t>(seg.size()));
  EXPECT_EQ(seed, checksum_fold((0xc612 + 0x0001 + 0xc612 + 0x0002 + 6 + seg.size())));
  store_be16(&seg[16], seed);
  EXPECT_EQ(checksum_finish(checksum_partial(seg.data(), seg.size())), want);
}

TEST(Checksum, IncrementalUpdateEqualsRecomputationOverRandomData) {
  std::mt19937 rng(1624);
  std::vector<uint8_t> buf(1500);
  for (int round = 0; round < 2000; ++round) {
    size_t len = 8 + rng() % (buf.size() - 8);
    for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(rng());
    uint16_t csum = checksum_finish(checksum_partial(buf.data(), len));
    size_t at = (rng() % ((len - 4) / 2)) * 2;
    if (round % 2) {
      uint16_t old_v = load_be16(&buf[at]), new_v = static_cast<uint16_t>(rng());
      store_be16(&buf[at], new_v);
      csum = checksum_update16(csum, old_v, new_v);
    } else {
      uint32_t old_v = load_be32(&buf[at]), new_v = static_cast<uint32_t>(rng());
      store_be32(&buf[at], new_v);
      csum = checksum_update32(csum, old_v, new_v);
    }
    ASSERT_EQ(csum, checksum_finish(checksum_partial(buf.data(), len))) << "round " << round;
  }
}

TEST(Checksum, IncrementalUpdateOfATtlKeepsTheIpHeaderValid) {
  std::vector<uint8_t> ip(testdata::kLinuxSyn + 14, testdata::kLinuxSyn + 34);
  uint16_t old_word = load_be16(&ip[8]);  // TTL and protocol share a word
  ip[8] -= 1;
  uint16_t c = checksum_update16(load_be16(&ip[10]), old_word, load_be16(&ip[8]));
  store_be16(&ip[10], c);
  EXPECT_EQ(ipv4_header_checksum(ip.data(), 20), 0);
}

}  // namespace
}  // namespace ts::wire
