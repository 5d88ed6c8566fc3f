#include "dpdk/signals.h"

#include <signal.h>
#include <unistd.h>

namespace ts::dpdk {

namespace {
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free);

// The first signal asks for a clean stop; a second one (the user insisting) exits at once. Only
// signals count: the program setting the flag itself (--duration, teardown) is no first signal.
void on_signal(int sig) {
  if (g_signal.exchange(sig) != 0) _exit(128 + sig);
  g_stop.store(true);
}
}  // namespace

std::atomic<bool>& stop_flag() { return g_stop; }
int stop_signal() { return g_signal.load(); }

std::atomic<bool>& install_stop_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A PMD whose control socket's peer has gone (virtio-user's vhost-user backend, memif) writes
  // to it when the port closes: the default SIGPIPE would kill the process before its summary
  // and JSON are out. The write fails with EPIPE instead, which the PMD logs.
  signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

}  // namespace ts::dpdk
