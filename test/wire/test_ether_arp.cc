#include <gtest/gtest.h>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/arp.h"
#include "wire/ether.h"
#include "wire/frame.h"

namespace ts::wire {
namespace {

using namespace testutil;


TEST(Ether, ParsesAnUntaggedHeader) {
  EtherHeader h;
  ASSERT_EQ(parse_ether(testdata::kLinuxSyn, sizeof testdata::kLinuxSyn, h), WireError::kOk);
  EXPECT_EQ(h.dst, kServerMac);
  EXPECT_EQ(h.src, kClientMac);
  EXPECT_EQ(h.type, kEtherTypeIpv4);
  EXPECT_FALSE(h.has_vlan);
  EXPECT_EQ(h.len, 14);
}

TEST(Ether, ParsesOne8021QTag) {
  EtherHeader h;
  ASSERT_EQ(parse_ether(testdata::kVlanSyn, sizeof testdata::kVlanSyn, h), WireError::kOk);
  EXPECT_TRUE(h.has_vlan);
  EXPECT_EQ(h.vlan_tci, (3 << 13) | 100);  // priority 3, VLAN 100
  EXPECT_EQ(h.type, kEtherTypeIpv4);
  EXPECT_EQ(h.len, 18);
}

TEST(Ether, ReportsStackedTagsAsUnsupported) {
  Bytes f = copy(testdata::kVlanSyn);
  store_be16(&f[16], kEtherTypeVlan);  // a second 802.1Q tag
  EtherHeader h;
  EXPECT_EQ(parse_ether(f.data(), f.size(), h), WireError::kEthVlanUnsupported);
  store_be16(&f[12], kEtherTypeQinQ);
  EXPECT_EQ(parse_ether(f.data(), f.size(), h), WireError::kEthVlanUnsupported);
}

TEST(Ether, TruncatedHeaderAndTag) {
  EtherHeader h;
  for (size_t n = 0; n < 14; ++n)
    EXPECT_EQ(parse_ether(testdata::kLinuxSyn, n, h), WireError::kEthTruncated) << n;
  for (size_t n = 14; n < 18; ++n)
    EXPECT_EQ(parse_ether(testdata::kVlanSyn, n, h), WireError::kEthTruncated) << n;
}

TEST(Ether, BuildWritesWhatParseReads) {
  EtherHeader h;
  h.dst = kServerMac;
  h.src = kClientMac;
  h.type = kEtherTypeArp;
  h.has_vlan = true;
  h.vlan_tci = 0x0123;
  uint8_t buf[18];
  EXPECT_EQ(build_ether(buf, 17, h), 0u);
  ASSERT_EQ(build_ether(buf, sizeof buf, h), 18u);
  const uint8_t want[18] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x01, 0x23, 0x08, 0x06};
  EXPECT_EQ(0, memcmp(buf, want, 18));
}

// A port on VLAN 100: the tag is ours whatever its priority; another id, no tag, a frame too
// short to hold one are not.
TEST(Vlan, TaggedWithReadsTheIdAlone) {
  EXPECT_TRUE(vlan_tagged_with(testdata::kVlanSyn, sizeof testdata::kVlanSyn, 100));  // priority 3
  EXPECT_FALSE(vlan_tagged_with(testdata::kVlanSyn, sizeof testdata::kVlanSyn, 101));
  EXPECT_FALSE(vlan_tagged_with(testdata::kVlanSyn, 17, 100));
  EXPECT_FALSE(vlan_tagged_with(testdata::kLinuxSyn, sizeof testdata::kLinuxSyn, 0));
  Bytes qinq = copy(testdata::kVlanSyn);
  store_be16(&qinq[12], kEtherTypeQinQ);
  EXPECT_FALSE(vlan_tagged_with(qinq.data(), qinq.size(), 100));
}

// Stripped, the tagged SYN is the same SYN untagged (its checksums untouched); tagged again, it
// is the frame scapy wrote, byte for byte.
TEST(Vlan, StripThenInsertGivesTheFrameBack) {
  Bytes f = copy(testdata::kVlanSyn);
  uint8_t* untagged = strip_vlan_tag(f.data());
  ASSERT_EQ(untagged, f.data() + 4);
  const size_t n = f.size() - 4;
  Frame u;
  ASSERT_EQ(parse_frame(untagged, n, 0, u), WireError::kOk);
  EXPECT_FALSE(u.eth.has_vlan);
  EXPECT_EQ(u.eth.dst, kServerMac);
  EXPECT_EQ(u.eth.src, kClientMac);
  EXPECT_EQ(u.kind, FrameKind::kIpv4Tcp);
  EXPECT_EQ(u.tcp.dport, 443);
  EXPECT_EQ(0, memcmp(untagged + 12, testdata::kVlanSyn + 16, n - 12));
  uint8_t* tagged = insert_vlan_tag(untagged, (3 << 13) | 100);
  ASSERT_EQ(tagged, f.data());
  EXPECT_EQ(f, copy(testdata::kVlanSyn));
}

TEST(Vlan, InsertPutsTheTagAfterTheMacs) {
  Bytes f(4);  // the room before the frame
  f.insert(f.end(), testdata::kLinuxSyn, testdata::kLinuxSyn + sizeof testdata::kLinuxSyn);
  uint8_t* p = insert_vlan_tag(f.data() + 4, 7);
  ASSERT_EQ(p, f.data());
  Frame t;
  ASSERT_EQ(parse_frame(p, f.size(), 0, t), WireError::kOk);
  EXPECT_TRUE(t.eth.has_vlan);
  EXPECT_EQ(t.eth.vlan_tci, 7);
  EXPECT_EQ(t.eth.dst, kServerMac);
  EXPECT_EQ(t.eth.src, kClientMac);
  EXPECT_EQ(t.kind, FrameKind::kIpv4Tcp);
  EXPECT_TRUE(vlan_tagged_with(p, f.size(), 7));
  EXPECT_EQ(0, memcmp(p + 16, testdata::kLinuxSyn + 12, sizeof testdata::kLinuxSyn - 12));
}

TEST(Mac, Predicates) {
  EXPECT_TRUE(Mac::broadcast().is_broadcast());
  EXPECT_TRUE(Mac::broadcast().is_multicast());
  EXPECT_FALSE(kClientMac.is_multicast());
  EXPECT_TRUE((Mac{{0x01, 0x00, 0x5e, 0, 0, 1}}).is_multicast());
  EXPECT_TRUE(Mac{}.is_zero());
}

TEST(Mac, EqualOnlyWhenAllSixBytesAre) {
  const Mac a{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
  EXPECT_EQ(a, a);
  static_assert(Mac::broadcast() == Mac::broadcast());  // still usable in constant expressions
  for (int i = 0; i < 6; ++i) {
    Mac b = a;
    b.b[i] ^= 0x80;
    EXPECT_NE(a, b) << "byte " << i;
  }
}

TEST(Arp, ParsesTheReferenceRequest) {
  ArpPacket a;
  ASSERT_EQ(parse_arp(testdata::kArpRequest + 14, 28, a), WireError::kOk);
  EXPECT_EQ(a.op, kArpOpRequest);
  EXPECT_EQ(a.sha, kClientMac);
  EXPECT_EQ(a.spa, kClientIp);
  EXPECT_EQ(a.tha, Mac{});
  EXPECT_EQ(a.tpa, kServerIp);
}

TEST(Arp, Errors) {
  ArpPacket a;
  for (size_t n = 0; n < 28; ++n)
    EXPECT_EQ(parse_arp(testdata::kArpRequest + 14, n, a), WireError::kArpTruncated) << n;
  for (size_t at : {0u, 2u, 4u, 5u}) {  // hardware type, protocol type, address lengths
    Bytes f = copy(testdata::kArpRequest);
    f[14 + at + (at < 4 ? 1 : 0)] ^= 0x10;
    EXPECT_EQ(parse_arp(&f[14], 28, a), WireError::kArpUnsupported) << at;
  }
  Bytes f = copy(testdata::kArpRequest);
  store_be16(&f[20], 3);  // RARP request
  EXPECT_EQ(parse_arp(&f[14], 28, a), WireError::kArpBadOp);
}

TEST(Arp, BuiltRequestMatchesScapyByteForByte) {
  EtherHeader me;
  me.src = kClientMac;
  uint8_t buf[64];
  ASSERT_EQ(build_arp_request(buf, sizeof buf, me, kClientIp, kServerIp), 42u);
  EXPECT_EQ(0, memcmp(buf, testdata::kArpRequest, 42));
  EXPECT_EQ(build_arp_request(buf, 41, me, kClientIp, kServerIp), 0u);
}

TEST(Arp, ReplyAnswersTheRequester) {
  ArpPacket req;
  ASSERT_EQ(parse_arp(testdata::kArpRequest + 14, 28, req), WireError::kOk);
  EtherHeader me;
  me.src = kServerMac;
  uint8_t buf[64];
  ASSERT_EQ(build_arp_reply(buf, sizeof buf, me, req), 42u);
  EtherHeader eth;
  ArpPacket rep;
  ASSERT_EQ(parse_ether(buf, 42, eth), WireError::kOk);
  EXPECT_EQ(eth.dst, kClientMac);
  EXPECT_EQ(eth.src, kServerMac);
  EXPECT_EQ(eth.type, kEtherTypeArp);
  ASSERT_EQ(parse_arp(buf + 14, 28, rep), WireError::kOk);
  EXPECT_EQ(rep.op, kArpOpReply);
  EXPECT_EQ(rep.sha, kServerMac);
  EXPECT_EQ(rep.spa, kServerIp);
  EXPECT_EQ(rep.tha, kClientMac);
  EXPECT_EQ(rep.tpa, kClientIp);
}

TEST(Arp, GratuitousAnnouncesOwnAddressToBroadcastOnTheVlan) {
  EtherHeader me;
  me.src = kServerMac;
  me.has_vlan = true;
  me.vlan_tci = 7;
  uint8_t buf[64];
  ASSERT_EQ(build_gratuitous_arp(buf, sizeof buf, me, kServerIp), 46u);
  EtherHeader eth;
  ArpPacket a;
  ASSERT_EQ(parse_ether(buf, 46, eth), WireError::kOk);
  EXPECT_TRUE(eth.dst.is_broadcast());
  EXPECT_EQ(eth.vlan_tci, 7);
  ASSERT_EQ(parse_arp(buf + eth.len, 28, a), WireError::kOk);
  EXPECT_EQ(a.op, kArpOpRequest);
  EXPECT_EQ(a.spa, kServerIp);
  EXPECT_EQ(a.tpa, kServerIp);
  EXPECT_EQ(a.sha, kServerMac);
}

}  // namespace
}  // namespace ts::wire
