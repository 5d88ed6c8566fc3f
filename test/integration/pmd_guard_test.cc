// lib/dpdk/pmd_guard: an unmap waits until every poll loop has passed a point outside its bursts
// (DPDK 22.11's memif unmaps a departed peer's rings under a running rx_burst). No EAL: the
// readers here are threads, the unmap a page of our own.
#include "dpdk/pmd_guard.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <thread>

namespace pg = ts::dpdk::pmd_guard;

namespace {

void* page() {
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_NE(p, MAP_FAILED);
  return p;
}

// A reader enters, then `release` lets it go (pass() or leave()) only once an unmap is seen
// waiting: the unmap must not have returned before, and must return after.
void unmap_waits_for(void (*release)(pg::Reader*)) {
  std::atomic<bool> entered{false}, released{false}, returned{false};
  const uint64_t before = pg::waits();
  std::thread reader([&] {
    pg::Reader* r = pg::enter();
    ASSERT_NE(r, nullptr);
    entered = true;
    while (pg::waits() == before && !returned) std::this_thread::yield();
    EXPECT_FALSE(returned.load()) << "the unmap went ahead of a reader in a burst";
    released = true;
    release(r);
  });
  while (!entered) std::this_thread::yield();
  void* p = page();
  EXPECT_EQ(munmap(p, 4096), 0);
  returned = true;
  EXPECT_TRUE(released.load()) << "munmap returned while the reader had not passed a point";
  reader.join();
}

}  // namespace

TEST(PmdGuard, the_pmds_munmap_is_the_guards) {
  // What a dlopened PMD's call resolves to: the executable's export (lib/dpdk/meson.build).
  void* seen = dlsym(RTLD_DEFAULT, "munmap");
  EXPECT_EQ(seen, reinterpret_cast<void*>(&munmap)) << "a plugin PMD would call libc's munmap unguarded";
  void* libc = dlsym(RTLD_NEXT, "munmap");
  EXPECT_NE(seen, libc);
}

TEST(PmdGuard, an_unmap_waits_until_a_reader_passes_a_point) {
  unmap_waits_for([](pg::Reader* r) {
    r->pass();
    pg::leave(r);
  });
}

TEST(PmdGuard, an_unmap_waits_until_a_reader_leaves) {
  unmap_waits_for([](pg::Reader* r) { pg::leave(r); });
}

TEST(PmdGuard, a_reader_unmaps_without_waiting_for_another) {
  std::atomic<bool> entered{false}, done{false};
  std::thread other([&] {
    pg::Section s;  // in a burst, passing no point, until the end
    entered = true;
    while (!done) std::this_thread::yield();
  });
  while (!entered) std::this_thread::yield();
  {
    pg::Section me;
    const uint64_t before = pg::waits();
    pg::wait_for_readers();
    EXPECT_EQ(pg::waits(), before) << "two readers unmapping at once would wait for each other";
  }
  done = true;
  other.join();
}

TEST(PmdGuard, with_no_reader_an_unmap_does_not_wait_and_munmap_still_works) {
  const uint64_t before = pg::waits();
  void* p = page();
  EXPECT_EQ(munmap(p, 4096), 0);
  errno = 0;
  EXPECT_EQ(munmap(reinterpret_cast<char*>(p) + 1, 4096), -1);  // not page-aligned
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(pg::waits(), before);
}
