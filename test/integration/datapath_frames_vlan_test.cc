// The stack on a trunk port, on VLAN 100 ([port] vlan): frames tagged 100 are taken, every
// other frame dropped and counted (drop_eth_vlan), and every frame sent carries the tag: the
// announcement, ARP and echo replies, RSTs, a whole HTTP exchange. The in-memory port offers no
// VLAN offload: this is the software path (lib/dpdk/vlan.h).
#include <gtest/gtest.h>

#include "frames_harness.h"

namespace ts {
namespace {

using namespace frames;

constexpr uint16_t kVid = 100;

class FramesVlan : public Frames {
 protected:
  FramesVlan() {
    profile_tweak_ = [](dpdk::Profile& p) { p.port.vlan = kVid; };
    tweak_ = [](wire::TcpFrameSpec& s) { tag(s, 0x2000 | kVid); };  // PCP 1: a priority is no other VLAN
    on_sent_ = expect_our_tag;  // every frame take() sees, whatever the test looks at
  }
  static void tag(wire::TcpFrameSpec& s, uint16_t tci) {
    s.has_vlan = true;
    s.vlan_tci = tci;
  }
  // `b` (untagged) with an 802.1Q tag put in after the MACs, as a switch's trunk port does.
  static std::vector<uint8_t> tagged(std::vector<uint8_t> b, uint16_t tci) {
    const uint8_t tag[4] = {0x81, 0x00, static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)};
    b.insert(b.begin() + 12, tag, tag + 4);
    return b;
  }
  static std::vector<Out> of_kind(const std::vector<Out>& out, wire::FrameKind k) {
    std::vector<Out> r;
    for (const Out& o : out)
      if (o.f.kind == k) r.push_back(o);
    return r;
  }
  // A frame the stack sent carries our VLAN's tag, the priority 0.
  static void expect_our_tag(const Out& o) {
    EXPECT_TRUE(o.f.eth.has_vlan);
    EXPECT_EQ(o.f.eth.vlan_tci, kVid);
    EXPECT_EQ(wire::load_be16(&o.bytes[12]), wire::kEtherTypeVlan);
  }
};

TEST_F(FramesVlan, the_announcement_carries_our_tag) {
  ASSERT_EQ(announcement_.size(), 1u);
  EXPECT_EQ(announcement_[0].f.kind, wire::FrameKind::kArp);  // take() checked its tag
}

// The SYN-ACK goes to the SYN's MAC while ARP, asked about the peer, has not answered yet: the
// ARP request is tagged too.
TEST_F(FramesVlan, a_syn_tagged_with_our_vlan_gets_a_syn_ack_tagged_with_it) {
  auto s = syn(80, 5000);
  inject(s.data(), s.size());
  auto out = take();
  auto tcp = of_kind(out, wire::FrameKind::kIpv4Tcp);
  ASSERT_EQ(tcp.size(), 1u);
  EXPECT_EQ(tcp[0].f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(tcp[0].f.tcp.ack, 5001u);
  EXPECT_EQ(tcp[0].f.eth.dst, kPeerMac);
  auto arp = of_kind(out, wire::FrameKind::kArp);
  ASSERT_EQ(arp.size(), 1u);
  EXPECT_EQ(arp[0].f.arp.op, wire::kArpOpRequest);
  EXPECT_EQ(arp[0].f.arp.tpa, kPeerIp);
  EXPECT_EQ(count(Counter::drop_eth_vlan), 0u);
}

// Another VLAN's frames, untagged ones and priority-tagged ones (VLAN id 0, untagged for
// 802.1Q) are not on our VLAN: nothing answers them, ARP included, and each is counted.
TEST_F(FramesVlan, untagged_and_other_vlans_frames_are_dropped_and_counted) {
  tweak_ = nullptr;
  auto untagged = syn(80, 1000);
  inject(untagged.data(), untagged.size());
  tweak_ = [](wire::TcpFrameSpec& s) { tag(s, 7); };
  auto other = syn(80, 2000);
  inject(other.data(), other.size());
  tweak_ = [](wire::TcpFrameSpec& s) { tag(s, 0xa000); };  // PCP 5, VLAN 0
  auto prio = syn(80, 3000);
  inject(prio.data(), prio.size());
  std::vector<uint8_t> arp(64);
  wire::EtherHeader eth;
  eth.src = kPeerMac;
  arp.resize(wire::build_arp_request(arp.data(), arp.size(), eth, kPeerIp, kOurIp));
  inject(arp.data(), arp.size());
  auto ping = tagged(echo_request(1, 1, "x"), kVid + 1);
  inject(ping.data(), ping.size());
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(count(Counter::drop_eth_vlan), 5u);
  EXPECT_EQ(count(Counter::rx_packets), 5u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u);
  wire::Mac m;
  EXPECT_NE(stack_->datapath().arp().lookup(kPeerIp, now_, &m), dpdk::ArpCache::Result::kHit);
}

TEST_F(FramesVlan, arp_and_echo_replies_carry_our_tag) {
  std::vector<uint8_t> b(64);
  wire::EtherHeader eth;
  eth.src = kPeerMac;
  eth.has_vlan = true;
  eth.vlan_tci = kVid;
  b.resize(wire::build_arp_request(b.data(), b.size(), eth, kPeerIp, kOurIp));
  inject(b.data(), b.size());
  auto out = take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.kind, wire::FrameKind::kArp);
  EXPECT_EQ(out[0].f.arp.op, wire::kArpOpReply);
  EXPECT_EQ(out[0].f.arp.tha, kPeerMac);

  auto req = tagged(echo_request(0x1234, 7, "turnstile ping data"), kVid);
  inject(req.data(), req.size());
  out = take();
  ASSERT_EQ(out.size(), 1u);
  const wire::Frame& f = out[0].f;  // parse_frame verified the checksums past the tag
  ASSERT_EQ(f.kind, wire::FrameKind::kIpv4Icmp);
  EXPECT_EQ(f.icmp.type, wire::kIcmpEchoReply);
  EXPECT_EQ(f.icmp.seq, 7);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&out[0].bytes[f.payload_off]), f.payload_len),
            "turnstile ping data");
  EXPECT_EQ(count(Counter::drop_eth_vlan), 0u);
}

