// corelat: the round trip of one cache line between two cores, the price of every frame, ring
// slot and counter one lcore writes and the other reads. On this machine's host it moves in
// steps (about 105 ns, about 500 ns, now and then 50 ns) as the hypervisor places the two vCPUs,
// and case 1 of bench/cps/run moves with it; bench/cps/run measures it around each run, and
// once a second during each memif run, so that a figure says which machine it was taken on.
//
//   corelat [--cores A,B] [--duration S] [--window-ms W] [--json]
//   corelat [--cores A,B] [--duration S] --every MS
//
// Two threads pinned to A and B pass a counter back and forth through two lines; each window's
// round trip is its time over its round trips; the median window is the figure.
// --every: a sample every MS ms for S seconds, beside a running benchmark: both threads sleep
// between samples and wake at the same instant, and a sample is the best of 5 windows of 500
// round trips (about 0.3 to 1.3 ms a core); one line each, "UNIX_TIME NS". A sample the other
// core did not answer within 20 ms (its lcore kept it) prints "UNIX_TIME -".
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct alignas(64) Line {
  std::atomic<long> value{0};
};
Line ping;
Line pong;
std::atomic<bool> done{false};

struct Options {
  int a = 0, b = 1;
  double seconds = 0.5;
  int window_ms = 100;
  int every_ms = 0;
  bool json = false;
};

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "corelat: %s\n", msg.c_str());
  std::exit(2);
}

bool parse_int(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h") {
      std::printf("usage: corelat [--cores A,B] [--duration S] [--window-ms W] [--json]\n"
                  "       corelat [--cores A,B] [--duration S] --every MS\n");
      std::exit(0);
    }
    if (k == "--json") { o.json = true; continue; }
    if (i + 1 >= argc) die(k + " needs a value");
    const char* v = argv[++i];
    long x = 0, y = 0;
    if (k == "--cores") {
      const char* comma = std::strchr(v, ',');
      std::string first = comma ? std::string(v, comma) : std::string(v);
      if (!comma || !parse_int(first.c_str(), 0, CPU_SETSIZE - 1, &x) ||
          !parse_int(comma + 1, 0, CPU_SETSIZE - 1, &y))
        die(std::string("--cores must be two core numbers A,B, not '") + v + "'");
      if (x == y) die("--cores must name two different cores");
      o.a = static_cast<int>(x);
      o.b = static_cast<int>(y);
    } else if (k == "--duration") {
      char* end = nullptr;
      o.seconds = std::strtod(v, &end);
      if (end == v || *end || !(o.seconds >= 0.01 && o.seconds <= 600))
        die(std::string("--duration must be 0.01 to 600 seconds, not '") + v + "'");
    } else if (k == "--window-ms") {
      if (!parse_int(v, 1, 10000, &x)) die(std::string("--window-ms must be 1 to 10000, not '") + v + "'");
      o.window_ms = static_cast<int>(x);
    } else if (k == "--every") {
      if (!parse_int(v, 10, 60000, &x)) die(std::string("--every must be 10 to 60000 ms, not '") + v + "'");
      o.every_ms = static_cast<int>(x);
    } else {
      die("unknown option " + k + " (see --help)");
    }
  }
  return o;
}

// A core outside the process's affinity (taskset, cgroup) is named, not silently ignored.
void check_allowed(int core) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && !CPU_ISSET(core, &allowed))
    die("core " + std::to_string(core) + " is not one this process may run on");
}

void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
    die("cannot pin a thread to core " + std::to_string(core));
}

void echo_loop(int core) {
  pin(core);
  long seen = 0;
  while (!done.load(std::memory_order_relaxed)) {
    long v = ping.value.load(std::memory_order_acquire);
    if (v != seen) {
      seen = v;
      pong.value.store(v, std::memory_order_release);
    }
  }
}

// One window: round trips until it ends, in ns each. Gives up (returns -1) when the echo
// thread has not answered one trip in a second: its core is taken, and the figure would lie.
double window(long* counter, Clock::duration length) {
  auto start = Clock::now();
  auto end = start + length;
  long trips = 0;
  for (;;) {
    for (int k = 0; k < 64; ++k) {
      long v = ++*counter;
      ping.value.store(v, std::memory_order_release);
      for (long spins = 0; pong.value.load(std::memory_order_acquire) != v; ++spins)
        if ((spins & 0xffff) == 0xffff && Clock::now() - start > std::chrono::seconds(1)) return -1;
    }
    trips += 64;
    auto now = Clock::now();
    if (now >= end) return std::chrono::duration<double, std::nano>(now - start).count() / trips;
  }
}

