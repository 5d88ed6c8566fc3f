// rte_hash as the shard's rival: lock-free reader mode (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF),
// looked up with the precomputed hash, sized for the same load as the shard (0.9 of its slots).
#include "rte_hash_adapter.h"

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include <atomic>
#include <string>

#include "harness.h"

namespace ts::table::bench {
namespace {

size_t heap_bytes() {
  rte_malloc_socket_stats s{};
  rte_malloc_get_socket_stats(0, &s);
  return s.heap_allocsz_bytes;
}

struct RteHash {
  static constexpr const char* kName = "rte_hash_lf";
  explicit RteHash(size_t capacity) {
    static std::atomic<int> serial{0};
    const std::string name = "bench" + std::to_string(serial++);
    rte_hash_parameters p{};
    p.name = name.c_str();
    p.entries = static_cast<uint32_t>(capacity * 10 / 9 + 8);
    p.key_len = sizeof(tcp::FourTuple);
    p.hash_func = rte_hash_crc;
    p.socket_id = 0;
    p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
    const size_t before = heap_bytes();
    h = rte_hash_create(&p);
    base = before;
    if (h == nullptr) {
      std::fprintf(stderr, "rte_hash_create(%zu) failed\n", capacity);
      std::abort();
    }
  }
  ~RteHash() { rte_hash_free(h); }
  bool insert(const tcp::FourTuple& t, uint32_t hash, uint64_t v) {
    return rte_hash_add_key_with_hash_data(h, &t, hash, reinterpret_cast<void*>(v)) == 0;
  }
  bool find(const tcp::FourTuple& t, uint32_t hash, uint64_t& v) {
    void* data;
    if (rte_hash_lookup_with_hash_data(h, &t, hash, &data) < 0) return false;
    v = reinterpret_cast<uint64_t>(data);
    return true;
  }
  // In lock-free mode a deleted key's slot is reclaimed only on request, after readers are done;
  // with no readers here it is reclaimed at once.
  bool erase(const tcp::FourTuple& t, uint32_t hash) {
    const int32_t pos = rte_hash_del_key_with_hash(h, &t, hash);
    if (pos < 0) return false;
    return rte_hash_free_key_with_position(h, pos) == 0;
  }
  uint64_t find_bulk(const tcp::FourTuple* t, const uint32_t* hashes, unsigned n, uint64_t* v) {
    const void* keys[RTE_HASH_LOOKUP_BULK_MAX];
    hash_sig_t sigs[RTE_HASH_LOOKUP_BULK_MAX];
    for (unsigned i = 0; i < n; ++i) {
      keys[i] = &t[i];
      sigs[i] = hashes[i];
    }
    uint64_t hits = 0;
    rte_hash_lookup_with_hash_bulk_data(h, keys, sigs, n, &hits, reinterpret_cast<void**>(v));
    return hits;
  }
  double bytes() const { return static_cast<double>(heap_bytes() - base); }
  rte_hash* h = nullptr;
  size_t base = 0;
};

}  // namespace

bool start_eal(const char* program) {
  const char* args[] = {program,         "--no-huge",      "-m",          "3072",
                        "--no-pci",      "--file-prefix",  "bench_table", "--log-level",
                        "lib.eal:error", "--no-telemetry", "-l",          "0"};
  int argc = static_cast<int>(sizeof(args) / sizeof(args[0]));
  return rte_eal_init(argc, const_cast<char**>(args)) >= 0;
}

void register_rte_hash(int64_t n) { register_size<RteHash>(n); }

}  // namespace ts::table::bench
