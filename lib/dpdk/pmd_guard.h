// Keeps a PMD's memory mapped while a poll loop may be inside one of its bursts.
//
// DPDK 22.11's memif PMD, when its peer leaves, clears its CONNECTED flag and then, still on the
// EAL interrupt thread, unmaps the peer's rings and buffers (memif_disconnect ->
// memif_free_regions). An lcore that entered eth_memif_rx/tx before the flag went and is still in
// it then reads unmapped memory: turnstile-server died with SIGSEGV in eth_memif_rx when a
// generator or a flooder exited, most often when the lcore was preempted mid-burst. The PMD offers
// no hook, so the unmap is where we wait: this module defines munmap (the PMD's calls resolve to
// it) and, before unmapping, waits until each poll loop has passed a point outside any burst. A
// burst begun after that point sees the flag cleared and touches nothing.
//
// The loop's side is one relaxed store an iteration (pass()); the waiter makes it enough with
// membarrier(2), which puts a full barrier in every thread of the process (userspace RCU's trick).
#pragma once
#include <atomic>
#include <cstdint>

namespace ts::dpdk::pmd_guard {

struct alignas(64) Reader {
  std::atomic<uint64_t> epoch{0};
  std::atomic<bool> online{false};
  std::atomic<bool> taken{false};
  // A point outside any rx/tx burst: a waiting unmap may go ahead once every reader has passed one.
  void pass() { epoch.store(epoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};

// This thread polls a port from now until leave(): unmaps wait for its pass() points. Returns
// null when every slot is taken (128 threads polling at once: unguarded, as before).
Reader* enter();
void leave(Reader* r);

// While it lives, this thread may be inside a burst and passes no point: an unmap waits for it.
class Section {
 public:
  Section() : r_(enter()) {}
  ~Section() { leave(r_); }
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;
  Reader* reader() const { return r_; }

 private:
  Reader* r_;
};

// What munmap does first: returns once every reader but the calling thread has passed a point
// or left (at most kMaxWaitMs, a backstop against a reader that never comes back). For tests.
void wait_for_readers();
inline constexpr int kMaxWaitMs = 5000;

// How many unmaps waited for a reader.
uint64_t waits();

}  // namespace ts::dpdk::pmd_guard
