#include "cpu.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ts::cps {

double process_cpu_seconds(int pid) {
  std::ifstream f(pid ? "/proc/" + std::to_string(pid) + "/stat" : std::string("/proc/self/stat"));
  std::string s;
  if (!std::getline(f, s)) return -1;
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3,
  // utime and stime fields 14 and 15.
  const size_t close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; i++) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  if (!in) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace ts::cps
