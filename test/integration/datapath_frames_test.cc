// One stack on an unconnected in-memory port: frames go in as a NIC would deliver them, and the
// test reads the bytes the stack transmits. ARP, ICMP echo, IPv4 validation with its drop
// counters, RST for a closed port, SYN-ACK for a listening one.
#include <gtest/gtest.h>

#include "frames_harness.h"
#include "test_eal.h"

namespace ts {
namespace {

using namespace frames;

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new ts::testing::TestEal("frames", "256"));

TEST_F(Frames, a_gratuitous_arp_announces_our_address_at_start) {
  ASSERT_EQ(announcement_.size(), 1u);
  const wire::Frame& f = announcement_[0].f;
  ASSERT_EQ(f.kind, wire::FrameKind::kArp);
  EXPECT_TRUE(f.eth.dst.is_broadcast());
  EXPECT_EQ(f.arp.spa, kOurIp);
  EXPECT_EQ(f.arp.tpa, kOurIp);
  EXPECT_EQ(f.arp.sha, kOurMac);
}

TEST_F(Frames, arp_request_for_us_is_answered_and_the_asker_learned) {
  std::vector<uint8_t> b(64);
  wire::EtherHeader eth;
  eth.src = kPeerMac;
  b.resize(wire::build_arp_request(b.data(), b.size(), eth, kPeerIp, kOurIp));
  inject(b.data(), b.size());
  auto out = take();
  ASSERT_EQ(out.size(), 1u);
  const wire::Frame& f = out[0].f;
  ASSERT_EQ(f.kind, wire::FrameKind::kArp);
  EXPECT_EQ(f.arp.op, wire::kArpOpReply);
  EXPECT_EQ(f.eth.dst, kPeerMac);
  EXPECT_EQ(f.arp.sha, kOurMac);
  EXPECT_EQ(f.arp.spa, kOurIp);
  EXPECT_EQ(f.arp.tha, kPeerMac);
  EXPECT_EQ(f.arp.tpa, kPeerIp);
  wire::Mac m;
  EXPECT_EQ(stack_->datapath().arp().lookup(kPeerIp, now_, &m), dpdk::ArpCache::Result::kHit);
  EXPECT_EQ(m, kPeerMac);
}

TEST_F(Frames, arp_request_for_another_address_is_not_answered) {
  std::vector<uint8_t> b(64);
  wire::EtherHeader eth;
  eth.src = kPeerMac;
  b.resize(wire::build_arp_request(b.data(), b.size(), eth, kPeerIp, 0xc6120009));
  inject(b.data(), b.size());
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(count(Counter::drop_arp_not_ours), 1u);
}

TEST_F(Frames, echo_request_gets_an_echo_reply_with_the_same_id_sequence_and_data) {
  auto req = echo_request(0x1234, 7, "turnstile ping data");
  inject(req.data(), req.size());
  auto out = take();
  ASSERT_EQ(out.size(), 1u);
  const wire::Frame& f = out[0].f;  // parse_frame verified the IPv4 and ICMP checksums
  ASSERT_EQ(f.kind, wire::FrameKind::kIpv4Icmp);
  EXPECT_EQ(f.icmp.type, wire::kIcmpEchoReply);
  EXPECT_EQ(f.icmp.id, 0x1234);
  EXPECT_EQ(f.icmp.seq, 7);
  EXPECT_EQ(f.ip.src, kOurIp);
  EXPECT_EQ(f.ip.dst, kPeerIp);
  EXPECT_EQ(f.eth.dst, kPeerMac);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&out[0].bytes[f.payload_off]), f.payload_len),
            "turnstile ping data");
  EXPECT_EQ(count(Counter::icmp_echo_out), 1u);
  // Sent without DF, as Linux's: each reply has an IPv4 id of its own (RFC 6864 §4.1).
  EXPECT_FALSE(f.ip.df);
  inject(req.data(), req.size());
  auto again = take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].f.ip.id, f.ip.id);
}

