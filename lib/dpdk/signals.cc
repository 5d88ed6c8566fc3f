#include "dpdk/signals.h"

#include <signal.h>
#include <unistd.h>

namespace ts::dpdk {

namespace {
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_signal(int sig) {
  if (g_stop.exchange(true)) _exit(128 + sig);
  g_signal.store(sig);
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
