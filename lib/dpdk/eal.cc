#include "dpdk/eal.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pdump.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stats/telemetry.h"

namespace fs = std::filesystem;

namespace ts::dpdk {

namespace {

// The value of `--opt X` or `--opt=X` (last occurrence wins, as in EAL).
std::string opt_value(const std::vector<std::string>& a, const std::string& opt) {
  std::string v;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i] == opt && i + 1 < a.size()) v = a[i + 1];
    else if (a[i].rfind(opt + "=", 0) == 0) v = a[i].substr(opt.size() + 1);
  }
  return v;
}

std::string runtime_dir(const std::string& prefix) {
  const char* base = "/var/run";
  if (getuid() != 0) {
    const char* x = getenv("XDG_RUNTIME_DIR");
    base = x ? x : "/tmp";
  }
  return std::string(base) + "/dpdk/" + prefix;
}

std::vector<std::string> hugetlbfs_mounts() {
  std::vector<std::string> out;
  std::ifstream m("/proc/mounts");
  std::string dev, dir, type, rest;
  while (m >> dev >> dir >> type && std::getline(m, rest))
    if (type == "hugetlbfs") out.push_back(dir);
  return out;
}

uint64_t free_hugepages() {
  uint64_t n = 0;
  std::error_code ec;
  for (auto& d : fs::directory_iterator("/sys/kernel/mm/hugepages", ec)) {
    std::ifstream f(d.path() / "free_hugepages");
    uint64_t v = 0;
    if (f >> v) n += v;
  }
  return n;
}

// True when a live primary process holds the lock on the prefix's config file.
bool prefix_in_use(const std::string& prefix) {
  std::string cfg = runtime_dir(prefix) + "/config";
  int fd = open(cfg.c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct flock lk = {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  bool busy = fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
  close(fd);
  return busy;
}

void remove_leftovers(const std::string& prefix, bool hugepages) {
  std::error_code ec;
  if (hugepages) {
    std::string stem = prefix + "map_";
    for (const auto& dir : hugetlbfs_mounts())
      for (auto& f : fs::directory_iterator(dir, ec))
        if (f.path().filename().string().rfind(stem, 0) == 0) fs::remove(f.path(), ec);
  }
  fs::remove_all(runtime_dir(prefix), ec);
}

std::string g_probe_error;  // of this process's EAL start

// The most telling line of what EAL printed: getopt's complaint about an option first, then the
// last line that says what failed, the generic "Invalid 'command line' arguments" last of all.
std::string last_error_line(const std::string& log) {
  std::istringstream in(log);
  std::string line, best;
  int best_rank = 0;
  auto has = [&](const char* s) { return line.find(s) != std::string::npos; };
  while (std::getline(in, line)) {
    int rank = 0;
    if (has("unrecognized option") || has("invalid option") || has("requires an argument")) rank = 4;
    else if (has("Not enough memory")) rank = 4;  // the cause; "Cannot init memory" follows
    else if (has("Invalid 'command line'")) rank = 1;  // with or without "FATAL:", it says nothing
    else if (has("Unregistering") || line.rfind(' ', 0) == 0) rank = 0;  // EAL's usage text is indented
    else if (has("rror") || has("annot") || has("ailed") || has("nvalid") || has("nknown") ||
             has("nrecognized") || has("unavailable") || has("not found") || has("No such"))
      rank = 3;
    if (rank && rank >= best_rank) best = line, best_rank = rank;
  }
  if (auto colon = best.find(": "); best_rank == 4 && colon != std::string::npos) best = best.substr(colon + 2);
  while (!best.empty() && (best.back() == '\n' || best.back() == ' ' || best.back() == '.')) best.pop_back();
  if (best.find("failed to parse device") != std::string::npos)
    best += ": no such driver (a typo, or the PMD's package is not installed)";
  return best;
}

// Sends what is written to stdout and stderr (EAL's usage text, getopt's complaints, EAL's log)
// into memory until finish(), so that a failed start can be told in one line.
class OutputCapture {
 public:
  OutputCapture() {
    fflush(stdout);
    fflush(stderr);
    mfd_ = memfd_create("ts-eal-init", 0);
    if (mfd_ < 0) return;
    out_ = dup(1);
    err_ = dup(2);
    dup2(mfd_, 1);
    dup2(mfd_, 2);
  }
  std::string finish() {
    if (mfd_ < 0) return {};
    fflush(stdout);
    fflush(stderr);
    dup2(out_, 1);
    dup2(err_, 2);
    close(out_);
    close(err_);
    std::string s;
    char buf[4096];
    lseek(mfd_, 0, SEEK_SET);
    for (ssize_t n; (n = read(mfd_, buf, sizeof buf)) > 0;) s.append(buf, static_cast<size_t>(n));
    close(mfd_);
    mfd_ = -1;
    return s;
  }
  ~OutputCapture() { finish(); }

 private:
  int mfd_ = -1, out_ = -1, err_ = -1;
};

// After a failed start, drivers' destructors still log at exit (EAL is not there to unregister
// from); the one-line error is all the user should see.
void silence_dpdk_log() {
  if (FILE* devnull = fopen("/dev/null", "w")) rte_openlog_stream(devnull);
}

std::string preflight(const std::vector<std::string>& args, const std::string& prefix, bool no_huge) {
  if (!no_huge) {
    if (hugetlbfs_mounts().empty() || free_hugepages() == 0)
      return "no hugepages available (reserve them: echo 512 > /proc/sys/vm/nr_hugepages and mount "
             "hugetlbfs on /dev/hugepages), or run without them: --no-huge -m 512";
  }
  if (prefix_in_use(prefix))
    return "file prefix '" + prefix + "' is in use by another DPDK process (give this one its own --file-prefix)";
  for (const auto& ifc : eal_tap_ifaces(args))
    if (fs::exists("/sys/class/net/" + ifc))
      return "interface " + ifc + " already exists (another process owns it, or remove it: ip link del " + ifc + ")";
  return {};
}

}  // namespace

SplitArgs split_args(int argc, char** argv) {
  SplitArgs s;
  int dd = -1;
  for (int i = 1; i < argc; i++)
    if (std::string(argv[i]) == "--") { dd = i; break; }
  if (dd < 0) {
    for (int i = 1; i < argc; i++) s.app.emplace_back(argv[i]);
    return s;
  }
  for (int i = 1; i < dd; i++) s.eal.emplace_back(argv[i]);
  for (int i = dd + 1; i < argc; i++) s.app.emplace_back(argv[i]);
  return s;
}

std::string eal_file_prefix(const std::vector<std::string>& a) {
  std::string p = opt_value(a, "--file-prefix");
  return p.empty() ? "rte" : p;
}

bool eal_has(const std::vector<std::string>& a, const std::string& opt) {
  for (const auto& s : a)
    if (s == opt || s.rfind(opt + "=", 0) == 0) return true;
  return false;
}

bool eal_names_device(const std::vector<std::string>& a) {
  for (const auto& s : a)
    if (s == "-a" || s.rfind("-a", 0) == 0 || eal_has({s}, "--vdev") || eal_has({s}, "--allow") ||
        s == "-w")
      return true;
  return false;
}

std::string probe_error(const std::string& log) {
  std::istringstream in(log);
  std::string line, cause;
  auto has = [&](const char* s) { return line.find(s) != std::string::npos; };
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '.' || line.back() == ' ')) line.pop_back();
    if (auto p = line.find("failed to initialize "); p != std::string::npos) {  // vdev_probe()
      std::string dev = line.substr(p + 21);
      dev = dev.substr(0, dev.find(' '));
      return dev + " did not start" + (cause.empty() ? "" : ": " + cause);
    }
    if (has("Requested device") && has("cannot be used"))  // a PCI device no driver took
      return line.substr(line.rfind("EAL: ", 0) == 0 ? 5 : 0);
    // The driver's first complaint is the cause; the lines after it only say that it failed.
    const bool eal = line.rfind("EAL: ", 0) == 0 || line.rfind("TELEMETRY", 0) == 0 ||
                     line.rfind("libbpf", 0) == 0 || line.rfind("libxdp", 0) == 0;
    if (cause.empty() && !eal &&
        (has("ailed") || has("Unable") || has("not permitted") || has("denied") || has("No such") ||
         has("nvalid") || has("rror") || has("annot")))
      cause = line;
  }
  return {};
}

