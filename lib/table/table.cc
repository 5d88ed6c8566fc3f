#include "table/table.h"

namespace ts::table {

std::unique_ptr<Table> Table::create(unsigned shards, const Config& per_shard) {
  if (shards == 0) return nullptr;
  auto table = std::make_unique<Table>();
  table->shards_.reserve(shards);
  for (unsigned q = 0; q < shards; ++q) {
    Config c = per_shard;
    c.seed = per_shard.seed + 0x9e3779b97f4a7c15ull * q;
    auto shard = Shard::create(c);
    if (!shard) return nullptr;
    table->shards_.push_back(std::move(shard));
  }
  return table;
}

uint64_t Table::size() const {
  uint64_t n = 0;
  for (const auto& s : shards_) n += s->size();
  return n;
}

size_t Table::memory_bytes() const {
  size_t n = 0;
  for (const auto& s : shards_) n += s->memory_bytes();
  return n;
}

}  // namespace ts::table
