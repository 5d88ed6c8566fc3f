#include "rss/reta.h"

namespace ts::rss {

namespace {

// Tables are powers of two because NICs index them with the hash's low bits; a size that is not
// one is rounded down (and bounded) rather than trusted.
uint32_t table_size(uint32_t n) {
  if (n == 0) return 1;
  if (n > Reta::kMaxSize) return Reta::kMaxSize;
  while (n & (n - 1)) n &= n - 1;
  return n;
}

}  // namespace

Reta Reta::round_robin(uint16_t nqueues, uint32_t size) {
  Reta r;
  r.size_ = table_size(size);
  r.nqueues_ = nqueues ? nqueues : 1;
  for (uint32_t i = 0; i < r.size_; i++) r.entries_[i] = static_cast<uint16_t>(i % r.nqueues_);
  return r;
}

Reta Reta::modulo(uint16_t nqueues) {
  Reta r;
  r.nqueues_ = nqueues ? nqueues : 1;
  return r;
}

Reta Reta::from_entries(const uint16_t* entries, uint32_t size) {
  Reta r;
  r.size_ = table_size(size);
  uint16_t highest = 0;
  for (uint32_t i = 0; i < r.size_; i++) {
    r.entries_[i] = entries[i];
    if (entries[i] > highest) highest = entries[i];
  }
  r.nqueues_ = static_cast<uint16_t>(highest + 1);
  return r;
}

}  // namespace ts::rss
