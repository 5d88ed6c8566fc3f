// From an RSS hash to an RX queue, as the NIC does it.
//
// NICs index a redirection table (RETA) with the low bits of the hash; the table holds queue
// numbers. PMDs fill it round robin by default (entry i -> queue i % nqueues), so with a 128-entry
// table the queue is (hash & 127) % nqueues, which differs from hash % nqueues when nqueues does
// not divide 128. Some deployments (software steering, or a RETA the operator programs that way)
// want plain hash % nqueues; the modulo mode gives that.
#pragma once
#include <cstdint>

namespace ts::rss {

class Reta {
 public:
  static constexpr uint32_t kMaxSize = 512;  // largest table of common NICs (ice; mlx5 goes higher)
  static constexpr uint32_t kDefaultSize = 128;

  // Round-robin table of `size` entries (a power of two, at most kMaxSize; other sizes are
  // rounded down to one). nqueues 0 is taken as 1.
  static Reta round_robin(uint16_t nqueues, uint32_t size = kDefaultSize);
  // queue = hash % nqueues, no table.
  static Reta modulo(uint16_t nqueues);
  // A table as programmed into (or read back from) the NIC; size a power of two <= kMaxSize.
  static Reta from_entries(const uint16_t* entries, uint32_t size);

  uint16_t queue_of(uint32_t hash) const {
    return size_ ? entries_[hash & (size_ - 1)] : static_cast<uint16_t>(hash % nqueues_);
  }
  uint16_t nqueues() const { return nqueues_; }
  uint32_t size() const { return size_; }  // 0 in modulo mode
  const uint16_t* entries() const { return entries_; }

 private:
  Reta() = default;

  uint32_t size_ = 0;
  uint16_t nqueues_ = 1;
  uint16_t entries_[kMaxSize] = {};
};

}  // namespace ts::rss
