#include "dpdk/app_start.h"

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

}  // namespace ts::dpdk
