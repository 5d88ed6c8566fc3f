// DPDK log types of the datapath, named as DPDK names its own (`--log-level=lib.turnstile.*:debug`).
#pragma once
#include <rte_log.h>

namespace ts::dpdk {

extern int logtype_arp;   // lib.turnstile.arp: address conflicts, neighbour resolution
extern int logtype_port;  // lib.turnstile.port: port set-up

}  // namespace ts::dpdk

#define TS_LOG(level, type, fmt, ...) \
  rte_log(RTE_LOG_##level, ts::dpdk::logtype_##type, "turnstile: " fmt "\n" __VA_OPT__(, ) __VA_ARGS__)
