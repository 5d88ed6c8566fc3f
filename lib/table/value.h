// The 64-bit word a shard stores for a tuple: a tagged pointer or index naming what the datapath
// keeps for that connection (full connection block, compact TIME-WAIT entry, half-open entry).
#pragma once
#include <cassert>
#include <cstdint>

namespace ts::table {

// The two low bits of a value carry its kind; the rest is an index or a pointer whose alignment
// (at least 4 bytes, which every connection object has) leaves those bits free. A reader that
// finds a value therefore knows which pool to look in before it dereferences anything.
enum class EntryKind : uint64_t {
  kConnection = 0,  // a connection block (ESTABLISHED and every state after it)
  kTimeWait = 1,    // a compact TIME-WAIT entry
  kHalfOpen = 2,    // a SYN-RECEIVED entry waiting for the final ACK
  kOther = 3,       // free for the datapath's own use
};

inline constexpr uint64_t kKindBits = 2;
inline constexpr uint64_t kKindMask = (uint64_t{1} << kKindBits) - 1;
inline constexpr uint64_t kMaxIndex = ~uint64_t{0} >> kKindBits;

constexpr uint64_t make_value(EntryKind kind, uint64_t index) {
  assert(index <= kMaxIndex);
  return index << kKindBits | static_cast<uint64_t>(kind);
}

inline uint64_t make_value(EntryKind kind, const void* object) {
  const auto bits = reinterpret_cast<uintptr_t>(object);
  assert((bits & kKindMask) == 0);
  return bits | static_cast<uint64_t>(kind);
}

constexpr EntryKind kind_of(uint64_t value) { return static_cast<EntryKind>(value & kKindMask); }
constexpr uint64_t index_of(uint64_t value) { return value >> kKindBits; }

template <class T>
T* pointer_of(uint64_t value) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(value & ~kKindMask));
}

}  // namespace ts::table