TEST_F(Frames, malformed_ipv4_is_dropped_and_counted_by_reason) {
  auto good = echo_request(1, 1, "x");
  auto bad_sum = good;
  bad_sum[14 + 10] ^= 0xff;  // header checksum
  inject(bad_sum.data(), bad_sum.size());
  auto frag = good;
  frag[14 + 6] |= 0x20;  // More Fragments
  wire::store_be16(&frag[14 + 10], 0);
  wire::store_be16(&frag[14 + 10], wire::ipv4_header_checksum(&frag[14], 20));
  inject(frag.data(), frag.size());
  auto v6 = good;
  v6[14] = 0x65;  // version 6
  inject(v6.data(), v6.size());
  auto not_ours = ip_frame(wire::kIpProtoIcmp, std::vector<uint8_t>(good.begin() + 34, good.end()), 0xc6120063);
  inject(not_ours.data(), not_ours.size());
  auto udp = ip_frame(17, std::vector<uint8_t>(8, 0));
  inject(udp.data(), udp.size());
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(count(Counter::drop_ip_checksum), 1u);
  EXPECT_EQ(count(Counter::drop_ip_fragment), 1u);
  EXPECT_EQ(count(Counter::drop_ip_version), 1u);
  EXPECT_EQ(count(Counter::drop_ip_not_ours), 1u);
  EXPECT_EQ(count(Counter::drop_ip_protocol), 1u);
  EXPECT_EQ(count(Counter::icmp_echo_out), 0u);
}

TEST_F(Frames, syn_to_a_closed_port_gets_rst_ack) {
  auto s = syn(81, 1000);
  inject(s.data(), s.size());
  auto out = take();
  ASSERT_EQ(out.size(), 1u);
  const wire::Frame& f = out[0].f;
  ASSERT_EQ(f.kind, wire::FrameKind::kIpv4Tcp);
  EXPECT_EQ(f.tcp.flags, wire::tcp_flags::kRst | wire::tcp_flags::kAck);
  EXPECT_EQ(f.tcp.seq, 0u);
  EXPECT_EQ(f.tcp.ack, 1001u);
  EXPECT_EQ(f.tcp.sport, 81);
  EXPECT_EQ(f.tcp.dport, 40000);
  EXPECT_EQ(f.eth.dst, kPeerMac);
  EXPECT_EQ(count(Counter::tcp_rst_out), 1u);
}

TEST_F(Frames, syn_to_a_listening_port_gets_a_syn_ack_with_our_mss) {
  auto s = syn(80, 5000);
  inject(s.data(), s.size());
  auto out = take();
  // The SYN-ACK goes at once to the SYN's source MAC, and ARP is asked about the peer meanwhile.
  ASSERT_EQ(out.size(), 2u);
  if (out[0].f.kind == wire::FrameKind::kArp) std::swap(out[0], out[1]);
  const wire::Frame& f = out[0].f;
  ASSERT_EQ(f.kind, wire::FrameKind::kIpv4Tcp);
  EXPECT_EQ(f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(f.tcp.ack, 5001u);
  EXPECT_TRUE(f.tcp.opts.has_mss);
  EXPECT_EQ(f.tcp.opts.mss, 1460);
  EXPECT_EQ(f.eth.dst, kPeerMac);
  ASSERT_EQ(out[1].f.kind, wire::FrameKind::kArp);
  EXPECT_EQ(out[1].f.arp.op, wire::kArpOpRequest);
  EXPECT_EQ(out[1].f.arp.tpa, kPeerIp);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 1u);
  EXPECT_EQ(count(Counter::enter_syn_received), 1u);
  // The same SYN again is a duplicate: answered with the same SYN-ACK, no second connection.
  inject(s.data(), s.size());
  out = take();
  ASSERT_GE(out.size(), 1u);
  EXPECT_EQ(out.back().f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 1u);
}

// [port] rx_checksum: by default a SYN whose TCP or IPv4 checksum is wrong is dropped and
// counted; with `trust` (a link that cannot damage a frame, memif on one host) nothing is
// verified and the same SYNs are answered.
std::vector<uint8_t> damaged(std::vector<uint8_t> b, size_t at) {
  b[at] ^= 0x5a;
  return b;
}
constexpr size_t kIpSumAt = 14 + 10, kTcpSumAt = 14 + 20 + 16;

TEST_F(Frames, a_syn_with_a_wrong_checksum_is_dropped_and_counted) {
  auto a = damaged(syn(80, 5000), kTcpSumAt);
  inject(a.data(), a.size());
  auto b = damaged(syn(80, 6000), kIpSumAt);
  inject(b.data(), b.size());
  EXPECT_TRUE(take_tcp().empty());
  EXPECT_EQ(count(Counter::drop_tcp_checksum), 1u);
  EXPECT_EQ(count(Counter::drop_ip_checksum), 1u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u);
}

