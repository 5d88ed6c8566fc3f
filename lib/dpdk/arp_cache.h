// The neighbour cache: IPv4 address -> MAC, learned from ARP, valid for a while.
//
// Thread safety: one writer (the lcore that handles ARP, queue 0's), any number of lock-free
// readers (every lcore resolving a next hop). Each entry is a seqlock: a reader retries while
// the writer is halfway through it. Nothing is ever freed, so a reader never follows a dangling
// pointer; expired entries are reused by later updates.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "tcp/time.h"
#include "wire/ether.h"

namespace ts::dpdk {

class ArpCache {
 public:
  enum class Result : uint8_t {
    kHit,    // valid: use it
    kStale,  // expired less than one timeout ago: use it, and ask again (RFC 1122 §2.3.2.1)
    kMiss,   // unknown or long expired: ask and wait
  };

  // capacity: a power of two; timeout: how long an entry stays valid after the last update.
  ArpCache(uint32_t capacity, tcp::Time timeout);

  // Writer only. Learns or refreshes ip -> mac until now + timeout. Returns false if the table
  // is full of live entries (the update is dropped; the next ARP packet retries).
  bool update(uint32_t ip, const wire::Mac& mac, tcp::Time now);
  // Writer only: true when ip is in the table (RFC 826: update only known senders unless the
  // packet is for us).
  bool contains(uint32_t ip) const;

  // Any thread. *expires (when given) gets the end of the entry's valid time.
  Result lookup(uint32_t ip, tcp::Time now, wire::Mac* mac, tcp::Time* expires = nullptr) const;
  // Any thread: changes whenever an entry does. A reader that keeps an answer of lookup()
  // (Lcore's memo of its last next hop) may use it while the version and the expiry hold.
  uint32_t version() const { return version_.load(std::memory_order_acquire); }

  // Any thread: f(ip, mac, expires) for each entry ever learned (a consistent copy of each).
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i <= mask_; i++) {
      uint32_t ip;
      wire::Mac mac;
      tcp::Time expires;
      if (read(e_[i], &ip, &mac, &expires) && ip != 0) f(ip, mac, expires);
    }
  }

  uint32_t capacity() const { return mask_ + 1; }
  tcp::Time timeout() const { return timeout_; }

 private:
  struct alignas(32) Entry {
    std::atomic<uint32_t> seq{0};  // odd while being written
    std::atomic<uint32_t> ip{0};   // 0: never used
    std::atomic<uint64_t> mac{0};  // 48 bits
    std::atomic<uint64_t> expires{0};
  };
  static constexpr uint32_t kMaxProbe = 16;

  uint32_t slot(uint32_t ip) const { return (ip * 2654435761u) & mask_; }
  void write(Entry& e, uint32_t ip, const wire::Mac& mac, tcp::Time expires);
  static bool read(const Entry& e, uint32_t* ip, wire::Mac* mac, tcp::Time* expires);

  uint32_t mask_;
  tcp::Time timeout_;
  std::unique_ptr<Entry[]> e_;
  alignas(64) std::atomic<uint32_t> version_{0};  // read on every frame sent, written rarely
};

}  // namespace ts::dpdk
