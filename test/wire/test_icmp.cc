#include <gtest/gtest.h>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/frame.h"
#include "wire/icmp.h"

namespace ts::wire {
namespace {

using namespace testutil;


TEST(Icmp, ParsesTheReferenceEchoRequest) {
  IcmpHeader h;
  ASSERT_EQ(parse_icmp(testdata::kIcmpEcho + 34, 64, h), WireError::kOk);
  EXPECT_EQ(h.type, kIcmpEchoRequest);
  EXPECT_EQ(h.code, 0);
  EXPECT_EQ(h.id, 0x1234);
  EXPECT_EQ(h.seq, 1);
}

TEST(Icmp, TruncatedAndBadChecksum) {
  IcmpHeader h;
  for (size_t n = 0; n < 8; ++n)
    EXPECT_EQ(parse_icmp(testdata::kIcmpEcho + 34, n, h), WireError::kIcmpTruncated) << n;
  Bytes f = copy(testdata::kIcmpEcho);
  f.back() ^= 1;
  EXPECT_EQ(parse_icmp(&f[34], 64, h), WireError::kIcmpBadChecksum);
}

TEST(Icmp, EchoReplyFrameAnswersPing) {
  Frame req;
  ASSERT_EQ(parse_frame(testdata::kIcmpEcho, sizeof testdata::kIcmpEcho, 0, req), WireError::kOk);
  ASSERT_EQ(req.kind, FrameKind::kIpv4Icmp);
  uint8_t buf[128];
  ASSERT_EQ(build_echo_reply_frame(buf, sizeof buf, testdata::kIcmpEcho, req, kServerMac, 0x4321), 98u);
  Frame rep;
  ASSERT_EQ(parse_frame(buf, 98, 0, rep), WireError::kOk);
  EXPECT_EQ(rep.ip.id, 0x4321);  // DF clear: an id of its own (RFC 6864)
  EXPECT_FALSE(rep.ip.df);
  EXPECT_EQ(rep.kind, FrameKind::kIpv4Icmp);
  EXPECT_EQ(rep.eth.src, kServerMac);
  EXPECT_EQ(rep.eth.dst, req.eth.src);
  EXPECT_EQ(rep.ip.src, kServerIp);
  EXPECT_EQ(rep.ip.dst, kClientIp);
  EXPECT_EQ(rep.icmp.type, kIcmpEchoReply);
  EXPECT_EQ(rep.icmp.id, 0x1234);
  EXPECT_EQ(rep.icmp.seq, 1);
  ASSERT_EQ(rep.payload_len, 56);
  EXPECT_EQ(0, memcmp(buf + rep.payload_off, testdata::kIcmpEcho + 42, 56));
  EXPECT_EQ(build_echo_reply_frame(buf, 97, testdata::kIcmpEcho, req, kServerMac), 0u);
}

TEST(Icmp, EchoReplyInPlaceOverARequestWithIpOptions) {
  // A request with 8 bytes of IP options: the reply (no options) moves the data forward.
  Bytes f = copy(testdata::kIcmpEcho);
  const uint8_t opt[8] = {1, 1, 1, 1, 1, 1, 1, 0};
  f.insert(f.begin() + 34, opt, opt + 8);
  f[kL3] = 0x47;
  store_be16(&f[kL3 + 2], static_cast<uint16_t>(f.size() - kL3));
  fix_ip_checksum(f);
  Frame req;
  ASSERT_EQ(parse_frame(f.data(), f.size(), 0, req), WireError::kOk);
  size_t n = build_echo_reply_frame(f.data(), f.size(), f.data(), req, kServerMac);
  ASSERT_EQ(n, 98u);
  Frame rep;
  ASSERT_EQ(parse_frame(f.data(), n, 0, rep), WireError::kOk);
  EXPECT_EQ(rep.icmp.type, kIcmpEchoReply);
  EXPECT_EQ(0, memcmp(f.data() + rep.payload_off, testdata::kIcmpEcho + 42, 56));
}

TEST(Icmp, OnlyEchoRequestsGetAReply) {
  Bytes f = copy(testdata::kIcmpEcho);
  f[34] = kIcmpEchoReply;
  store_be16(&f[36], 0);
  store_be16(&f[36], checksum_finish(checksum_partial(&f[34], 64)));
  Frame fr;
  ASSERT_EQ(parse_frame(f.data(), f.size(), 0, fr), WireError::kOk);
  EXPECT_EQ(fr.icmp.type, kIcmpEchoReply);
  uint8_t buf[128];
  EXPECT_EQ(build_echo_reply_frame(buf, sizeof buf, f.data(), fr, kServerMac), 0u);
}

TEST(Icmp, BroadcastPingsGoUnanswered) {
  Bytes f = copy(testdata::kIcmpEcho);
  store_be32(&f[kL3 + 16], 0xffffffff);  // not traffic: a parse-and-build check only
  fix_ip_checksum(f);
  Frame req;
  ASSERT_EQ(parse_frame(f, 0, req), WireError::kOk);
  uint8_t buf[128];
  EXPECT_EQ(build_echo_reply_frame(buf, sizeof buf, f.data(), req, kServerMac), 0u);
}

}  // namespace
}  // namespace ts::wire
