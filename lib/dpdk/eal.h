// EAL lifetime: start with the user's EAL arguments (everything before `--`), stop cleanly.
//
// Only one Eal may exist in a process, and DPDK cannot be started again after it is stopped.
// Create and destroy it from the main thread only.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace ts::dpdk {

// argv split DPDK-style: `prog [EAL options] -- [application options]`. Without `--`, every
// argument belongs to the application and EAL gets none (so `prog --help` works).
struct SplitArgs {
  std::vector<std::string> eal;
  std::vector<std::string> app;
};
SplitArgs split_args(int argc, char** argv);

struct EalOptions {
  std::vector<std::string> user;          // the user's EAL options, passed last so they win
  std::vector<std::string> always;        // from the driver profile: added before the user's
  std::vector<std::string> default_devs;  // from the driver profile: only if the user names no device
  bool quiet = true;                      // keep EAL's start-up chatter unless start fails
};

class Eal {
 public:
  // Starts EAL. On failure returns nullptr and sets *err to one line naming the problem; nothing
  // is left behind (no hugepage files, no runtime directory of ours).
  static std::unique_ptr<Eal> start(const char* argv0, const EalOptions& opt, std::string* err);
  ~Eal();  // rte_pdump_uninit, rte_eal_cleanup, then removes this prefix's hugepage files

  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  const std::string& file_prefix() const { return prefix_; }
  bool no_huge() const { return no_huge_; }
  bool pdump_enabled() const { return pdump_; }
  // The full argument vector handed to rte_eal_init (for logs and --json).
  const std::vector<std::string>& args() const { return args_; }

 private:
  Eal() = default;
  std::string prefix_;
  bool no_huge_ = false;
  bool pdump_ = false;
  bool started_ = false;
  std::vector<std::string> args_;
};

// Helpers exposed for tests and for the pre-flight checks of the server.
std::string eal_file_prefix(const std::vector<std::string>& eal_args);  // "rte" by default
bool eal_names_device(const std::vector<std::string>& eal_args);        // --vdev, -a, --allow
bool eal_has(const std::vector<std::string>& eal_args, const std::string& opt);
// Interface names requested by net_tap vdevs (iface=...), to check and clean them.
std::vector<std::string> eal_tap_ifaces(const std::vector<std::string>& eal_args);

// Why a device named on the command line did not come up, from EAL's start-up log: EAL starts
// without it, and all that is left to see is "no Ethernet port". "net_tap0 did not start:
// tun_alloc(): Unable to set TUNSETIFF for dtap0: Operation not permitted"; "" when none failed.
std::string probe_error(const std::string& eal_log);
// The probe_error of this process's EAL start.
const std::string& eal_probe_error();

}  // namespace ts::dpdk