std::vector<std::string> eal_tap_ifaces(const std::vector<std::string>& a) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); i++) {
    std::string v;
    if (a[i] == "--vdev" && i + 1 < a.size()) v = a[i + 1];
    else if (a[i].rfind("--vdev=", 0) == 0) v = a[i].substr(7);
    if (v.rfind("net_tap", 0) != 0) continue;
    auto pos = v.find("iface=");
    if (pos == std::string::npos) continue;
    auto end = v.find(',', pos);
    out.push_back(v.substr(pos + 6, end == std::string::npos ? std::string::npos : end - pos - 6));
  }
  return out;
}

std::unique_ptr<Eal> Eal::start(const char* argv0, const EalOptions& opt, std::string* err) {
  std::unique_ptr<Eal> e(new Eal());
  e->args_.push_back(argv0);
  e->args_.insert(e->args_.end(), opt.always.begin(), opt.always.end());
  if (!eal_names_device(opt.user))
    e->args_.insert(e->args_.end(), opt.default_devs.begin(), opt.default_devs.end());
  e->args_.insert(e->args_.end(), opt.user.begin(), opt.user.end());

  e->prefix_ = eal_file_prefix(e->args_);
  e->no_huge_ = eal_has(e->args_, "--no-huge");
  if (std::string why = preflight(e->args_, e->prefix_, e->no_huge_); !why.empty()) {
    *err = why;
    silence_dpdk_log();
    return nullptr;
  }

  // EAL's chatter is shown only if start fails (or when not quiet).
  std::vector<char*> argv;
  for (auto& s : e->args_) argv.push_back(s.data());
  argv.push_back(nullptr);
  ts::stats::register_telemetry();
  OutputCapture capture;
  int rc = rte_eal_init(static_cast<int>(argv.size() - 1), argv.data());
  int saved_errno = rte_errno;
  const std::string log = capture.finish();
  if (rc < 0) {
    std::string line = last_error_line(log);
    *err = "EAL start failed: " + (line.empty() ? std::string(rte_strerror(saved_errno)) : line);
    silence_dpdk_log();
    remove_leftovers(e->prefix_, !e->no_huge_);
    return nullptr;
  }
  e->started_ = true;
  g_probe_error = probe_error(log);
  if (!opt.quiet) fputs(log.c_str(), stderr);

  // Secondary processes (dpdk-dumpcap, dpdk-pdump) need shared hugepage memory.
  e->pdump_ = !e->no_huge_ && !eal_has(e->args_, "--in-memory") && rte_pdump_init() == 0;
  return e;
}

const std::string& eal_probe_error() { return g_probe_error; }

Eal::~Eal() {
  if (!started_) return;  // a start that failed cleaned up (or must not touch) what is there
  if (pdump_) rte_pdump_uninit();
  rte_eal_cleanup();
  remove_leftovers(prefix_, !no_huge_);
}

}  // namespace ts::dpdk
