// rte_hash in bench_table: built only when DPDK is found.
#pragma once
#include <cstdint>

namespace ts::table::bench {

// rte_eal_init with heap memory only (no hugepages, no devices); false if it fails.
bool start_eal(const char* program);
void register_rte_hash(int64_t n);

}  // namespace ts::table::bench
