// A hierarchical timing wheel (Varghese and Lauck, 1987) for millions of connection timers.
//
// Timers are named by a uint32_t id below the capacity given at construction, normally the index
// of the caller's connection (or connection * kinds + kind): the wheel keeps one 16-byte node per
// id (two list links and the expiry tick) in an array of its own, so arming allocates nothing and
// the caller's objects stay as they are. Arm and cancel are O(1): a node is linked into, or
// unlinked from, a circular list whose head lives in the same array.
//
// Six levels of 64 slots; level L holds timers 64^L to 64^(L+1) ticks away and hands them down a
// level when its slot comes round (the cascade), so a timer fires in the tick of its deadline,
// never earlier, and at most one tick late if advance() is called every tick. With 1 ms ticks the
// levels reach 2.2 years; timers further out wait in the top level and are re-placed when it
// turns. A 64-bit occupancy mask per level lets advance() jump over empty ticks, so a long idle
// gap costs a few instructions per level, not one step per tick.
//
// Work per advance() is bounded: at most `max` expirations and 8 * max cascade moves; what is left
// stays for the next call (behind() says whether there is any).
// Single-threaded: one wheel per lcore.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tcp/time.h"
#include "wire/prefetch.h"

namespace ts::tcp {

using TimerId = uint32_t;

class TimerWheel {
 public:
  static constexpr int kLevels = 6;
  static constexpr int kSlotBits = 6;
  static constexpr uint32_t kSlots = 1u << kSlotBits;
  static constexpr uint32_t kMovesPerExpiry = 8;  // cascade budget per expiration allowed

  // Ids 0 .. capacity-1; `tick` is the resolution (1 ms suits RTO, keepalive and TIME-WAIT);
  // `start` is the current time, from which the first advance() continues.
  explicit TimerWheel(uint32_t capacity, Time tick = kMsec, Time start = 0);

  // Arms timer `id` (re-arms it if armed) to fire at the first advance() whose `now` reaches
  // `deadline` rounded up to a tick boundary. A deadline already past fires at the next advance.
  void arm(TimerId id, Time deadline);
  // Disarms `id`; a no-op when it is not armed.
  void cancel(TimerId id);
  bool armed(TimerId id) const { return nodes_[id].next != kUnlinked; }
  // Asks for the line of timer `id` ahead of an arm() or cancel() of it (a cold one, for
  // instance a TIME-WAIT timer that has waited for most of a turn).
  void prefetch(TimerId id) const { wire::prefetch_line(&nodes_[id]); }
  // The time an armed timer fires at: its deadline rounded up to the tick.
  Time expiry(TimerId id) const { return nodes_[id].expires * tick_; }

  // Expires timers due at `now` in deadline order (tick by tick), writing at most `max` ids into
  // `out`; returns how many. Expired timers are disarmed before their id is returned, so the
  // caller may re-arm them at once.
  uint32_t advance(Time now, TimerId* out, uint32_t max);
  // True when timers due at `now` remain (the last advance ran out of budget).
  bool behind(Time now) const { return next_event(cur_, now / tick_ + 1) <= now / tick_; }

  size_t size() const { return armed_; }
  uint32_t capacity() const { return capacity_; }
  Time tick() const { return tick_; }

  struct Stats {
    uint64_t expired = 0;
    uint64_t cascaded = 0;  // timers moved down a level
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kUnlinked = ~0u;
  struct Node {
    uint32_t next;
    uint32_t prev;
    uint64_t expires;  // in ticks
  };

 public:
  static constexpr size_t kBytesPerTimer = sizeof(Node);

 private:
  uint32_t head(int level, uint32_t slot) const { return capacity_ + level * kSlots + slot; }
  void place(uint32_t id);
  void unlink(uint32_t id);
  bool cascade(uint64_t& moves);
  uint64_t next_event(uint64_t from, uint64_t limit) const;

  std::vector<Node> nodes_;  // capacity_ timers, then one list head per slot
  uint64_t occupied_[kLevels] = {};
  uint64_t cur_;  // the first tick not yet fully processed
  Time tick_;
  size_t armed_ = 0;
  uint32_t capacity_;
  Stats stats_;
};

}  // namespace ts::tcp
