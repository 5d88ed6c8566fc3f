// Shard creation and the writer side: insert (with cuckoo displacement), erase, update.
#include "table/shard.h"

#include <cassert>
#include <new>

namespace ts::table {
namespace {

// At most 0.9 of the slots hold entries: an 8-way, 2-choice cuckoo table fills to about 0.98
// before inserts start to fail, and the margin keeps displacement paths short.
constexpr uint64_t kLoadNum = 9;
constexpr uint64_t kLoadDen = 10;
// Tiny shards still get enough buckets that a bucket being its own alternate (probability about
// 1/buckets per tag) stays rare.
constexpr uint32_t kMinBuckets = 16;
// Breadth-first search for a displacement path, bounded in length and in buckets looked at:
// 2 + 16 + 128 + ... buckets per level, so 512 nodes reach depth 4 with room to spare.
constexpr unsigned kMaxDepth = 5;
constexpr unsigned kMaxNodes = 512;

uint32_t buckets_for(uint32_t capacity) {
  const uint64_t per_bucket = detail::kSlots * kLoadNum;  // entries per bucket, times kLoadDen
  const uint64_t n = (uint64_t{capacity} * kLoadDen + per_bucket - 1) / per_bucket;
  return n < kMinBuckets ? kMinBuckets : static_cast<uint32_t>(n);
}

bool valid(const Config& c) { return c.capacity >= 1 && c.capacity <= Shard::kMaxCapacity; }

// Two independent words from the caller's seed (splitmix64), so one seed sets both multipliers.
detail::Seed expand(uint64_t seed) {
  auto next = [&seed] {
    uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  const uint64_t k0 = next();
  return {k0, next()};
}

detail::Bucket* construct_buckets(void* memory, uint32_t n) {
  auto* b = static_cast<detail::Bucket*>(memory);
  for (uint32_t i = 0; i < n; ++i) new (&b[i]) detail::Bucket{};
  return b;
}

}  // namespace

size_t Shard::bytes_for(uint32_t capacity) {
  if (capacity < 1 || capacity > kMaxCapacity) return 0;
  return size_t{buckets_for(capacity)} * sizeof(detail::Bucket);
}

std::unique_ptr<Shard> Shard::create(const Config& config) {
  if (!valid(config)) return nullptr;
  const uint32_t n = buckets_for(config.capacity);
  void* memory = ::operator new(size_t{n} * sizeof(detail::Bucket),
                                std::align_val_t{alignof(detail::Bucket)}, std::nothrow);
  if (memory == nullptr) return nullptr;
  std::unique_ptr<Shard> shard(
      new (std::nothrow) Shard(config, n, construct_buckets(memory, n), /*owned=*/true));
  if (!shard) ::operator delete(memory, std::align_val_t{alignof(detail::Bucket)});
  return shard;
}

std::unique_ptr<Shard> Shard::create_in(const Config& config, void* memory, size_t bytes) {
  if (!valid(config) || memory == nullptr || bytes < bytes_for(config.capacity) ||
      reinterpret_cast<uintptr_t>(memory) % alignof(detail::Bucket) != 0)
    return nullptr;
  const uint32_t n = buckets_for(config.capacity);
  return std::unique_ptr<Shard>(
      new (std::nothrow) Shard(config, n, construct_buckets(memory, n), /*owned=*/false));
}

Shard::Shard(const Config& config, uint32_t n_buckets, detail::Bucket* buckets, bool owned)
    : buckets_(buckets),
      n_buckets_(n_buckets),
      capacity_(config.capacity),
      seed_(expand(config.seed)),
      mode_(config.hash_mode),
      owned_(owned) {}

Shard::~Shard() {
  // Buckets are trivially destructible (atomics of integers): only the memory goes back.
  if (owned_) ::operator delete(buckets_, std::align_val_t{alignof(detail::Bucket)});
}

Shard::Located Shard::locate(const tcp::FourTuple& t, uint32_t hash) const {
  const detail::Place p = place(t, hash);
  const uint64_t addrs = detail::pack_addrs(t);
  const uint32_t ports = detail::pack_ports(t);
  int s = detail::match_slot(buckets_[p.bucket], p.tag, addrs, ports);
  if (s >= 0) return {p.bucket, s};
  const uint32_t a = alt(p.bucket, p.tag);
  return {a, detail::match_slot(buckets_[a], p.tag, addrs, ports)};
}

InsertResult Shard::insert(const tcp::FourTuple& t, uint32_t hash, uint64_t value) {
  const detail::Place p = place(t, hash);
  const uint32_t a = alt(p.bucket, p.tag);
  const uint64_t addrs = detail::pack_addrs(t);
  const uint32_t ports = detail::pack_ports(t);
  if (detail::match_slot(buckets_[p.bucket], p.tag, addrs, ports) >= 0 ||
      detail::match_slot(buckets_[a], p.tag, addrs, ports) >= 0)
    return InsertResult::kExists;
  return insert_new(p, a, addrs, ports, value);
}

InsertResult Shard::insert_absent(const tcp::FourTuple& t, uint32_t hash, uint64_t value) {
  return insert_absent(t, place(t, hash), value);
}

InsertResult Shard::insert_absent(const tcp::FourTuple& t, Place p, uint64_t value) {
  assert(!find(t, p));
  return insert_new(p, alt(p.bucket, p.tag), detail::pack_addrs(t), detail::pack_ports(t), value);
}

InsertResult Shard::insert_new(const detail::Place& p, uint32_t a, uint64_t addrs, uint32_t ports, uint64_t value) {
  const uint32_t size = size_.load(std::memory_order_relaxed);
  if (size >= capacity_) return InsertResult::kTableFull;

  uint32_t bucket = p.bucket;
  int slot = detail::empty_slot(buckets_[bucket]);
  if (slot < 0) {
    bucket = a;
    slot = detail::empty_slot(buckets_[bucket]);
  }
  if (slot < 0 && !make_room(p.bucket, a, bucket, slot)) {
    no_room_.store(no_room_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return InsertResult::kNoRoom;
  }
  write_slot(bucket, static_cast<unsigned>(slot), p.tag, addrs, ports, value);
  size_.store(size + 1, std::memory_order_relaxed);
  return InsertResult::kInserted;
}

std::optional<uint64_t> Shard::erase(const tcp::FourTuple& t, uint32_t hash) {
  const Located at = locate(t, hash);
  if (at.slot < 0) return std::nullopt;
  const uint64_t value = buckets_[at.bucket].entries[at.slot].value.load(std::memory_order_relaxed);
  clear_slot(at.bucket, static_cast<unsigned>(at.slot));
  size_.store(size_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  return value;
}

bool Shard::update(const tcp::FourTuple& t, uint32_t hash, uint64_t value) {
  const Located at = locate(t, hash);
  if (at.slot < 0) return false;
  // One word, so no seqlock: a reader that matched the key sees the old value or the new one.
  buckets_[at.bucket].entries[at.slot].value.store(value, std::memory_order_release);
  return true;
}

void Shard::write_slot(uint32_t bucket, unsigned slot, uint16_t tag, uint64_t addrs,
                       uint32_t ports, uint64_t value) {
  detail::Bucket& b = buckets_[bucket];
  detail::begin_write(b);
  b.entries[slot].addrs.store(addrs, std::memory_order_relaxed);
  b.ports[slot].store(ports, std::memory_order_relaxed);
  b.entries[slot].value.store(value, std::memory_order_relaxed);
  detail::set_tag(b, slot, tag);
  detail::end_write(b);
}

void Shard::clear_slot(uint32_t bucket, unsigned slot) {
  detail::Bucket& b = buckets_[bucket];
  detail::begin_write(b);
  detail::set_tag(b, slot, 0);
  detail::end_write(b);
}

// Copy first, count, then clear (protocol rule 2 in shard.h): the entry is never absent from
// both buckets, and a reader that saw the old slot cleared also sees the new move count, because
// the count is stored before clear_slot's release fence.
void Shard::move_entry(uint32_t from_bucket, unsigned from_slot, uint32_t to_bucket,
                       unsigned to_slot) {
  const detail::Bucket& f = buckets_[from_bucket];
  write_slot(to_bucket, to_slot, detail::tag_at(f, from_slot),
             f.entries[from_slot].addrs.load(std::memory_order_relaxed),
             f.ports[from_slot].load(std::memory_order_relaxed),
             f.entries[from_slot].value.load(std::memory_order_relaxed));
  moves_.store(moves_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  clear_slot(from_bucket, from_slot);
}

// Breadth-first search from both full buckets for a chain of entries, each movable to its other
// bucket, ending at a bucket with a free slot; then the chain is shifted from its free end, so
// that each move goes into a slot already emptied. Buckets on one chain are distinct, so no
// entry is moved twice. On success, (bucket, slot) is the slot freed in b0 or b1.
bool Shard::make_room(uint32_t b0, uint32_t b1, uint32_t& bucket, int& slot) {
  struct Node {
    uint32_t bucket;
    int16_t parent;     // index in the queue, -1 at a root
    uint8_t from_slot;  // slot of the parent's bucket whose entry would move here
    uint8_t depth;
  };
  Node q[kMaxNodes];
  unsigned tail = 0;
  q[tail++] = {b0, -1, 0, 0};
  if (b1 != b0) q[tail++] = {b1, -1, 0, 0};
  auto on_chain = [&q](int i, uint32_t b) {
    for (; i >= 0; i = q[i].parent)
      if (q[i].bucket == b) return true;
    return false;
  };
  for (unsigned head = 0; head < tail; ++head) {
    const Node node = q[head];
    for (unsigned s = 0; s < detail::kSlots; ++s) {
      const uint32_t next = alt(node.bucket, detail::tag_at(buckets_[node.bucket], s));
      if (on_chain(static_cast<int>(head), next)) continue;
      const int free_slot = detail::empty_slot(buckets_[next]);
      if (free_slot >= 0) {
        uint32_t to_bucket = next;
        unsigned to_slot = static_cast<unsigned>(free_slot);
        uint32_t from_bucket = node.bucket;
        unsigned from = s;
        for (int i = static_cast<int>(head);; i = q[i].parent) {
          move_entry(from_bucket, from, to_bucket, to_slot);
          to_bucket = from_bucket;
          to_slot = from;
          if (q[i].parent < 0) break;
          from_bucket = q[q[i].parent].bucket;
          from = q[i].from_slot;
        }
        bucket = to_bucket;
        slot = static_cast<int>(to_slot);
        return true;
      }
      if (node.depth + 1u < kMaxDepth && tail < kMaxNodes)
        q[tail++] = {next, static_cast<int16_t>(head), static_cast<uint8_t>(s),
                     static_cast<uint8_t>(node.depth + 1)};
    }
  }
  return false;
}

}  // namespace ts::table