class FramesTrust : public Frames {
 protected:
  FramesTrust() {
    profile_tweak_ = [](dpdk::Profile& p) { p.port.rx_checksum = dpdk::Offload::kTrust; };
  }
};

TEST_F(FramesTrust, rx_checksum_trust_answers_a_syn_whatever_its_checksums) {
  auto a = damaged(syn(80, 5000), kTcpSumAt);
  inject(a.data(), a.size());
  tweak_ = [](wire::TcpFrameSpec& s) { s.sport = 40001; };
  auto b = damaged(syn(80, 6000), kIpSumAt);
  inject(b.data(), b.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 2u);
  for (const Out& o : out) EXPECT_EQ(o.f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(out[0].f.tcp.ack, 5001u);
  EXPECT_EQ(out[1].f.tcp.ack, 6001u);
  EXPECT_EQ(count(Counter::drop_tcp_checksum), 0u);
  EXPECT_EQ(count(Counter::drop_ip_checksum), 0u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 2u);
}

// The counters users read (telemetry, JSON) for the listener's work, as the lcore maps the
// protocol core's onto them: SYN-ACKs out, cookies sent, taken and refused.
class FramesCookies : public Frames {
 protected:
  FramesCookies() {
    profile_tweak_ = [](dpdk::Profile& p) { p.stack.syncookies = tcp::CookieMode::kAlways; };
  }
};

TEST_F(FramesCookies, synack_and_cookie_counters_say_what_happened) {
  using namespace wire::tcp_flags;
  auto s = syn(80, 5000);
  inject(s.data(), s.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].f.tcp.flags, kSyn | kAck);
  const uint32_t cookie = out[0].f.tcp.seq;
  poll();
  EXPECT_EQ(count(Counter::tcp_synack_out), 1u);
  EXPECT_EQ(count(Counter::syncookies_sent), 1u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u) << "a cookie keeps no state";
  auto forged = segment(80, 5001, cookie + 1000, kAck, "");  // not the cookie's number
  inject(forged.data(), forged.size());
  take_tcp();
  poll();
  EXPECT_EQ(count(Counter::syncookies_bad), 1u);
  EXPECT_EQ(count(Counter::syncookies_ok), 0u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u);
  auto ack = segment(80, 5001, cookie + 1, kAck, "");
  inject(ack.data(), ack.size());
  take_tcp();
  poll();
  EXPECT_EQ(count(Counter::syncookies_ok), 1u);
  EXPECT_EQ(count(Counter::syncookies_bad), 1u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 1u);
}

// One connection keeps at most a quarter of the lcore's out-of-order nodes ([stack]
// out_of_order_mbufs, 1024): a peer sending one-byte segments past a hole it never fills
// leaves the other connections their share.
TEST_F(Frames, one_connection_keeps_at_most_a_quarter_of_the_out_of_order_queue) {
  using namespace wire::tcp_flags;
  const uint32_t iss = open_with_sack(80, 100);
  for (uint32_t i = 0; i < 300; i++) {  // 101 never comes
    auto b = segment(80, 102 + 2 * i, iss + 1, kAck, "x");
    inject(b.data(), b.size());
    take_tcp();
  }
  poll();
  EXPECT_EQ(count(Counter::tcp_ooo_queued), 256u);
  EXPECT_EQ(count(Counter::tcp_ooo_dropped), 44u);
  tweak_ = [](wire::TcpFrameSpec& s) { s.sport = 40001; };  // another peer: room for it
  const uint32_t iss2 = open_with_sack(80, 500);
  auto b = segment(80, 502, iss2 + 1, kAck, "y");
  inject(b.data(), b.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].f.tcp.opts.sack_count, 1u) << "kept, and told of";
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].left, 502u);
  poll();
  EXPECT_EQ(count(Counter::tcp_ooo_queued), 257u);
}

