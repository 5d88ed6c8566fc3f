#include "controller.h"

#include <rte_lcore.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "dpdk/signals.h"

namespace ts::cps {

using Clock = std::chrono::steady_clock;

namespace {
double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Controller::Controller(const Options& o, api::Stack& s, std::vector<Generator*> gens, Control& ctl,
                       std::atomic<bool>& stack_stop, double arp_wait, double stall_limit)
    : o_(o), s_(s), gens_(std::move(gens)), ctl_(ctl), stack_stop_(stack_stop), arp_wait_(arp_wait),
      stall_limit_(stall_limit) {}

bool Controller::start(std::string* err) {
  if (int rc = rte_ctrl_thread_create(&thread_, "ts-cps-ctl", nullptr, main, this); rc != 0) {
    *err = std::string("cannot start the control thread: ") + strerror(rc);
    return false;
  }
  started_ = true;
  return true;
}

void Controller::join() {
  if (started_) pthread_join(thread_, nullptr);
  started_ = false;
}

void* Controller::main(void* arg) {
  static_cast<Controller*>(arg)->loop();
  return nullptr;
}

Totals Controller::totals() const {
  Totals t = gather(gens_, s_.stats().total());
  // The samples can miss a peak that an lcore's own exact one shows: no less than the largest.
  const auto& lcores = t.in_flight_peak_lcores;
  const uint64_t lcore_peak = lcores.empty() ? 0 : *std::max_element(lcores.begin(), lcores.end());
  t.in_flight_peak = std::max({peak_, t.in_flight, lcore_peak});
  return t;
}

bool Controller::quota_reached(const Totals& t) const { return o_.requests && t.attempted >= o_.requests; }

// Whether opening can no longer reach --requests: nothing opened or ended for stall_limit()
// (which waits out --hold and our TIME-WAIT's rest), the stalls still rising. What
// start-up cannot know does it: an lcore with no local port that RSS returns to it, tuples taken
// by connections held to the end or by TIME-WAIT. Only a run that --requests alone ends can wait
// forever; a --duration ends the others, and a run until SIGINT is its user's to end.
bool Controller::stalled(const Totals& now, double t) {
  if (!o_.requests || o_.duration > 0) return false;
  const uint64_t moved = now.attempted + now.completed + now.failures();
  if (moved != progress_.moved) {
    progress_ = {moved, now.stalls, t};
    return false;
  }
  return t - progress_.at >= stall_limit_ && now.stalls > progress_.stalls;
}

void Controller::loop() {
  auto t0 = Clock::now();
  auto secs = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const double step = series_step(o_);
  double next = step, phase_at = 0;
  // Zeros, not a first look: the lcores may have opened a connection before this thread ran,
  // and the series adds up to the totals.
  Totals base;
  Phase phase = Phase::kRun;
  auto set_phase = [&](Phase p, double t) {
    phase = p;
    phase_at = t;
    ctl_.phase.store(static_cast<int>(p), std::memory_order_relaxed);
  };
  // Warm-up: the clock starts once every generator knows the server's MAC (each sends one SYN
  // until then), so that ARP and a tap still being moved into its namespace do not count.
  bool warm = true;
  for (;;) {
    std::this_thread::sleep_for(kControlTick);
    const double t = secs();
    Totals now = totals();
    peak_ = now.in_flight_peak;
    if (warm) {
      if (now.ready == gens_.size()) {
        warm = false;
        warmup_ = t;
        t0 = Clock::now();
        started_unix_ = unix_now();
        // The series counts from nothing (the warm-up's few connections go into its first
        // interval, so that it adds up to the totals), its CPU times from here.
        read_cpu(base, o_.watch_pid);
        series_.start(base);
        continue;
      }
      if (dpdk::stop_flag().load() || t >= arp_wait_) {
        unanswered_ = !dpdk::stop_flag().load();
        stopped_by_ = unanswered_ ? "no ARP answer from the server" : "signal";
        warm = false;
        started_unix_ = unix_now() - t;  // the series then counts from the start
        read_cpu(base, o_.watch_pid);
        series_.start(base);
        set_phase(Phase::kDrain, t);
      }
      continue;
    }
    if (t >= next) {
      read_cpu(now, o_.watch_pid);
      series_.add(now, t);
      hint_.check(s_.datapath().port().name(), now.stack);
      print_lines();
      next += step;
      // Held up past an interval (a stopped process, a busy machine): the next point one interval
      // from this one, not at once after it (a point of a sliver's rates for each interval missed).
      if (next <= t) next = t + step;
    }
    if (phase == Phase::kRun) {
      const bool sig = dpdk::stop_flag().load();
      const bool stuck = stalled(now, t);
      if (sig || (o_.duration > 0 && t >= o_.duration) || quota_reached(now) || stuck) {
        stopped_by_ = sig ? "signal" : quota_reached(now) ? "requests" : stuck ? "stalled" : "duration";
        if (stopped_by_ == "stalled") say_stalled(now);
        opened_ = t;
        set_phase(Phase::kDrain, t);
      }
      continue;
    }
    if (now.in_flight == 0) {
      if (phase == Phase::kDrain) active_ = t;  // after an abort: the time it began (set below)
      break;
    }
    if (phase == Phase::kDrain && t - phase_at >= o_.drain) {
      active_ = phase_at;  // the cut connections would only stretch the time, not the count
      set_phase(Phase::kAbort, t);
    } else if (phase == Phase::kAbort && t - phase_at >= 2.0) {
      break;  // aborts are immediate: only a wedged lcore gets here, and the counts will show it
    }
  }
  elapsed_ = secs();
  stack_stop_.store(true);
}

// The series ends at elapsed_ with the totals given, so that its intervals add up to them (the
// lcores may finish more between the loop's last look and their stop: hence here, after join).
void Controller::close_series(const Totals& final_totals) {
  Totals now = final_totals;
  read_cpu(now, o_.watch_pid);
  series_.close(now, elapsed_);
  print_lines();
}

// Why the run ends short of --requests, when it does, and not only in the summary after the drain.
void Controller::say_stalled(const Totals& now) const {
  std::printf("turnstile-cps: opening stalled: %llu of %llu opened, none opened or ended for %g s while no "
              "local port or connection block was free (%llu stalls); closing what is open\n",
              static_cast<unsigned long long>(now.attempted), static_cast<unsigned long long>(o_.requests),
              stall_limit_, static_cast<unsigned long long>(now.stalls));
  std::fflush(stdout);
}

void Controller::print_lines() {
  if (o_.stats_interval <= 0) return;
  for (const std::string& l : series_.take_lines()) std::printf("%s\n", l.c_str());
  std::fflush(stdout);
}

}  // namespace ts::cps
