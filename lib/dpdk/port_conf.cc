#include "dpdk/port_conf.h"

#include "rss/toeplitz.h"

namespace ts::dpdk {

namespace {

constexpr uint64_t kRssTypes = RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4;
constexpr uint64_t kRxCsum = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
constexpr uint64_t kTxCsum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;

// Whether the PMD can hash TCP/IPv4 with our key and a RETA we can mirror. Keys longer than 40
// bytes (i40e and ice take 52) are fine: an IPv4 4-tuple only meets the key's first 16 bytes,
// and the symmetric pattern simply goes on.
bool rss_possible(const rte_eth_dev_info& info, uint16_t queues) {
  return queues > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
         info.hash_key_size >= rss::kKeyLen && info.reta_size >= 64 &&
         (info.reta_size & (info.reta_size - 1)) == 0;
}

}  // namespace

// The port configuration for profile `p`: RSS with the symmetric key when the PMD can, checksum
// offloads as asked. Sets *rss_hw / *csum; "" or a one-line reason.
std::string port_conf(const PortProfile& p, const rte_eth_dev_info& info, uint16_t queues, const std::string& name,
                      rte_eth_conf* conf, bool* rss_hw, bool* rx_cs, bool* tx_cs) {
  static uint8_t key[256];
  for (size_t i = 0; i < sizeof key; i++) key[i] = rss::kSymmetricKey[i % 2];
  *rss_hw = p.rss != Offload::kSoftware && rss_possible(info, queues);
  // One queue has nothing to spread: `hardware` (mlx5.ini, ixgbe.ini, a queue per lcore) then
  // starts without RSS on a single lcore instead of refusing the NIC it is written for.
  if (p.rss == Offload::kHardware && queues > 1 && !*rss_hw)
    return name + " cannot do symmetric Toeplitz RSS over " + std::to_string(queues) +
           " queues; set [port] rss = auto or software";
  if (*rss_hw) {
    conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf->rx_adv_conf.rss_conf.rss_key = key;
    conf->rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
    conf->rx_adv_conf.rss_conf.rss_hf = kRssTypes & info.flow_type_rss_offloads;
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
  }
  const bool rx_have = (info.rx_offload_capa & kRxCsum) == kRxCsum;
  const bool tx_have = (info.tx_offload_capa & kTxCsum) == kTxCsum;
  if (p.rx_checksum == Offload::kHardware && !rx_have)
    return name + " does not offer RX checksum offload; set [port] rx_checksum = auto or software";
  if (p.tx_checksum == Offload::kHardware && !tx_have)
    return name + " does not offer TX checksum offload; set [port] tx_checksum = auto or software";
  // trust: nothing is verified, so the NIC is not asked to either.
  *rx_cs = (p.rx_checksum == Offload::kAuto || p.rx_checksum == Offload::kHardware) && rx_have;
  *tx_cs = p.tx_checksum != Offload::kSoftware && tx_have;
  if (*rx_cs) conf->rxmode.offloads |= kRxCsum;
  if (*tx_cs) conf->txmode.offloads |= kTxCsum;
  // As rte_eth_dev_configure checks it (whose refusal says only "Invalid argument").
  const uint32_t overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
                                ? info.max_rx_pktlen - info.max_mtu
                                : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
  if (info.max_rx_pktlen && uint32_t(p.mtu) + overhead > info.max_rx_pktlen)
    return "[port] mtu " + std::to_string(p.mtu) + ": " + name + " takes at most " +
           std::to_string(info.max_rx_pktlen > overhead ? info.max_rx_pktlen - overhead : 0);
  conf->rxmode.mtu = p.mtu;
  return {};
}

}  // namespace ts::dpdk