// RFC 1122 §3.2.1.3 and §3.3.6: SYNs from our own address, from our subnet's broadcast address,
// or sent to the Ethernet broadcast address get nothing: no SYN-ACK, no RST, no connection.
// (The parser refuses 0/8, 127/8, multicast and 240/4: test/wire.) Not traffic: frames made in
// memory, answered to no one.
TEST_F(Frames, syns_from_martian_sources_or_to_the_broadcast_mac_get_nothing) {
  const std::function<void(wire::TcpFrameSpec&)> tweaks[] = {
      [](wire::TcpFrameSpec& s) { s.src_ip = kOurIp; },
      [](wire::TcpFrameSpec& s) { s.src_ip = 0xc61200ff; },  // 198.18.0.255: the /24's broadcast
      [](wire::TcpFrameSpec& s) { s.dst_mac = wire::Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; },
  };
  for (const auto& t : tweaks) {
    tweak_ = t;
    for (uint16_t port : {80, 81}) {  // listening and closed
      auto s = syn(port, 5000);
      inject(s.data(), s.size());
    }
  }
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u);
  EXPECT_EQ(count(Counter::drop_ip_source), 4u);
  EXPECT_EQ(count(Counter::drop_eth_not_ours), 2u);
  EXPECT_EQ(count(Counter::tcp_rst_out), 0u);
}

// The stack is on no VLAN: its connections' segments and ARP requests carry no tag, so a
// tagged SYN is dropped rather than half-answered. A priority tag (VLAN id 0) is untagged.
TEST_F(Frames, a_vlan_tagged_syn_is_dropped_and_a_priority_tagged_one_answered) {
  tweak_ = [](wire::TcpFrameSpec& s) { s.has_vlan = true; s.vlan_tci = 0x2007; };  // PCP 1, VLAN 7
  auto tagged = syn(80, 5000);
  inject(tagged.data(), tagged.size());
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(count(Counter::drop_eth_vlan), 1u);
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 0u);
  tweak_ = [](wire::TcpFrameSpec& s) { s.has_vlan = true; s.vlan_tci = 0xa000; };  // PCP 5, VLAN 0
  auto prio = syn(80, 6000);
  inject(prio.data(), prio.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(out[0].f.tcp.ack, 6001u);
  EXPECT_EQ(count(Counter::drop_eth_vlan), 1u);
}

// A TTL of 0 is no reason to drop what is delivered to us (RFC 1122 §3.2.1.7), and a known
// option of the wrong length is left out, not the segment (Linux's tcp_parse_options).
TEST_F(Frames, a_syn_with_ttl_zero_or_an_odd_option_length_is_answered) {
  tweak_ = [](wire::TcpFrameSpec& s) { s.ttl = 0; };
  auto s = syn(80, 5000);
  inject(s.data(), s.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  tweak_ = nullptr;
  sack_ = true;
  auto odd = syn(80, 7000);
  odd[35] += 1;  // a second peer: another source port (the checksum is made below)
  const uint8_t nop_nop_sack_perm[] = {1, 1, 4, 2};
  auto at = std::search(odd.begin(), odd.end(), std::begin(nop_nop_sack_perm), std::end(nop_nop_sack_perm));
  ASSERT_NE(at, odd.end());
  const uint8_t sack_perm_of_length_3_nop[] = {4, 3, 0, 1};
  std::copy(std::begin(sack_perm_of_length_3_nop), std::end(sack_perm_of_length_3_nop), at);
  wire::store_be16(&odd[34 + 16], 0);
  wire::store_be16(&odd[34 + 16], wire::tcp_checksum(kPeerIp, kOurIp, &odd[34], odd.size() - 34));
  inject(odd.data(), odd.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(out[0].f.tcp.ack, 7001u);
  EXPECT_FALSE(out[0].f.tcp.opts.sack_permitted) << "the odd SACK-permitted counts for nothing";
  EXPECT_EQ(stack_->datapath().lcore(0).live_connections(), 2u);
}

TEST_F(Frames, the_ack_of_a_request_rides_on_the_answer) {
  using namespace wire::tcp_flags;
  auto s = syn(80, 100);
  inject(s.data(), s.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  const uint32_t iss = out[0].f.tcp.seq;
  auto ack = segment(80, 101, iss + 1, kAck, "");
  inject(ack.data(), ack.size());
  EXPECT_TRUE(take_tcp().empty());  // nothing to say to a bare ACK
  auto req = segment(80, 101, iss + 1, kAck | kPsh, "hello");
  inject(req.data(), req.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u) << "expected the echo alone, carrying the ACK";
  const wire::Frame& f = out[0].f;
  EXPECT_TRUE(f.tcp.has(kAck));
  EXPECT_EQ(f.tcp.ack, 106u);
  EXPECT_EQ(f.tcp.seq, iss + 1);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&out[0].bytes[f.payload_off]), f.payload_len), "hello");
}

