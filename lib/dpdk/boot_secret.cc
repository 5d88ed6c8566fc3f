#include "dpdk/boot_secret.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace ts::dpdk {

namespace {

constexpr size_t kBytes = 32;  // two SipHash keys

void random_bytes(uint8_t* b, size_t n) {
  if (getrandom(b, n, 0) == static_cast<ssize_t>(n)) return;
  std::random_device rd;
  for (size_t i = 0; i < n; i++) b[i] = static_cast<uint8_t>(rd());
}

tcp::SipKey key_at(const uint8_t* b) {
  tcp::SipKey k;
  std::memcpy(&k.k0, b, 8);
  std::memcpy(&k.k1, b + 8, 8);
  return k;
}

// The file's 32 bytes; "" on success, else why not (*missing: there is no such file).
std::string read_secret(const std::string& path, uint8_t* out, bool* missing) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  *missing = fd < 0 && errno == ENOENT;
  if (fd < 0) return path + ": " + std::strerror(errno);
  struct stat st {};
  std::string why;
  if (fstat(fd, &st) != 0) {
    why = path + ": " + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
    why = path + " is not a file that only its owner, this user, can read";
  } else if (read(fd, out, kBytes) != static_cast<ssize_t>(kBytes)) {
    why = path + " does not hold " + std::to_string(kBytes) + " bytes";
  }
  close(fd);
  return why;
}

// Writes fresh bytes to a private temporary file and links it to `path`: whoever links first
// wins, and a reader never sees a partly written file. "" when `path` exists afterwards.
std::string create_secret(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return dir + ": " + std::strerror(errno);
  std::string tmp = path + ".XXXXXX";
  const int fd = mkstemp(tmp.data());  // mode 0600
  if (fd < 0) return dir + ": " + std::strerror(errno);
  uint8_t b[kBytes];
  random_bytes(b, kBytes);
  const bool written = write(fd, b, kBytes) == static_cast<ssize_t>(kBytes);
  close(fd);
  std::string why;
  if (!written) why = tmp + ": short write";
  else if (link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) why = path + ": " + std::strerror(errno);
  unlink(tmp.c_str());
  return why;
}

}  // namespace

BootSecret boot_secret(const std::string& path) {
  uint8_t b[kBytes];
  bool missing = false;
  std::string why = read_secret(path, b, &missing);
  if (missing) {
    // Another process may make it at the same time: whichever links first, every one of them
    // reads what was linked.
    why = create_secret(path);
    if (why.empty()) why = read_secret(path, b, &missing);
  }
  BootSecret s;
  if (!why.empty()) {
    random_bytes(b, kBytes);
    s.note = "ISN and timestamp keys are this process's own (" + why +
             "): a peer still in TIME-WAIT from an earlier run may refuse some new SYNs";
  }
  s.isn = key_at(b);
  s.ts = key_at(b + 16);
  return s;
}

}  // namespace ts::dpdk
