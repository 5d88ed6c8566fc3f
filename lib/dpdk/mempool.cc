#include "dpdk/mempool.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <unistd.h>

#include <algorithm>
#include <bit>

namespace ts::dpdk {

uint32_t mbufs_needed(const Profile& p, uint16_t queues, uint16_t workers, uint32_t send_buffers,
                      unsigned lcores) {
  if (p.port.mbufs) return p.port.mbufs;
  uint64_t n = uint64_t(queues) * (p.port.rx_descriptors + p.port.tx_descriptors + 4u * p.port.burst);
  n += uint64_t(queues) * p.stack.rx_ring_size;
  n += uint64_t(queues) * p.stack.out_of_order_mbufs;
  // Data a worker holds, at most a ring's worth a pair; inline handlers hold none past the call.
  n += uint64_t(queues) * workers * p.stack.app_ring_size;
  n += uint64_t(lcores + 1) * p.port.mbuf_cache;
  n += send_buffers;
  uint64_t r = std::bit_ceil(n + 1) - 1;
  return static_cast<uint32_t>(std::min<uint64_t>(r, (1u << 22) - 1));
}

// What a pool of `mbufs` takes of EAL's memory, rounded up to MiB. An object may not straddle a
// page (a NIC reads its buffer as one IOVA-contiguous piece), so without hugepages each mbuf of
// about 2.3 KiB takes a 4 KiB page of its own: counted as mbufs x size, a pool of 140,000 said
// "about 324 MiB of 511 MiB free" and failed (it needs 547).
// Sets `page_each` to the page size when every mbuf takes a page of its own.
static uint64_t pool_mib(uint32_t mbufs, uint64_t* page_each) {
  const uint64_t obj = rte_mempool_calc_obj_size(sizeof(rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE, 0, nullptr);
  const uint64_t page = rte_eal_has_hugepages() ? 0 : static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t bytes = obj * mbufs;
  if (page != 0 && obj <= page) bytes = (mbufs + page / obj - 1) / (page / obj) * page;
  *page_each = page != 0 && page / obj == 1 ? page : 0;
  return (bytes + (1u << 20) - 1) >> 20;
}

rte_mempool* create_pool(const std::string& name, uint32_t mbufs, uint16_t cache, std::string* err) {
  cache = std::min<uint16_t>(cache, RTE_MEMPOOL_CACHE_MAX_SIZE);
  rte_mempool* mp = rte_pktmbuf_pool_create(name.c_str(), mbufs, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                            static_cast<int>(rte_socket_id()));
  if (!mp && rte_errno == EINVAL && uint64_t(cache) * 3 / 2 > mbufs) {
    // DPDK's rule: a per-lcore cache flushes at 1.5 times its size, which the pool must hold.
    *err = "[port] mbufs " + std::to_string(mbufs) + " is too few for a per-lcore cache of " + std::to_string(cache) +
           " ([port] mbuf_cache): at least " + std::to_string(uint64_t(cache) * 3 / 2);
  } else if (!mp) {
    const int why = rte_errno;
    uint64_t page = 0;
    const uint64_t mib = pool_mib(mbufs, &page);
    // What EAL's heap has left: -m counts what EAL itself and the PMDs took before the pool.
    std::string heap;
    if (rte_malloc_socket_stats st; rte_malloc_get_socket_stats(static_cast<int>(rte_socket_id()), &st) == 0)
      heap = "; " + std::to_string(st.heap_freesz_bytes >> 20) + " MiB free in EAL's heap, largest piece " +
             std::to_string(st.greatest_free_size >> 20) + " MiB";
    const std::string paged = page ? ", a " + std::to_string(page >> 10) + " KiB page each without hugepages" : "";
    *err = "cannot create the mbuf pool (" + std::to_string(mbufs) + " mbufs need " + std::to_string(mib) + " MiB" +
           paged + heap + "): " + rte_strerror(why) + "; give EAL more memory (-m) or set [port] mbufs";
  }
  return mp;
}

}  // namespace ts::dpdk
