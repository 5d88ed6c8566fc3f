#include "dpdk/ethdev_port.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "dpdk/eal.h"
#include "dpdk/log.h"
#include "dpdk/port_conf.h"
#include "rss/toeplitz.h"

namespace ts::dpdk {

namespace {

std::string errstr(const char* what, int rc) {
  return std::string(what) + ": " + rte_strerror(rc < 0 ? -rc : rc);
}

// Programs entry i -> (i mod 512) mod queues, which Reta::round_robin(queues, min(size, 512))
// reproduces in software for any table size.
int program_reta(uint16_t port, uint16_t size, uint16_t queues) {
  std::vector<rte_eth_rss_reta_entry64> conf(size / RTE_ETH_RETA_GROUP_SIZE);
  for (uint32_t i = 0; i < size; i++) {
    auto& g = conf[i / RTE_ETH_RETA_GROUP_SIZE];
    g.mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
    g.reta[i % RTE_ETH_RETA_GROUP_SIZE] = static_cast<uint16_t>((i % rss::Reta::kMaxSize) % queues);
  }
  return rte_eth_dev_rss_reta_update(port, conf.data(), size);
}

// With a [port] vlan, what the NIC does for the tag: strip it on receipt, insert it on send, and
// drop other VLANs' frames itself, each when the PMD offers it (lib/dpdk/vlan.h does the rest).
struct VlanOffloads {
  bool strip = false, insert = false, filter = false;
};

VlanOffloads vlan_offloads(const PortProfile& p, const rte_eth_dev_info& info, rte_eth_conf* conf) {
  VlanOffloads v;
  if (p.vlan == 0) return v;
  v.strip = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
  v.insert = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
  v.filter = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
  if (v.strip) conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
  if (v.insert) conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
  if (v.filter) conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
  return v;
}

std::string setup_queues(uint16_t id, const PortProfile& p, const rte_eth_dev_info& info, const rte_eth_conf& conf,
                         uint16_t queues, rte_mempool* pool) {
  uint16_t rxd = p.rx_descriptors, txd = p.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
  int socket = rte_eth_dev_socket_id(id);
  if (socket < 0) socket = 0;
  for (uint16_t q = 0; q < queues; q++) {
    rte_eth_rxconf rxc = info.default_rxconf;
    rxc.offloads = conf.rxmode.offloads;
    if (int rc = rte_eth_rx_queue_setup(id, q, rxd, socket, &rxc, pool); rc != 0) return errstr("RX queue set-up", rc);
    rte_eth_txconf txc = info.default_txconf;
    txc.offloads = conf.txmode.offloads;
    if (int rc = rte_eth_tx_queue_setup(id, q, txd, socket, &txc); rc != 0) return errstr("TX queue set-up", rc);
  }
  return {};
}

// The ring sizes queue 0 got, as the PMD says (some cap what they are asked for, net_virtio_user
// at its queue_size devarg), or what was asked where the PMD does not say.
std::string descriptors(uint16_t id, const PortProfile& p) {
  rte_eth_rxq_info rx{};
  rte_eth_txq_info tx{};
  if (rte_eth_rx_queue_info_get(id, 0, &rx) != 0 || rte_eth_tx_queue_info_get(id, 0, &tx) != 0)
    return "descriptors asked rx " + std::to_string(p.rx_descriptors) + " tx " + std::to_string(p.tx_descriptors);
  return "descriptors rx " + std::to_string(rx.nb_desc) + " tx " + std::to_string(tx.nb_desc);
}

}  // namespace

uint16_t ethdev_count() { return rte_eth_dev_count_avail(); }

EthdevPort::EthdevPort(uint16_t id, uint16_t queues)
    : port_id_(id), queues_(queues), reta_(rss::Reta::round_robin(queues)) {}

std::unique_ptr<EthdevPort> EthdevPort::open(const PortProfile& p, uint16_t queues, rte_mempool* pool,
                                             std::string* err) {
  if (rte_eth_dev_count_avail() == 0) {
    const std::string& why = eal_probe_error();
    *err = "no Ethernet port: " +
           (why.empty() ? std::string("no PMD probed a device (check the --vdev/-a arguments and that the "
                                      "PMD's package, e.g. dpdk's librte_net_*, is installed)")
                        : why) +
           (geteuid() != 0 ? " (not running as root: most PMDs need it)" : "");
    return nullptr;
  }
  if (!rte_eth_dev_is_valid_port(p.port_id)) {
    *err = "port_id " + std::to_string(p.port_id) + " does not exist (" +
           std::to_string(rte_eth_dev_count_avail()) + " port(s) probed)";
    return nullptr;
  }
  std::unique_ptr<EthdevPort> port(new EthdevPort(p.port_id, queues));
  const uint16_t id = p.port_id;
  rte_eth_dev_info info;
  if (int rc = rte_eth_dev_info_get(id, &info); rc != 0) return *err = errstr("rte_eth_dev_info_get", rc), nullptr;
  port->driver_ = info.driver_name ? info.driver_name : "?";
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(id, name);
  port->name_ = name;
  if (info.max_rx_queues < queues || info.max_tx_queues < queues) {
    *err = port->name_ + " has " + std::to_string(std::min(info.max_rx_queues, info.max_tx_queues)) +
           " queue pair(s), " + std::to_string(queues) + " wanted (use fewer lcores or set [port] queues)";
    return nullptr;
  }
  rte_eth_conf conf = {};
  bool rss_hw = false, rx_cs = false, tx_cs = false;
  if (*err = port_conf(p, info, queues, port->name_ + " (" + port->driver_ + ")", &conf, &rss_hw, &rx_cs, &tx_cs);
      !err->empty())
    return nullptr;
  const VlanOffloads vlan = vlan_offloads(p, info, &conf);
  if (int rc = rte_eth_dev_configure(id, queues, queues, &conf); rc != 0)
    return *err = errstr(("configuring " + port->name_).c_str(), rc), nullptr;
  // A filter on whose table the NIC refused our id would drop every frame of our VLAN: it goes
  // off, and vlan.h drops other VLANs' frames in software (their cost: the frames reaching us).
  if (vlan.filter && rte_eth_dev_vlan_filter(id, p.vlan, 1) != 0) {
    conf.rxmode.offloads &= ~RTE_ETH_RX_OFFLOAD_VLAN_FILTER;  // the queues' offloads too
    const int mask = rte_eth_dev_get_vlan_offload(id);
    if (mask < 0 || rte_eth_dev_set_vlan_offload(id, mask & ~RTE_ETH_VLAN_FILTER_OFFLOAD) != 0)
      return *err = port->name_ + " refused VLAN " + std::to_string(p.vlan) +
                    " in its VLAN filter and would not turn the filter off",
             nullptr;
    TS_LOG(WARNING, port, "%s: VLAN %u filter refused; filter off, other VLANs' frames dropped in software",
           port->name_.c_str(), unsigned{p.vlan});
  }
  if (*err = setup_queues(id, p, info, conf, queues, pool); !err->empty()) return nullptr;
  if (int rc = rte_eth_dev_start(id); rc != 0) return *err = errstr(("starting " + port->name_).c_str(), rc), nullptr;
  port->started_ = true;
  if (rss_hw && program_reta(id, info.reta_size, queues) != 0 && info.reta_size > rss::Reta::kMaxSize) {
    *err = port->name_ + ": cannot program the RSS redirection table; set [port] rss = software";
    return nullptr;
  }
  // A kernel interface under af_packet or af_xdp is left as found: promiscuous only if it was.
  if (p.promiscuous && rte_eth_promiscuous_get(id) == 0 && rte_eth_promiscuous_enable(id) == 0)
    port->promisc_set_ = true;
  rte_eth_dev_set_link_up(id);

  rte_ether_addr a;
  rte_eth_macaddr_get(id, &a);
  std::memcpy(port->mac_.b, a.addr_bytes, 6);
  port->caps_ = {rss_hw, rx_cs, rx_cs, tx_cs, tx_cs, vlan.strip, vlan.insert};
  uint16_t mtu = 0;
  port->mtu_ = rte_eth_dev_get_mtu(id, &mtu) == 0 && mtu ? mtu : p.mtu;
  if (rss_hw) port->reta_ = rss::Reta::round_robin(queues, std::min<uint32_t>(info.reta_size, rss::Reta::kMaxSize));
  TS_LOG(DEBUG, port, "%s (%s): %u queue pair(s), %s RSS, checksums rx %s tx %s, VLAN %u tag rx %s tx %s, %s",
         port->name_.c_str(), port->driver_.c_str(), queues, rss_hw ? "hardware" : "software",
         p.rx_checksum == Offload::kTrust ? "trusted" : rx_cs ? "offloaded" : "software", tx_cs ? "offloaded" : "software", unsigned{p.vlan},
         vlan.strip ? "offloaded" : "software", vlan.insert ? "offloaded" : "software",
         descriptors(id, p).c_str());
  return port;
}

int EthdevPort::link_up() const {
  if (driver_ == "net_tap" || driver_ == "net_virtio_user") return -1;
  rte_eth_link link{};
  if (rte_eth_link_get_nowait(port_id_, &link) != 0) return -1;
  return link.link_status == RTE_ETH_LINK_UP ? 1 : 0;
}

int link_up(const Port& port) {
  auto* e = dynamic_cast<const EthdevPort*>(&port);
  return e ? e->link_up() : -1;
}

EthdevPort::~EthdevPort() {
  if (promisc_set_) rte_eth_promiscuous_disable(port_id_);
  if (started_) rte_eth_dev_stop(port_id_);
  rte_eth_dev_close(port_id_);
}

uint16_t EthdevPort::rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) {
  return rte_eth_rx_burst(port_id_, q, pkts, n);
}

uint16_t EthdevPort::tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) {
  return rte_eth_tx_burst(port_id_, q, pkts, n);
}

// A PMD with tx_done_cleanup (most NICs') frees sent frames there; the others (af_xdp, memif,
// tap) free those they hold, if any, during a burst, which an empty one gives them.
void EthdevPort::reclaim_tx() {
  for (uint16_t q = 0; q < queues_; q++) {
    if (rte_eth_tx_done_cleanup(port_id_, q, 0) >= 0) continue;
    rte_mbuf* none[1];
    rte_eth_tx_burst(port_id_, q, none, 0);
  }
}

}  // namespace ts::dpdk
