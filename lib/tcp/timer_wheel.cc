#include "tcp/timer_wheel.h"

#include <bit>

namespace ts::tcp {

namespace {

constexpr int shift(int level) { return level * TimerWheel::kSlotBits; }

}  // namespace

TimerWheel::TimerWheel(uint32_t capacity, Time tick, Time start)
    : nodes_(size_t(capacity) + kLevels * kSlots),
      cur_(start / (tick ? tick : 1)),
      tick_(tick ? tick : 1),
      capacity_(capacity) {
  for (uint32_t i = 0; i < capacity_; i++) nodes_[i] = {kUnlinked, kUnlinked, 0};
  for (uint32_t h = capacity_; h < nodes_.size(); h++) nodes_[h] = {h, h, 0};
}

// Level L takes timers 64^L .. 64^(L+1)-1 ticks ahead, in the slot the deadline's level-L digit
// names: that slot next comes round at the deadline with its lower digits cleared, which is ahead
// of cur_ and less than one turn of the level away, so the timer is handed down before it is due.
void TimerWheel::place(uint32_t id) {
  Node& n = nodes_[id];
  const uint64_t delta = n.expires - cur_;
  int level = delta < kSlots ? 0 : (63 - std::countl_zero(delta)) / kSlotBits;
  uint32_t slot;
  if (level < kLevels) {
    slot = (n.expires >> shift(level)) & (kSlots - 1);
  } else {
    // Beyond the wheel: park in the top level's slot that comes round last, then look again.
    level = kLevels - 1;
    slot = ((cur_ >> shift(level)) - 1) & (kSlots - 1);
  }
  const uint32_t h = head(level, slot);
  const uint32_t last = nodes_[h].prev;
  n.next = h;
  n.prev = last;
  nodes_[last].next = id;
  nodes_[h].prev = id;
  occupied_[level] |= 1ull << slot;
}

void TimerWheel::unlink(uint32_t id) {
  Node& n = nodes_[id];
  nodes_[n.prev].next = n.next;
  nodes_[n.next].prev = n.prev;
  // prev == next only when they are the list's head with nothing left on it.
  if (n.prev == n.next) {
    const uint32_t h = n.prev - capacity_;
    occupied_[h / kSlots] &= ~(1ull << (h % kSlots));
  }
  n.next = n.prev = kUnlinked;
}

void TimerWheel::arm(TimerId id, Time deadline) {
  uint64_t e = deadline / tick_ + (deadline % tick_ != 0);
  if (e < cur_) e = cur_;
  if (armed(id)) {
    unlink(id);
  } else {
    armed_++;
  }
  nodes_[id].expires = e;
  place(id);
}

void TimerWheel::cancel(TimerId id) {
  if (!armed(id)) return;
  unlink(id);
  armed_--;
}

// Hands down the slots that come round at cur_. Re-placing never lands a timer back in a slot
// being emptied (it is now less than a turn of that level away), so a partly done cascade can
// simply be run again. False when the move budget ran out first.
bool TimerWheel::cascade(uint64_t& moves) {
  for (int level = 1; level < kLevels; level++) {
    if (cur_ & ((1ull << shift(level)) - 1)) break;
    const uint32_t h = head(level, (cur_ >> shift(level)) & (kSlots - 1));
    while (nodes_[h].next != h) {
      if (moves == 0) return false;
      moves--;
      const uint32_t id = nodes_[h].next;
      unlink(id);
      place(id);
      stats_.cascaded++;
    }
  }
  return true;
}

uint32_t TimerWheel::advance(Time now, TimerId* out, uint32_t max) {
  const uint64_t target = now / tick_;
  uint64_t moves = uint64_t(max) * kMovesPerExpiry;
  uint32_t n = 0;
  while (cur_ <= target) {
    if ((cur_ & (kSlots - 1)) == 0 && !cascade(moves)) return n;
    const uint32_t h = head(0, cur_ & (kSlots - 1));
    while (nodes_[h].next != h) {
      if (n == max) return n;
      const uint32_t id = nodes_[h].next;
      unlink(id);
      armed_--;
      out[n++] = id;
      stats_.expired++;
    }
    cur_ = next_event(cur_ + 1, target + 1);
  }
  return n;
}

// The first tick in [from, limit) at which a level-0 slot expires or a higher slot cascades;
// `limit` when there is none. Every timer on level 0 expires within 64 ticks of `from`, and every
// occupied higher slot comes round within one turn of its level, so rotating each occupancy mask
// to start at `from` and taking its lowest set bit finds the earliest event.
uint64_t TimerWheel::next_event(uint64_t from, uint64_t limit) const {
  if (armed_ == 0) return limit;
  uint64_t best = limit;
  if (occupied_[0]) {
    const uint64_t t = from + std::countr_zero(std::rotr(occupied_[0], int(from & (kSlots - 1))));
    if (t < best) best = t;
  }
  for (int level = 1; level < kLevels; level++) {
    if (!occupied_[level]) continue;
    const uint64_t unit = (from + ((1ull << shift(level)) - 1)) >> shift(level);  // rounded up
    const uint64_t k = std::countr_zero(std::rotr(occupied_[level], int(unit & (kSlots - 1))));
    const uint64_t t = (unit + k) << shift(level);
    if (t < best) best = t;
  }
  return best;
}

}  // namespace ts::tcp
