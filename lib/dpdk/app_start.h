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

// "" when `path` (a results file the application writes at its end) can be written, else one line
// saying why not: found before the run rather than after it. A file this makes is removed again.
std::string unwritable(const std::string& path);

}  // namespace ts::dpdk
