// lib/dpdk/pmd_guard's munmap passes the unmap on to a sanitizer's munmap interceptor where the
// runtime has one (TSan; ASan from LLVM 15), so that its shadow of the range is cleared too. No
// sanitizer here (meson builds this only without one): the test's own __interceptor_munmap
// stands in for the runtime's, as the weak reference in pmd_guard.cc would find it.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "dpdk/pmd_guard.h"

namespace pg = ts::dpdk::pmd_guard;

namespace {
std::atomic<int> g_calls{0};
void* g_addr = nullptr;
size_t g_len = 0;
uint64_t g_waits_seen = 0;
}  // namespace

extern "C" int __interceptor_munmap(void* addr, size_t len) {  // NOLINT: the runtime's name
  g_calls.fetch_add(1);
  g_addr = addr;
  g_len = len;
  g_waits_seen = pg::waits();
  return static_cast<int>(syscall(SYS_munmap, addr, len));
}

TEST(PmdGuardPassOn, an_unmap_reaches_the_interceptor_once_after_the_guard_and_unmaps) {
  std::atomic<bool> entered{false};
  const uint64_t before = pg::waits();
  std::thread reader([&] {
    pg::Reader* r = pg::enter();
    ASSERT_NE(r, nullptr);
    entered = true;
    while (pg::waits() == before) std::this_thread::yield();  // the unmap is waiting for us
    r->pass();
    pg::leave(r);
  });
  while (!entered) std::this_thread::yield();
  void* p = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  const int calls = g_calls.load();
  EXPECT_EQ(munmap(p, 8192), 0);
  reader.join();
  EXPECT_EQ(g_calls.load(), calls + 1) << "the unmap did not go through the interceptor, or went twice";
  EXPECT_EQ(g_addr, p);
  EXPECT_EQ(g_len, 8192u);
  EXPECT_GT(g_waits_seen, before) << "the interceptor ran before the guard waited for the reader";
  EXPECT_EQ(msync(p, 8192, MS_ASYNC), -1);  // the range is really gone
  EXPECT_EQ(errno, ENOMEM);
}
