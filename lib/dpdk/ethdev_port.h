// The Port over a DPDK ethdev: configure N queue pairs, symmetric RSS and checksum offloads
// where the PMD has them, start; stop and close (a net_tap interface disappears) on destruction.
#pragma once
#include <memory>
#include <string>

#include "dpdk/port.h"
#include "dpdk/profile.h"
#include "rss/reta.h"

namespace ts::dpdk {

class EthdevPort final : public Port {
 public:
  // On failure returns nullptr and a one-line reason in *err.
  static std::unique_ptr<EthdevPort> open(const PortProfile& p, uint16_t queues, rte_mempool* pool,
                                          std::string* err);
  ~EthdevPort() override;

  const char* name() const override { return name_.c_str(); }
  uint16_t queues() const override { return queues_; }
  wire::Mac mac() const override { return mac_; }
  const PortCaps& caps() const override { return caps_; }
  uint16_t mtu() const override { return mtu_; }
  const uint16_t* reta() const override { return reta_.entries(); }
  uint32_t reta_size() const override { return reta_.size(); }

  uint16_t rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;
  uint16_t tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;
  void reclaim_tx() override;

  uint16_t port_id() const { return port_id_; }
  const std::string& driver() const { return driver_; }
  // The link as the PMD reports it: 1 up, 0 down, -1 unknown. A tap's is unknown: net_tap reads
  // the flags of its interface by name, which fail once the interface has moved to another
  // namespace (as our tests and benchmarks do), and it is up from the start. A virtio-user's is
  // unknown too: in DPDK 22.11 asking it, once its vhost-user backend has gone, makes the PMD
  // register an interrupt source on its listening socket that closing the port never takes back,
  // and EAL's interrupt thread then panics (epoll_ctl on a closed fd: the server aborted at its
  // stop, test cps_vhost). Any thread.
  int link_up() const;

 private:
  EthdevPort(uint16_t id, uint16_t queues);

  uint16_t port_id_;
  uint16_t queues_;
  uint16_t mtu_ = 1500;
  bool started_ = false;
  bool promisc_set_ = false;  // we turned promiscuous mode on: turned off again at close
  std::string name_;
  std::string driver_;
  wire::Mac mac_;
  PortCaps caps_;
  rss::Reta reta_;
};

// link_up() of an EthdevPort; -1 for any other port (in-memory ports have no link).
int link_up(const Port& port);

// How many ethdev ports EAL probed (0: the PMD is missing or failed).
uint16_t ethdev_count();

}  // namespace ts::dpdk
