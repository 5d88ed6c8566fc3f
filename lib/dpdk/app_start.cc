#include "dpdk/app_start.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ts::dpdk {

std::unique_ptr<Eal> start_app_eal(const char* argv0, const std::vector<std::string>& eal_args,
                                   const std::string& config, bool verbose, Profile* profile,
                                   std::string* err) {
  *profile = default_profile();
  if (!config.empty() && !load_profile(config, profile, err)) return nullptr;
  EalOptions eo;
  eo.user = eal_args;
  eo.always = profile->eal_always;
  eo.default_devs = profile->eal_devices;
  eo.quiet = !verbose;
  return Eal::start(argv0, eo, err);
}

std::string unwritable(const std::string& path) {
  const bool existed = access(path.c_str(), F_OK) == 0;
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  std::fclose(f);
  if (!existed) std::remove(path.c_str());
  return {};
}

}  // namespace ts::dpdk
