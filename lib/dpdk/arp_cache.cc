#include "dpdk/arp_cache.h"

#include <cstring>

namespace ts::dpdk {

namespace {
uint64_t pack(const wire::Mac& m) {
  uint64_t v = 0;
  std::memcpy(&v, m.b, 6);
  return v;
}
wire::Mac unpack(uint64_t v) {
  wire::Mac m;
  std::memcpy(m.b, &v, 6);
  return m;
}
}  // namespace

ArpCache::ArpCache(uint32_t capacity, tcp::Time timeout)
    : mask_(capacity - 1), timeout_(timeout), e_(new Entry[capacity]) {}

void ArpCache::write(Entry& e, uint32_t ip, const wire::Mac& mac, tcp::Time expires) {
  uint32_t s = e.seq.load(std::memory_order_relaxed);
  e.seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  e.ip.store(ip, std::memory_order_relaxed);
  e.mac.store(pack(mac), std::memory_order_relaxed);
  e.expires.store(expires, std::memory_order_relaxed);
  e.seq.store(s + 2, std::memory_order_release);
  version_.fetch_add(1, std::memory_order_release);
}

bool ArpCache::update(uint32_t ip, const wire::Mac& mac, tcp::Time now) {
  Entry* victim = nullptr;
  uint64_t oldest = ~0ull;
  for (uint32_t i = 0; i < kMaxProbe; i++) {
    Entry& e = e_[(slot(ip) + i) & mask_];
    uint32_t eip = e.ip.load(std::memory_order_relaxed);
    if (eip == ip || eip == 0) {
      write(e, ip, mac, now + timeout_);
      return true;
    }
    uint64_t exp = e.expires.load(std::memory_order_relaxed);
    if (exp < oldest) oldest = exp, victim = &e;
  }
  // Reuse the entry that expired longest ago, but only if it expired beyond its stale period.
  if (victim && oldest + timeout_ <= now) {
    write(*victim, ip, mac, now + timeout_);
    return true;
  }
  return false;
}

bool ArpCache::contains(uint32_t ip) const {
  for (uint32_t i = 0; i < kMaxProbe; i++) {
    uint32_t eip = e_[(slot(ip) + i) & mask_].ip.load(std::memory_order_relaxed);
    if (eip == ip) return true;
    if (eip == 0) return false;
  }
  return false;
}

// Seqlock read: retry while the writer is inside the entry.
bool ArpCache::read(const Entry& e, uint32_t* ip, wire::Mac* mac, tcp::Time* expires) {
  uint32_t s1;
  uint64_t m;
  do {
    s1 = e.seq.load(std::memory_order_acquire);
    *ip = e.ip.load(std::memory_order_relaxed);
    m = e.mac.load(std::memory_order_relaxed);
    *expires = e.expires.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
  } while ((s1 & 1) || e.seq.load(std::memory_order_relaxed) != s1);
  *mac = unpack(m);
  return true;
}

ArpCache::Result ArpCache::lookup(uint32_t ip, tcp::Time now, wire::Mac* mac, tcp::Time* expires) const {
  for (uint32_t i = 0; i < kMaxProbe; i++) {
    uint32_t eip;
    wire::Mac m;
    tcp::Time exp;
    read(e_[(slot(ip) + i) & mask_], &eip, &m, &exp);
    if (eip == 0) return Result::kMiss;
    if (eip != ip) continue;
    if (now >= exp + timeout_) return Result::kMiss;
    *mac = m;
    if (expires) *expires = exp;
    return now < exp ? Result::kHit : Result::kStale;
  }
  return Result::kMiss;
}

}  // namespace ts::dpdk
