#include "dpdk/log.h"

namespace ts::dpdk {

int logtype_arp = RTE_LOGTYPE_USER1;
int logtype_port = RTE_LOGTYPE_USER1;

RTE_INIT(turnstile_log_init) {
  logtype_arp = rte_log_register_type_and_pick_level("lib.turnstile.arp", RTE_LOG_INFO);
  logtype_port = rte_log_register_type_and_pick_level("lib.turnstile.port", RTE_LOG_INFO);
}

}  // namespace ts::dpdk
