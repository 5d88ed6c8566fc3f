// The harness of the datapath_frames tests: one stack on an unconnected in-memory port; frames
// go in as a NIC would deliver them, and the test reads the bytes the stack transmits. The
// test program starts EAL once (TestEal in datapath_frames_test.cc) for every fixture here.
#pragma once
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "api/stack.h"
#include "dpdk/mem_port.h"
#include "handlers.h"
#include "stats/counters.h"
#include "stats/format.h"
#include "wire/checksum.h"
#include "wire/frame.h"

namespace ts::frames {

using stats::Counter;

inline constexpr uint32_t kOurIp = 0xc6120002;   // 198.18.0.2
inline constexpr uint32_t kPeerIp = 0xc6120001;  // 198.18.0.1
inline constexpr wire::Mac kOurMac{{0x02, 0, 0, 0, 0, 0x02}};
inline constexpr wire::Mac kPeerMac{{0x02, 0, 0, 0, 0, 0x01}};

struct Out {
  std::vector<uint8_t> bytes;
  wire::Frame f;
};

class Frames : public ::testing::Test {
 protected:
  void SetUp() override {
    static int serial = 0;
    api::StackConfig sc;
    dpdk::DatapathConfig& dc = sc.datapath;
    dc.profile = dpdk::default_profile();
    dc.profile.port.mbufs = 4095;
    dc.profile.stack.connections_per_queue = 1024;
    if (app_ring_) dc.profile.stack.app_ring_size = app_ring_;
    if (profile_tweak_) profile_tweak_(dc.profile);
    dc.ip = kOurIp;
    dc.queues = 1;
    dc.name = "fr" + std::to_string(++serial);
    dc.make_port = [this](rte_mempool*, uint16_t, std::string* err) {
      auto p = dpdk::MemPort::create(dpdk_name(), 1, kOurMac, true, err);
      if (p && caps_tweak_) {
        dpdk::PortCaps c = p->caps();
        caps_tweak_(c);
        p->set_caps(c);
      }
      port_ = p.get();
      return std::unique_ptr<dpdk::Port>(std::move(p));
    };
    sc.workers = workers_;
    api::HandlerFactory echo = [](unsigned) { return server::make_handler(server::Mode::kEcho, ""); };
    std::string err;
    stack_ = api::Stack::create(sc, factory_ ? factory_ : echo, &err);
    ASSERT_TRUE(stack_) << err;
    stack_->listen(80, 16);
    if (workers_) {
      ASSERT_TRUE(stack_->start_workers(stop_, &err)) << err;
    }
    poll();
    announcement_ = take();  // the gratuitous ARP of the start
  }

  std::string dpdk_name() const { return "frp" + std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff); }

