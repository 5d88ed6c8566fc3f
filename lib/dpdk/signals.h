// SIGINT / SIGTERM ask the stack to stop: the lcores leave their loops, the application cleans up
// (port closed, EAL cleaned, no hugepage files left). A second signal while stopping exits at once.
// SIGPIPE is ignored: a peer that closed a PMD's control socket must not kill the application.
#pragma once
#include <atomic>

namespace ts::dpdk {

// Installs the handlers; the returned flag becomes true on the first signal.
std::atomic<bool>& install_stop_signals();
std::atomic<bool>& stop_flag();
// Which signal stopped us (0: none yet).
int stop_signal();

}  // namespace ts::dpdk
