// What every Turnstile application does first: its driver profile (--config FILE, or the embedded
// tap profile), then EAL with the user's EAL arguments over the profile's. Main thread only.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dpdk/eal.h"
#include "dpdk/profile.h"

namespace ts::dpdk {

// nullptr and *err (one line naming the problem) on failure; *profile is the one in force.
std::unique_ptr<Eal> start_app_eal(const char* argv0, const std::vector<std::string>& eal_args,
                                   const std::string& config, bool verbose, Profile* profile,
                                   std::string* err);

}  // namespace ts::dpdk