  void poll() {
    now_ += 2 * tcp::kMsec;  // a tick passes on every call, so counters are published
    stack_->datapath().lcore(0).poll(now_);
  }
  void inject(const uint8_t* p, size_t n) {
    rte_mbuf* m = rte_pktmbuf_alloc(stack_->datapath().pool());
    ASSERT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(n)), p, n);
    ASSERT_TRUE(port_->inject(m));
    poll();
  }
  // As inject, with the RX flags a PMD sets (checksum status).
  void inject_flagged(const std::vector<uint8_t>& b, uint64_t ol_flags) {
    rte_mbuf* m = rte_pktmbuf_alloc(stack_->datapath().pool());
    ASSERT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
    m->ol_flags |= ol_flags;
    ASSERT_TRUE(port_->inject(m));
    poll();
  }
  std::vector<Out> take() {
    std::vector<Out> out;
    rte_mbuf* m[64];
    const uint16_t n = port_->take_tx(m, 64);
    for (uint16_t i = 0; i < n; i++) {
      Out o;
      const uint8_t* p = rte_pktmbuf_mtod(m[i], const uint8_t*);
      o.bytes.assign(p, p + rte_pktmbuf_data_len(m[i]));
      EXPECT_EQ(wire::parse_frame(o.bytes.data(), o.bytes.size(), 0, o.f), wire::WireError::kOk);
      rte_pktmbuf_free(m[i]);
      if (on_sent_) on_sent_(o);
      out.push_back(std::move(o));
    }
    return out;
  }
  uint64_t count(Counter c) { return stack_->stats().total()[c]; }

  // Ethernet + IPv4 + `l4`, from the peer to us.
  std::vector<uint8_t> ip_frame(uint8_t proto, const std::vector<uint8_t>& l4, uint32_t dst = kOurIp) {
    std::vector<uint8_t> b(14 + 20 + l4.size());
    wire::EtherHeader eth;
    eth.src = kPeerMac;
    eth.dst = kOurMac;
    eth.type = wire::kEtherTypeIpv4;
    wire::build_ether(b.data(), b.size(), eth);
    wire::Ipv4Spec ip;
    ip.src = kPeerIp;
    ip.dst = dst;
    ip.proto = proto;
    ip.payload_len = static_cast<uint16_t>(l4.size());
    wire::build_ipv4(b.data() + 14, 20, ip);
    std::memcpy(b.data() + 34, l4.data(), l4.size());
    return b;
  }
  std::vector<uint8_t> echo_request(uint16_t id, uint16_t seq, const std::string& data) {
    std::vector<uint8_t> icmp(8 + data.size());
    icmp[0] = wire::kIcmpEchoRequest;
    wire::store_be16(&icmp[4], id);
    wire::store_be16(&icmp[6], seq);
    std::memcpy(&icmp[8], data.data(), data.size());
    wire::store_be16(&icmp[2], wire::checksum_finish(wire::checksum_partial(icmp.data(), icmp.size())));
    return ip_frame(wire::kIpProtoIcmp, icmp);
  }
  std::vector<uint8_t> syn(uint16_t dport, uint32_t seq) { return segment(dport, seq, 0, wire::tcp_flags::kSyn, ""); }
  std::vector<uint8_t> segment(uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const std::string& data) {
    std::vector<uint8_t> b(256);
    wire::TcpFrameSpec s;
    s.src_mac = kPeerMac;
    s.dst_mac = kOurMac;
    s.src_ip = kPeerIp;
    s.dst_ip = kOurIp;
    s.sport = 40000;
    s.dport = dport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = 64240;
    s.opts.has_mss = (flags & wire::tcp_flags::kSyn) != 0;
    s.opts.mss = 1460;
    s.opts.sack_permitted = sack_ && (flags & wire::tcp_flags::kSyn) != 0;
    s.payload = reinterpret_cast<const uint8_t*>(data.data());
    s.payload_len = data.size();
    if (tweak_) tweak_(s);
    b.resize(wire::build_tcp_frame(b.data(), b.size(), s));
    return b;
  }
  // Only the TCP frames of what the stack sent.
  std::vector<Out> take_tcp() {
    std::vector<Out> all = take(), tcp;
    for (auto& o : all)
      if (o.f.kind == wire::FrameKind::kIpv4Tcp) tcp.push_back(std::move(o));
    return tcp;
  }

  // An open connection from port 40000 to `dport`, SACK offered in the SYN or not; returns our ISS.
  uint32_t open(uint16_t dport, uint32_t isn, bool sack) {
    sack_ = sack;
    auto s = syn(dport, isn);
    inject(s.data(), s.size());
    auto out = take_tcp();
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return 0;
    EXPECT_EQ(out[0].f.tcp.opts.sack_permitted, sack);
    const uint32_t iss = out[0].f.tcp.seq;
    auto ack = segment(dport, isn + 1, iss + 1, wire::tcp_flags::kAck, "");
    inject(ack.data(), ack.size());
    EXPECT_TRUE(take_tcp().empty());
    return iss;
  }
  uint32_t open_with_sack(uint16_t dport, uint32_t isn) { return open(dport, isn, true); }

  tcp::Time now_ = 10 * tcp::kSec;
  bool sack_ = false;  // SYNs offer SACK
  std::function<void(wire::TcpFrameSpec&)> tweak_;  // changes segment()'s frames
  std::function<void(const Out&)> on_sent_;          // checks every frame take() takes
  uint16_t workers_ = 0;         // set before SetUp: handlers on worker threads
  uint32_t app_ring_ = 0;        // set before SetUp: other than the profile's
  std::function<void(dpdk::Profile&)> profile_tweak_;  // set before SetUp
  std::function<void(dpdk::PortCaps&)> caps_tweak_;    // set before SetUp: the port's offloads
  api::HandlerFactory factory_;  // set before SetUp: other than echo
  std::atomic<bool> stop_{false};
  dpdk::MemPort* port_ = nullptr;
  std::unique_ptr<api::Stack> stack_;
  std::vector<Out> announcement_;
};

}  // namespace ts::frames
