// What a PMD's mbufs may carry beyond bytes, on the in-memory port: the RX checksum status a NIC
// sets, and data in a buffer that is not the pool's (mlx5's MPRQ strides, vhost's extbuf).
// EAL: datapath_frames_test.cc's environment, as for the VLAN cases.
#include <gtest/gtest.h>
#include <rte_malloc.h>

#include "frames_harness.h"

namespace ts {
namespace {

using namespace frames;

constexpr size_t kL4 = 14 + 20;

// A port whose NIC verifies received checksums (virtio with rx_checksum = auto, an mlx5).
class FramesRxSums : public Frames {
 protected:
  FramesRxSums() {
    caps_tweak_ = [](dpdk::PortCaps& c) { c.rx_ip_checksum = c.rx_l4_checksum = true; };
  }
  // A SYN as Linux hands it to virtio with its checksum left to offload
  // (VIRTIO_NET_HDR_F_NEEDS_CSUM): the field holds only the pseudo-header's sum.
  std::vector<uint8_t> partial_sum_syn(uint16_t sport) {
    tweak_ = [sport](wire::TcpFrameSpec& s) { s.sport = sport; };
    auto b = syn(80, 5000);
    const auto tcp_len = static_cast<uint16_t>(b.size() - kL4);
    wire::store_be16(&b[kL4 + 16], wire::tcp_pseudo_header_checksum(kPeerIp, kOurIp, tcp_len));
    return b;
  }
};

// RX_L4_CKSUM_NONE: "not correct in the packet data, but the integrity of the L4 data is
// verified". Checking the field again would drop every such segment.
TEST_F(FramesRxSums, a_segment_the_pmd_marks_l4_cksum_none_is_taken) {
  inject_flagged(partial_sum_syn(40000), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_NONE);
  auto out = take_tcp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f.tcp.flags, wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
  EXPECT_EQ(count(Counter::drop_tcp_checksum), 0u);
}

TEST_F(FramesRxSums, a_header_the_pmd_marks_ip_cksum_none_is_taken) {
  auto b = syn(80, 5000);
  b[14 + 10] ^= 0x5a;  // the IPv4 header checksum, wrong in the data
  inject_flagged(b, RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
  EXPECT_EQ(take_tcp().size(), 1u);
  EXPECT_EQ(count(Counter::drop_ip_checksum), 0u);
}

// What the PMD did not vouch for is still checked: UNKNOWN (not verified) and BAD.
TEST_F(FramesRxSums, a_segment_the_pmd_did_not_verify_is_checked_here) {
  inject_flagged(partial_sum_syn(40001), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN);
  inject_flagged(partial_sum_syn(40002), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD);
  EXPECT_TRUE(take_tcp().empty());
  EXPECT_EQ(count(Counter::drop_tcp_checksum), 2u);
}

// ARP and echo replies are written over the request. An mbuf whose data lies in an external
// buffer must keep its attachment, so that freeing the reply gives the buffer back to its owner
// and the pool its own buffer.
int g_ext_freed = 0;
void ext_free(void*, void*) { g_ext_freed++; }

class FramesExtBuf : public Frames {
 protected:
  void TearDown() override { rte_free(ext_); }
  rte_mbuf* inject_external(const std::vector<uint8_t>& b) {
    rte_mbuf* m = rte_pktmbuf_alloc(stack_->datapath().pool());
    if (!m) return nullptr;
    uint16_t len = 2048;
    ext_ = rte_malloc(nullptr, len, 64);
    rte_mbuf_ext_shared_info* sh = rte_pktmbuf_ext_shinfo_init_helper(ext_, &len, ext_free, nullptr);
    rte_pktmbuf_attach_extbuf(m, ext_, rte_malloc_virt2iova(ext_), len, sh);
    rte_pktmbuf_reset_headroom(m);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
    EXPECT_TRUE(m->ol_flags & RTE_MBUF_F_EXTERNAL);
    EXPECT_TRUE(port_->inject(m));
    poll();
    return m;
  }
  std::vector<uint8_t> arp_request_for(uint32_t ip) {
    std::vector<uint8_t> b(64);
    wire::EtherHeader eth;
    eth.src = kPeerMac;
    b.resize(wire::build_arp_request(b.data(), b.size(), eth, kPeerIp, ip));
    return b;
  }
  // `request` in an external buffer gets one reply of `kind`; freeing it runs the buffer's free
  // callback once, and the mbuf goes back to the pool with a buffer of its own.
  void expect_answered_in_place(const std::vector<uint8_t>& request, wire::FrameKind kind) {
    g_ext_freed = 0;
    rte_mbuf* m = inject_external(request);
    ASSERT_NE(m, nullptr);
    auto out = take();  // frees the reply
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].f.kind, kind);
    EXPECT_EQ(g_ext_freed, 1);
    EXPECT_NE(m->buf_addr, ext_) << "a pool mbuf left pointing into the external buffer";
  }
  void* ext_ = nullptr;
};

TEST_F(FramesExtBuf, an_echo_request_in_an_external_buffer_is_answered_and_the_buffer_given_back) {
  expect_answered_in_place(echo_request(0x1234, 7, "turnstile ping data"), wire::FrameKind::kIpv4Icmp);
}

TEST_F(FramesExtBuf, an_arp_request_in_an_external_buffer_is_answered_and_the_buffer_given_back) {
  expect_answered_in_place(arp_request_for(kOurIp), wire::FrameKind::kArp);
}

TEST_F(FramesExtBuf, a_dropped_frame_in_an_external_buffer_gives_the_buffer_back) {
  g_ext_freed = 0;
  inject_external(arp_request_for(kPeerIp + 7));  // for another host
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(g_ext_freed, 1);
}

}  // namespace
}  // namespace ts