// RFC 2018 §4: the ACK of a segment past a hole tells of that segment in its first block, and
// of the others the receiver keeps after it; RFC 5681 §4.2: that ACK goes at once. A copy of a
// kept segment is named in a D-SACK block (RFC 2883 §4).
TEST_F(Frames, the_ack_of_a_segment_past_a_hole_carries_its_sack_block_first) {
  using namespace wire::tcp_flags;
  const uint32_t iss = open_with_sack(80, 100);
  auto b = segment(80, 111, iss + 1, kAck, "bbbbb");  // 101..110 not here yet
  inject(b.data(), b.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.payload_len, 0u);
  EXPECT_EQ(out[0].f.tcp.ack, 101u);
  ASSERT_EQ(out[0].f.tcp.opts.sack_count, 1u) << "the first duplicate ACK must tell of the segment";
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].left, 111u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].right, 116u);

  auto c = segment(80, 121, iss + 1, kAck, "ccccc");
  inject(c.data(), c.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].f.tcp.opts.sack_count, 2u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].left, 121u) << "the newest first";
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].right, 126u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[1].left, 111u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[1].right, 116u);

  // A copy of a kept segment: RFC 2883 §4, the D-SACK block first, then the block holding it.
  const uint64_t dsacks = count(Counter::tcp_dsack_out);
  inject(b.data(), b.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.ack, 101u);
  ASSERT_EQ(out[0].f.tcp.opts.sack_count, 3u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].left, 111u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[0].right, 116u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[1].left, 111u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[1].right, 116u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[2].left, 121u);
  EXPECT_EQ(out[0].f.tcp.opts.sack[2].right, 126u);
  poll();  // publishes the counters
  EXPECT_EQ(count(Counter::tcp_dsack_out), dsacks + 1);

  auto a = segment(80, 101, iss + 1, kAck, "aaaaaaaaaa");  // fills the first hole
  inject(a.data(), a.size());
  out = take_tcp();
  ASSERT_FALSE(out.empty());
  std::string echoed;
  for (const Out& o : out) {
    echoed.append(reinterpret_cast<const char*>(&o.bytes[o.f.payload_off]), o.f.payload_len);
    EXPECT_EQ(o.f.tcp.ack, 116u);
  }
  EXPECT_EQ(echoed, "aaaaaaaaaabbbbb");
}

// The lcore keeps its last next hop's MAC (Lcore::resolve); a change in the cache must reach the
// next frame all the same, long before the entry would expire.
TEST_F(Frames, a_neighbour_whose_mac_changes_gets_the_next_frame_at_the_new_mac) {
  using namespace wire::tcp_flags;
  constexpr wire::Mac kNewMac{{0x02, 0, 0, 0, 0, 0x11}};
  auto teach = [&](const wire::Mac& mac) {
    std::vector<uint8_t> b(64);
    wire::EtherHeader eth;
    eth.src = mac;
    b.resize(wire::build_arp_request(b.data(), b.size(), eth, kPeerIp, kOurIp));
    inject(b.data(), b.size());
    take();  // our ARP reply
  };
  teach(kPeerMac);
  auto s = syn(80, 100);
  inject(s.data(), s.size());
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.eth.dst, kPeerMac);
  const uint32_t iss = out[0].f.tcp.seq;
  auto req = segment(80, 101, iss + 1, kAck | kPsh, "one");
  inject(req.data(), req.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.eth.dst, kPeerMac);

  teach(kNewMac);  // the same address, another card: RFC 826 updates the known sender
  req = segment(80, 104, iss + 1, kAck | kPsh, "two");
  inject(req.data(), req.size());
  out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.eth.dst, kNewMac);
}

