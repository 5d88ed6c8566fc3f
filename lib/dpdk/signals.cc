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
  return g_stop;
}

}  // namespace ts::dpdk
