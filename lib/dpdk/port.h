// A thin port interface (as mTCP's io module or l3fwd's ops struct): the ethdev implementation
// drives a real PMD, the in-memory one (mem_port.h) lets tests and stack-to-stack runs exchange
// frames without any device.
//
// Thread safety: rx_burst(q) and tx_burst(q) follow ethdev's rule: one thread per queue. Every
// other call is for the main thread, before the lcores start or after they stop.
#pragma once
#include <cstdint>

#include "wire/ether.h"

struct rte_mbuf;
struct rte_mempool;

namespace ts::dpdk {

struct PortCaps {
  // The NIC hashes TCP/IPv4 with the symmetric key and steers by the RETA of Port::reta(): the
  // queue a frame arrives on is its shard, and mbuf->hash.rss is the hash.
  bool rss = false;
  bool rx_ip_checksum = false;   // RTE_MBUF_F_RX_IP_CKSUM_* flags are meaningful
  bool rx_l4_checksum = false;   // RTE_MBUF_F_RX_L4_CKSUM_* flags are meaningful
  bool tx_ip_checksum = false;   // the NIC fills the IPv4 header checksum
  bool tx_tcp_checksum = false;  // the NIC fills the TCP checksum (pseudo-header pre-seeded)
  // With a [port] vlan: the NIC strips the tag on receipt (RTE_MBUF_F_RX_VLAN_STRIPPED, the tag
  // in mbuf->vlan_tci) and inserts it on send (RTE_MBUF_F_TX_VLAN); else lib/dpdk's vlan.h does.
  bool rx_vlan_strip = false;
  bool tx_vlan_insert = false;
};

class Port {
 public:
  virtual ~Port() = default;

  virtual const char* name() const = 0;
  virtual uint16_t queues() const = 0;
  virtual wire::Mac mac() const = 0;
  virtual const PortCaps& caps() const = 0;
  virtual uint16_t mtu() const = 0;
  // The RETA in use: entry i holds the queue for hash & (size - 1). Software RSS uses the same.
  virtual const uint16_t* reta() const = 0;
  virtual uint32_t reta_size() const = 0;

  virtual uint16_t rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) = 0;
  // Takes ownership of the frames it accepts; the caller keeps (and frees) the rest.
  virtual uint16_t tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) = 0;
  // After the last tx_burst: asks the driver to give back the mbufs of frames it has finished
  // sending but still holds (af_xdp frees them only when a later burst reads its completion
  // ring). Not thread-safe against the queues' bursts.
  virtual void reclaim_tx() {}
};

}  // namespace ts::dpdk