// The lcore keeps the MACs of 8 next hops, by their addresses' low bits. Two neighbours whose
// addresses share a slot (.1 and .9) take turns in it, and each frame still goes to its own
// neighbour's MAC; a change of one neighbour's MAC reaches its next frame and no other's.
TEST_F(Frames, neighbours_sharing_a_next_hop_memo_slot_each_get_frames_at_their_own_mac) {
  using namespace wire::tcp_flags;
  struct Peer {
    uint32_t ip;
    wire::Mac mac;
    uint32_t iss = 0;
    uint32_t echoed = 0;  // bytes of ours the peer has acknowledged
    uint32_t sent = 0;    // bytes of its own past the SYN
  };
  Peer p[3] = {{kPeerIp, kPeerMac}, {0xc6120009, {{0x02, 0, 0, 0, 0, 0x09}}}, {0xc6120003, {{0x02, 0, 0, 0, 0, 0x03}}}};
  auto as = [&](const Peer& q) {
    tweak_ = [&q](wire::TcpFrameSpec& s) {
      s.src_ip = q.ip;
      s.src_mac = q.mac;
    };
  };
  auto teach = [&](const Peer& q) {
    std::vector<uint8_t> b(64);
    wire::EtherHeader eth;
    eth.src = q.mac;
    b.resize(wire::build_arp_request(b.data(), b.size(), eth, q.ip, kOurIp));
    inject(b.data(), b.size());
    take();  // our ARP reply
  };
  for (auto& q : p) {
    teach(q);
    as(q);
    auto s = syn(80, 100);
    inject(s.data(), s.size());
    auto out = take_tcp();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].f.eth.dst, q.mac);
    q.iss = out[0].f.tcp.seq;
  }
  // One byte from the peer, echoed back: one frame out, to the peer's MAC.
  auto exchange = [&](Peer& q) {
    as(q);
    auto d = segment(80, 101 + q.sent, q.iss + 1 + q.echoed, kAck | kPsh, "x");
    inject(d.data(), d.size());
    q.sent++;
    auto out = take_tcp();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].f.ip.dst, q.ip);
    EXPECT_EQ(out[0].f.eth.dst, q.mac) << "to " << std::hex << q.ip;
    EXPECT_EQ(out[0].f.payload_len, 1u);
    q.echoed++;
  };
  for (int i : {0, 1, 0, 2, 1, 1, 0, 2}) exchange(p[i]);

  p[1].mac = {{0x02, 0, 0, 0, 0, 0x19}};  // .9 has another card now
  teach(p[1]);
  for (int i : {1, 0, 1, 2}) exchange(p[i]);
}