TEST_F(FramesVlan, a_rst_for_a_closed_port_carries_our_tag) {
  auto s = syn(81, 1000);
  inject(s.data(), s.size());
  auto out = take();
  ASSERT_EQ(out.size(), 1u);  // a RST answers in place, with no ARP
  EXPECT_EQ(out[0].f.tcp.flags, wire::tcp_flags::kRst | wire::tcp_flags::kAck);
}

// rx_bytes and tx_bytes count frames as they crossed the wire, tags and all: a switch's port
// counters and ours agree, whichever of them took the tag off.
TEST_F(FramesVlan, byte_counters_count_the_tag_both_ways) {
  const uint64_t rx0 = count(Counter::rx_bytes), tx0 = count(Counter::tx_bytes);
  auto s = syn(80, 1000);
  tweak_ = [](wire::TcpFrameSpec& f) { tag(f, 7); };
  auto other = syn(80, 2000);  // another VLAN's: dropped, counted all the same
  inject(s.data(), s.size());
  inject(other.data(), other.size());
  auto out = take();
  ASSERT_FALSE(out.empty());
  size_t sent = 0;
  for (const Out& o : out) sent += o.bytes.size();  // take() checked each one's tag
  poll();
  EXPECT_EQ(count(Counter::rx_bytes) - rx0, s.size() + other.size());
  EXPECT_EQ(count(Counter::tx_bytes) - tx0, sent);
  EXPECT_EQ(count(Counter::drop_eth_vlan), 1u);
}

class FramesVlanHttp : public FramesVlan {
 protected:
  FramesVlanHttp() {
    factory_ = [](unsigned) { return server::make_handler(server::Mode::kHttp, "on vlan 100"); };
  }
};

// Handshake, a request answered with a server-first close, the peer's FIN: every frame of ours
// is tagged (take() checks), and checksums (verified by take()) hold past the tag.
TEST_F(FramesVlanHttp, a_whole_http_exchange_carries_our_tag) {
  using namespace wire::tcp_flags;
  const uint32_t iss = open(80, 100, false);
  const std::string get = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  auto req = segment(80, 101, iss + 1, kAck | kPsh, get);
  inject(req.data(), req.size());
  auto out = take_tcp();
  ASSERT_FALSE(out.empty());
  std::string answer;
  uint32_t next = iss + 1;
  bool fin = false;
  for (const Out& o : out) {
    answer.append(reinterpret_cast<const char*>(&o.bytes[o.f.payload_off]), o.f.payload_len);
    next = o.f.tcp.seq + o.f.tcp.seg_len();
    fin |= o.f.tcp.has(kFin);
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("on vlan 100"), std::string::npos) << answer;
  ASSERT_TRUE(fin) << "Connection: close: the server closes first";
  const uint32_t peer_next = 101 + static_cast<uint32_t>(get.size());
  auto fin_ack = segment(80, peer_next, next, kAck | kFin, "");
  inject(fin_ack.data(), fin_ack.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.flags, kAck);
  EXPECT_EQ(out[0].f.tcp.ack, peer_next + 1);
  EXPECT_EQ(count(Counter::drop_eth_vlan), 0u);
  EXPECT_EQ(count(Counter::tcp_rst_out), 0u);
}

}  // namespace
}  // namespace ts
