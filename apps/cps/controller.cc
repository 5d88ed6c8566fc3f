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

Controller::Controller(const Options& o, api::Stack& s, std::vector<Generator*> gens, Control& ctl,
                       std::atomic<bool>& stack_stop)
    : o_(o), s_(s), gens_(std::move(gens)), ctl_(ctl), stack_stop_(stack_stop) {}

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

void Controller::loop() {
  auto t0 = Clock::now();
  auto secs = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const double step = series_step(o_);
  double next = step, last = 0, phase_at = 0;
  // Zeros, not a first look: the lcores may have opened a connection before this thread ran,
  // and the series adds up to the totals.
  Totals prev;
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
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const double t = secs();
    Totals now = totals();
    peak_ = now.in_flight_peak;
    if (warm) {
      if (now.ready == gens_.size()) {
        warm = false;
        warmup_ = t;
        t0 = Clock::now();
        // The series counts from nothing (the warm-up's few connections go into its first
        // interval, so that it adds up to the totals), its CPU times from here.
        read_cpu(prev, o_.watch_pid);
        continue;
      }
      if (dpdk::stop_flag().load() || t >= o_.link_wait) {
        unanswered_ = !dpdk::stop_flag().load();
        stopped_by_ = unanswered_ ? "no ARP answer from the server" : "signal";
        warm = false;
        read_cpu(prev, o_.watch_pid);
        set_phase(Phase::kDrain, t);
      }
      continue;
    }
    if (t >= next) {
      read_cpu(now, o_.watch_pid);
      series_.push_back(interval(now, prev, t, t - last));
      at_before_ = prev;
      before_t_ = last;
      hint_.check(s_.datapath().port().name(), now.stack);
      if (o_.stats_interval > 0) {
        std::printf("%s\n", interval_line(series_.back()).c_str());
        std::fflush(stdout);
      }
      prev = now;
      last = t;
      next += step;
    }
    if (phase == Phase::kRun) {
      const bool sig = dpdk::stop_flag().load();
      if (sig || (o_.duration > 0 && t >= o_.duration) || quota_reached(now)) {
        stopped_by_ = sig ? "signal" : quota_reached(now) ? "requests" : "duration";
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
  at_last_ = prev;
  last_t_ = last;
  const size_t points = series_.size();
  close_series(totals());
  if (o_.stats_interval > 0 && series_.size() > points) std::printf("%s\n", interval_line(series_.back()).c_str());
  std::fflush(stdout);
  stack_stop_.store(true);
}

// The series ends at elapsed_ with the totals given, so that its intervals add up to them: a new
// point if the last is more than 50 ms behind, else the last interval stretched to here (a
// sliver of an interval would plot as a spike of its rate).
void Controller::close_series(const Totals& final_totals) {
  Totals now = final_totals;
  read_cpu(now, o_.watch_pid);
  if (series_.empty() || elapsed_ - last_t_ > 0.05) {
    series_.push_back(interval(now, at_last_, elapsed_, elapsed_ - last_t_));
    at_before_ = at_last_;
    before_t_ = last_t_;
  } else {
    series_.back() = interval(now, at_before_, elapsed_, elapsed_ - before_t_);
  }
  at_last_ = now;
  last_t_ = elapsed_;
}

}  // namespace ts::cps