// An echo handler on a worker thread whose every call waits at a gate; `waiting` says that one
// does.
struct GatedEcho final : api::Handler {
  GatedEcho(std::atomic<bool>& gate, std::atomic<bool>& waiting) : gate_(gate), waiting_(waiting) {}
  void on_data(api::Connection& c, const uint8_t* d, size_t n) override {
    waiting_ = true;
    while (!gate_.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
    c.send(d, n);
  }
  std::atomic<bool>& gate_;
  std::atomic<bool>& waiting_;
};

class FramesWorker : public Frames {
 protected:
  FramesWorker() {
    workers_ = 1;
    app_ring_ = 64;
    factory_ = [this](unsigned) { return std::make_unique<GatedEcho>(gate_, waiting_); };
  }
  void TearDown() override { gate_ = true; }  // a failed test must not leave the worker blocked
  std::atomic<bool> gate_{false};
  std::atomic<bool> waiting_{false};
};

// A worker holds at most its ring's count (app_ring_size, 64) of data mbufs. A segment kept past
// a hole that the hole's filler reaches when that room is all taken waits for room; it gets it
// when the worker frees some, without another segment from the peer (here none comes: all it
// sent is in, the kept segment acknowledged in a SACK block).
TEST_F(FramesWorker, a_kept_segment_waiting_for_the_workers_room_is_taken_once_room_comes) {
  using namespace wire::tcp_flags;
  const uint32_t iss = open_with_sack(80, 100);
  std::string sent;
  auto piece = [](int i) { return std::string(10, char('A' + i % 58)); };
  for (int i = 0; i < 63; i++) {  // the worker takes the first and waits: 63 of 64 places taken
    auto d = segment(80, 101 + 10 * i, iss + 1, kAck, piece(i));
    inject(d.data(), d.size());
    take_tcp();  // the ACKs
    sent += piece(i);
  }
  auto kept = segment(80, 101 + 640, iss + 1, kAck, piece(64));  // past a hole of 10 bytes
  inject(kept.data(), kept.size());
  auto filler = segment(80, 101 + 630, iss + 1, kAck, piece(63));  // takes the last place
  inject(filler.data(), filler.size());
  sent += piece(63) + piece(64);
  uint32_t acked = 0;
  for (const Out& o : take_tcp()) acked = o.f.tcp.ack;
  EXPECT_EQ(acked, 101u + 640) << "the kept segment waits: the worker has no room";

  gate_ = true;
  // By offset from the first byte (the random ISS may wrap within the echo); a retransmission
  // says its bytes again.
  std::map<uint32_t, std::string> echoed;
  auto echoed_in_order = [&] {
    std::string back;
    for (const auto& [off, bytes] : echoed)
      if (off == back.size()) back += bytes;
    return back;
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < end && (acked != 101u + 650 || echoed_in_order().size() < sent.size())) {
    poll();
    for (const Out& o : take_tcp()) {
      acked = o.f.tcp.ack;
      if (o.f.payload_len)
        echoed[o.f.tcp.seq - (iss + 1)].assign(reinterpret_cast<const char*>(&o.bytes[o.f.payload_off]), o.f.payload_len);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(acked, 101u + 650);
  const std::string back = echoed_in_order();
  EXPECT_EQ(back, sent);
}

// The accept queue (listen's backlog, 16 here) fills when the application takes no connection:
// with workers, a connection leaves it once its worker has taken it, and this worker is stuck in
// a handler. Every final ACK beyond the backlog is ignored (as a lost one: the client's next
// segment tries again) and counted as accept_overflow, the counter the exporters (the stats
// line, JSON, telemetry, Prometheus) read: here once for each connection refused.
TEST_F(FramesWorker, final_acks_past_a_full_accept_queue_are_ignored_and_counted_as_accept_overflow) {
  using namespace wire::tcp_flags;
  const uint32_t iss = open_with_sack(80, 100);  // from port 40000: the worker's first
  auto d = segment(80, 101, iss + 1, kAck, "x");
  inject(d.data(), d.size());
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!waiting_ && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(waiting_) << "the worker never took the first connection's data";
  poll();  // takes the worker's word that it took that connection: the queue is empty again
  // What the stack sent to the other connections (the first one's ACK may come at any time).
  auto to_others = [&] {
    std::vector<Out> out;
    for (Out& o : take_tcp())
      if (o.f.tcp.dport != 40000) out.push_back(std::move(o));
    return out;
  };
  to_others();

  constexpr uint16_t kBacklog = 16, kRefused = 5;
  std::vector<uint32_t> isses;  // every SYN arrives while the queue has room
  for (uint16_t i = 0; i < kBacklog + kRefused; i++) {
    tweak_ = [i](wire::TcpFrameSpec& s) { s.sport = static_cast<uint16_t>(40001 + i); };
    auto s = syn(80, 1000 * i);
    inject(s.data(), s.size());
    auto out = to_others();
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].f.tcp.flags, kSyn | kAck);
    isses.push_back(out[0].f.tcp.seq);
  }
  for (uint16_t i = 0; i < kBacklog + kRefused; i++) {  // the final ACKs, once each
    tweak_ = [i](wire::TcpFrameSpec& s) { s.sport = static_cast<uint16_t>(40001 + i); };
    auto a = segment(80, 1000 * i + 1, isses[i] + 1, kAck, "");
    inject(a.data(), a.size());
  }
  EXPECT_TRUE(to_others().empty()) << "an ignored ACK is answered by nothing";
  // A SYN once the queue is full is dropped before it costs a block: not an accept_overflow but
  // a syn_accept_full (Linux's ListenOverflows counts both).
  tweak_ = [](wire::TcpFrameSpec& s) { s.sport = 41000; };
  auto late = syn(80, 90000);
  inject(late.data(), late.size());
  EXPECT_TRUE(to_others().empty());
  poll();

  const stats::Snapshot s = stack_->stats().total();
  EXPECT_EQ(s[Counter::accept_overflow], kRefused);
  EXPECT_EQ(s[Counter::syn_accept_full], 1u);
  EXPECT_EQ(s[Counter::conn_accepted], 1u + kBacklog);
  EXPECT_EQ(s[stats::Gauge::syn_received], kRefused) << "the refused ones wait in SYN-RECEIVED";
  EXPECT_EQ(stats::to_json(s)["counters"]["accept_overflow"], kRefused);
  EXPECT_NE(stats::to_prometheus(s, false).find("\nturnstile_accept_overflow_total 5\n"), std::string::npos);
  EXPECT_EQ(stats::to_json(s)["counters"]["syn_accept_full"], 1u);
}

}  // namespace
}  // namespace ts
