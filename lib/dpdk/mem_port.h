// A Port in memory: frames a stack transmits land in the receive queues of the port connected to
// it (stack to stack in one process), or, unconnected, in a capture ring a test drains.
// Delivery imitates a NIC: with `rss`, TCP/IPv4 frames go to the queue the symmetric Toeplitz
// hash and the round-robin RETA pick (hash stored in the mbuf); without it, a flow's frames go to
// a queue of the port's own choosing (another, asymmetric hash: as the kernel steers a tap's
// queues), so that the stack's software RSS has to put them right.
//
// Thread safety: as Port. inject() and take_tx() may be called from any one thread at a time.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "dpdk/port.h"
#include "rss/reta.h"
#include "rss/toeplitz.h"

struct rte_ring;

namespace ts::dpdk {

class MemPort final : public Port {
 public:
  static std::unique_ptr<MemPort> create(const std::string& name, uint16_t queues, const wire::Mac& mac,
                                         bool rss, std::string* err);
  ~MemPort() override;

  // Frames sent by a then arrive at b and the other way round.
  static void connect(MemPort& a, MemPort& b);

  const char* name() const override { return name_.c_str(); }
  uint16_t queues() const override { return queues_; }
  wire::Mac mac() const override { return mac_; }
  const PortCaps& caps() const override { return caps_; }
  uint16_t mtu() const override { return 1500; }
  const uint16_t* reta() const override { return reta_.entries(); }
  uint32_t reta_size() const override { return reta_.size(); }

  uint16_t rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;
  uint16_t tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;

  // As if the frame had arrived on the wire. Takes the mbuf; false (mbuf freed) if the queue is full.
  bool inject(rte_mbuf* m);
  // Frames this port transmitted while unconnected, oldest first.
  uint16_t take_tx(rte_mbuf** out, uint16_t n);
  // A lossy wire, for tests: of every `every` frames this port transmits, the last is dropped
  // (0: none), and with holes > 1 so are the `holes - 1` that follow it `gap` apart: several
  // holes in one window.
  void set_loss(uint32_t every, uint32_t holes = 1, uint32_t gap = 1) {
    loss_every_ = every;
    loss_holes_ = holes;
    loss_gap_ = gap ? gap : 1;
  }
  uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }
  // A NIC's offloads, for tests of how the stack reads them (RX checksum flags); before the
  // stack is created, which copies them.
  void set_caps(const PortCaps& c) { caps_ = c; }

 private:
  MemPort(uint16_t queues, bool rss);
  uint16_t queue_for(rte_mbuf* m);
  uint16_t tx_burst_kept(rte_mbuf** pkts, uint16_t n);

  std::string name_;
  uint16_t queues_;
  std::atomic<uint16_t> next_rr_{0};  // several peer lcores deliver here
  uint32_t loss_every_ = 0;
  uint32_t loss_holes_ = 1;
  uint32_t loss_gap_ = 1;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> lost_{0};
  wire::Mac mac_;
  PortCaps caps_;
  rss::Reta reta_;
  rss::Toeplitz hash_;
  rss::Toeplitz other_hash_;  // without rss: where a dumb device puts a flow
  std::vector<rte_ring*> rx_;
  rte_ring* capture_ = nullptr;
  MemPort* peer_ = nullptr;
};

}  // namespace ts::dpdk
