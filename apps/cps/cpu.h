// CPU time of a process (user + system, all threads) from /proc/PID/stat, for CPU-per-connection
// figures: the generator's own and, with --watch-pid, the server's.
#pragma once

namespace ts::cps {

// Seconds of CPU used so far by process `pid` (0: this one); negative if it cannot be read.
// Resolution: the kernel's USER_HZ (10 ms).
double process_cpu_seconds(int pid);

}  // namespace ts::cps
