#include "dpdk/pmd_guard.h"

#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace ts::dpdk::pmd_guard {

namespace {

constexpr int kSlots = 128;
Reader g_readers[kSlots];
std::atomic<int> g_online{0};
std::atomic<uint64_t> g_waits{0};
thread_local Reader* t_self = nullptr;

long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

// Registration must come before the first expedited barrier; a kernel or a seccomp profile
// without membarrier leaves the waiter to a second pass() instead (see wait_for_readers).
void register_membarrier() {
  static std::once_flag once;
  std::call_once(once, [] { membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED); });
}

// Whether reader i, seen at epoch `seen`, has since passed enough points or left.
bool cleared(const Reader& r, uint64_t seen, uint64_t passes) {
  return !r.online.load(std::memory_order_acquire) || r.epoch.load(std::memory_order_acquire) - seen >= passes;
}

}  // namespace

Reader* enter() {
  register_membarrier();
  for (Reader& r : g_readers) {
    if (r.taken.exchange(true)) continue;
    r.online.store(true);  // seq_cst: a full barrier before this thread's first burst
    g_online.fetch_add(1);
    return t_self = &r;
  }
  return nullptr;
}

void leave(Reader* r) {
  if (!r) return;
  r->online.store(false, std::memory_order_release);
  g_online.fetch_sub(1);
  r->taken.store(false, std::memory_order_release);
  t_self = nullptr;
}

// A reader never waits: it is in no burst while it unmaps, and two readers unmapping at once
// must not wait for each other. The membarrier makes the PMD's cleared flag (stored before its
// munmap call) visible to every reader's next burst, and every reader's earlier stores visible
// here, so one pass() after it is enough; without it, two passes stand in (a store-to-load
// reordering holds back no more than one).
void wait_for_readers() {
  if (t_self || g_online.load() == 0) return;
  const uint64_t passes = membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0 ? 1 : 2;
  uint64_t seen[kSlots];
  bool pending = false;
  for (int i = 0; i < kSlots; i++) {
    seen[i] = g_readers[i].epoch.load(std::memory_order_acquire);
    pending |= g_readers[i].online.load(std::memory_order_acquire);
  }
  if (!pending) return;
  g_waits.fetch_add(1, std::memory_order_relaxed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kMaxWaitMs);
  for (int i = 0; i < kSlots; i++) {
    while (!cleared(g_readers[i], seen[i], passes) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // the reader may need this CPU
  }
}

uint64_t waits() { return g_waits.load(std::memory_order_relaxed); }

}  // namespace ts::dpdk::pmd_guard

// The PMD's munmap (a dlopened plugin's, resolved through the executable, which exports this
// one: lib/dpdk/meson.build; or the static build's, linked to it). A sanitizer runtime with a
// munmap interceptor (TSan; ASan only from LLVM 15) defines munmap weakly, as an alias of
// __interceptor_munmap: this definition wins the link and passes the unmap on to the interceptor,
// which keeps its shadow right. Without one (clang-14's ASan, or no sanitizer) the weak reference
// is null and the unmap is the syscall. So every build runs guarded.
extern "C" int __interceptor_munmap(void* addr, size_t len) __attribute__((weak));  // NOLINT

extern "C" int munmap(void* addr, size_t len) noexcept {
  ts::dpdk::pmd_guard::wait_for_readers();
  if (__interceptor_munmap) return __interceptor_munmap(addr, len);
  return static_cast<int>(syscall(SYS_munmap, addr, len));
}