// --every: the samples' shared schedule, on the monotonic clock both threads sleep on.
std::atomic<long> rounds_done{0};

timespec deadline(const timespec& t0, long ms) {
  timespec t = t0;
  long ns = t.tv_nsec + (ms % 1000) * 1000000L;
  t.tv_sec += ms / 1000 + ns / 1000000000L;
  t.tv_nsec = ns % 1000000000L;
  return t;
}

void sleep_until(const timespec& t) {
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
  }
}

// Echoes from each sample's instant until the measuring side is done with it (or 100 ms).
void sampled_echo(int core, timespec t0, int every_ms, int samples) {
  pin(core);
  long seen = 0;
  for (int r = 1; r <= samples; ++r) {
    sleep_until(deadline(t0, static_cast<long>(r) * every_ms));
    auto give_up = Clock::now() + std::chrono::milliseconds(100);
    for (long spins = 0; rounds_done.load(std::memory_order_acquire) < r; ++spins) {
      long v = ping.value.load(std::memory_order_acquire);
      if (v != seen) {
        seen = v;
        pong.value.store(v, std::memory_order_release);
      }
      if ((spins & 0xfff) == 0xfff && Clock::now() > give_up) break;
    }
  }
}

// One sample: the best of 5 windows of 500 round trips, in ns; -1 when a trip went unanswered
// for 20 ms (the other thread not running: a figure then would be the scheduler's).
double sample(long* counter) {
  double best = -1;
  for (int w = 0; w < 5; ++w) {
    auto start = Clock::now();
    for (int k = 0; k < 500; ++k) {
      long v = ++*counter;
      ping.value.store(v, std::memory_order_release);
      for (long spins = 0; pong.value.load(std::memory_order_acquire) != v; ++spins)
        if ((spins & 0xfff) == 0xfff && Clock::now() - start > std::chrono::milliseconds(20)) return -1;
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / 500;
    if (best < 0 || ns < best) best = ns;
  }
  return best;
}

int sample_loop(const Options& o) {
  const int samples = std::max(1, static_cast<int>(o.seconds * 1000 / o.every_ms));
  timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pin(o.a);
  std::thread echo(sampled_echo, o.b, t0, o.every_ms, samples);
  long counter = 0;
  for (int r = 1; r <= samples; ++r) {
    sleep_until(deadline(t0, static_cast<long>(r) * o.every_ms));
    double ns = sample(&counter);
    rounds_done.store(r, std::memory_order_release);
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (ns < 0) std::printf("%ld.%03ld -\n", static_cast<long>(now.tv_sec), now.tv_nsec / 1000000);
    else std::printf("%ld.%03ld %.1f\n", static_cast<long>(now.tv_sec), now.tv_nsec / 1000000, ns);
    std::fflush(stdout);
  }
  echo.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  long ncores = sysconf(_SC_NPROCESSORS_CONF);
  for (int c : {o.a, o.b})
    if (c >= ncores) die("no core " + std::to_string(c) + " on this machine (" + std::to_string(ncores) + " cores)");
  check_allowed(o.a);
  check_allowed(o.b);
  if (o.every_ms) return sample_loop(o);
  pin(o.a);
  std::thread echo(echo_loop, o.b);
  long counter = 0;
  std::vector<double> ns;
  auto length = std::chrono::milliseconds(o.window_ms);
  int windows = std::max(1, static_cast<int>(o.seconds * 1000 / o.window_ms + 0.5));
  for (int i = 0; i < windows; ++i) {
    double w = window(&counter, length);
    if (w < 0) {
      done = true;
      echo.join();
      die("core " + std::to_string(o.b) + " did not answer for a second: is it busy with something else?");
    }
    ns.push_back(w);
  }
  done = true;
  echo.join();
  std::vector<double> sorted = ns;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  if (o.json) {
    std::printf("{\"cores\": [%d, %d], \"median_ns\": %.1f, \"min_ns\": %.1f, \"max_ns\": %.1f, \"windows_ns\": [",
                o.a, o.b, median, sorted.front(), sorted.back());
    for (size_t i = 0; i < ns.size(); ++i) std::printf("%s%.1f", i ? ", " : "", ns[i]);
    std::printf("]}\n");
  } else {
    std::printf("cache-line round trip, core %d <-> core %d: median %.0f ns (min %.0f, max %.0f) over %zu windows of %d ms\n",
                o.a, o.b, median, sorted.front(), sorted.back(), ns.size(), o.window_ms);
  }
  return 0;
}
