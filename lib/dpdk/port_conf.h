// How an ethdev is configured for a profile: RSS with the symmetric key where the PMD can do it,
// checksum offloads as asked, the MTU; from the PMD's rte_eth_dev_info alone, so that a test can
// hand it any PMD's capabilities without the NIC.
#pragma once
#include <rte_ethdev.h>

#include <cstdint>
#include <string>

#include "dpdk/profile.h"

namespace ts::dpdk {

// Fills *conf and sets *rss_hw, *rx_cs, *tx_cs; "" or a one-line reason the port cannot work so.
std::string port_conf(const PortProfile& p, const rte_eth_dev_info& info, uint16_t queues, const std::string& name,
                      rte_eth_conf* conf, bool* rss_hw, bool* rx_cs, bool* tx_cs);

}  // namespace ts::dpdk
