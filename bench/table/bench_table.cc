// bench_table: the connection table's shard against std::unordered_map and, when DPDK is there,
// rte_hash in its lock-free reader mode, at 1 k, 1 M and 10 M entries.
#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <unordered_map>

#include "harness.h"
#include "table/shard.h"
#ifdef TS_BENCH_RTE_HASH
#include "rte_hash_adapter.h"
#endif

namespace ts::table::bench {
namespace {

// Every shard variant lives in its own mmap, so that none of them depends on where malloc
// happens to put 27 MB (heap or mmap, by glibc's moving threshold): 4 KiB pages unless `huge`,
// in which case transparent huge pages are asked for, as DPDK hugepages would give the datapath.
template <HashMode kMode, bool kHuge>
struct ShardAdapter {
  explicit ShardAdapter(size_t capacity) {
    const size_t bytes = Shard::bytes_for(static_cast<uint32_t>(capacity));
    length = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    // One extra huge page of slack to align the start on a huge page boundary.
    raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (raw == MAP_FAILED) std::abort();
    auto* start = reinterpret_cast<char*>(
        (reinterpret_cast<uintptr_t>(raw) + kHugePage - 1) / kHugePage * kHugePage);
    madvise(start, length, kHuge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    shard = Shard::create_in(
        {.capacity = static_cast<uint32_t>(capacity), .hash_mode = kMode}, start, length);
    if (!shard) std::abort();
  }
  ~ShardAdapter() {
    shard.reset();
    munmap(raw, length + kHugePage);
  }
  bool insert(const tcp::FourTuple& t, uint32_t h, uint64_t v) {
    return shard->insert(t, h, v) == InsertResult::kInserted;
  }
  bool find(const tcp::FourTuple& t, uint32_t h, uint64_t& v) {
    const auto r = shard->find(t, h);
    v = r.value_or(0);
    return r.has_value();
  }
  bool erase(const tcp::FourTuple& t, uint32_t h) { return shard->erase(t, h).has_value(); }
  uint64_t find_bulk(const tcp::FourTuple* t, const uint32_t* h, unsigned n, uint64_t* v) {
    return shard->find_bulk(t, h, n, v);
  }
  double bytes() const { return static_cast<double>(shard->memory_bytes()); }

  static constexpr size_t kHugePage = size_t{2} << 20;
  void* raw = nullptr;
  size_t length = 0;
  std::unique_ptr<Shard> shard;
};

struct ShardMix : ShardAdapter<HashMode::kMixTuple, false> {
  static constexpr const char* kName = "shard";
  using ShardAdapter::ShardAdapter;
};

// Trusting the RSS hash instead of folding in the tuple: what the fold costs.
struct ShardRssOnly : ShardAdapter<HashMode::kRssOnly, false> {
  static constexpr const char* kName = "shard_rss_only";
  using ShardAdapter::ShardAdapter;
};

// What the TLB costs the others at 1 M and 10 M entries.
struct ShardThp : ShardAdapter<HashMode::kMixTuple, true> {
  static constexpr const char* kName = "shard_thp";
  using ShardAdapter::ShardAdapter;
};

// std::unordered_map keyed by the tuple. It cannot take the RSS hash, so it gets a hash as cheap
// as the shard's own tuple mix (one 64x64 multiply).
struct StdMap {
  static constexpr const char* kName = "std_unordered_map";
  struct Hash {
    size_t operator()(const tcp::FourTuple& t) const {
      const uint64_t a = (uint64_t{t.laddr} << 32 | t.raddr) ^ 0x243f6a8885a308d3ull;
      const uint64_t b = (uint64_t{t.lport} << 16 | t.rport) ^ 0x13198a2e03707344ull;
      __extension__ const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
      return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
    }
  };
  explicit StdMap(size_t capacity) {
    const size_t before = mallinfo2().uordblks;
    map.reserve(capacity);
    base = before;
  }
  bool insert(const tcp::FourTuple& t, uint32_t, uint64_t v) { return map.emplace(t, v).second; }
  bool find(const tcp::FourTuple& t, uint32_t, uint64_t& v) {
    const auto it = map.find(t);
    if (it == map.end()) return false;
    v = it->second;
    return true;
  }
  bool erase(const tcp::FourTuple& t, uint32_t) { return map.erase(t) == 1; }
  uint64_t find_bulk(const tcp::FourTuple* t, const uint32_t* h, unsigned n, uint64_t* v) {
    uint64_t hits = 0;
    for (unsigned i = 0; i < n; ++i) hits |= uint64_t{find(t[i], h[i], v[i])} << i;
    return hits;
  }
  double bytes() const { return static_cast<double>(mallinfo2().uordblks - base); }
  std::unordered_map<tcp::FourTuple, uint64_t, Hash> map;
  size_t base = 0;
};

}  // namespace
}  // namespace ts::table::bench

int main(int argc, char** argv) {
  using namespace ts::table::bench;
#ifdef TS_BENCH_RTE_HASH
  const bool have_rte_hash = start_eal(argv[0]);
  if (!have_rte_hash) std::fprintf(stderr, "EAL did not start: rte_hash is left out\n");
#endif
  benchmark::Initialize(&argc, argv);
  for (const int64_t n : kSizes) {
    register_size<ShardMix>(n);
    register_size<ShardRssOnly>(n);
    register_size<ShardThp>(n);
    register_size<StdMap>(n);
#ifdef TS_BENCH_RTE_HASH
    if (have_rte_hash) register_rte_hash(n);
#endif
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
