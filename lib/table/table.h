// The connection table: one Shard per RX queue. Shard q belongs to the lcore polling queue q,
// which alone writes it; any thread may read any shard (see shard.h for the protocol).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "table/shard.h"

namespace ts::table {

class Table {
 public:
  // `per_shard.capacity` entries in each of `shards` shards; each shard's seed is derived from
  // per_shard.seed and its queue number. nullptr when shards is 0 or a shard cannot be created.
  static std::unique_ptr<Table> create(unsigned shards, const Config& per_shard);

  unsigned shards() const { return static_cast<unsigned>(shards_.size()); }
  Shard& shard(unsigned queue) { return *shards_[queue]; }
  const Shard& shard(unsigned queue) const { return *shards_[queue]; }
  // Entries in all shards; a sum of per-shard snapshots while writers run.
  uint64_t size() const;
  size_t memory_bytes() const;

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace ts::table
