// The run's clock, on a DPDK control thread (off the lcores' CPUs): one line and one series point
// per interval, and the phases: open (until --duration, --requests, a signal, or opening stalled
// short of --requests), drain (wait up to --drain for what is in flight), abort (cut the rest,
// counted as timeouts), then stop the stack once nothing is in flight.
#pragma once
#include <atomic>
#include <pthread.h>
#include <string>
#include <vector>

#include "api/stack.h"
#include "generator.h"
#include "options.h"
#include "report.h"
#include "series.h"
#include "stats/hints.h"

namespace ts::cps {

class Controller {
 public:
  // `arp_wait`: seconds for the server's next hop to answer ARP (arp_wait()); `stall_limit`:
  // how long opening may get nowhere before it is over (stall_limit()).
  Controller(const Options& o, api::Stack& s, std::vector<Generator*> gens, Control& ctl,
             std::atomic<bool>& stack_stop, double arp_wait, double stall_limit);
  bool start(std::string* err);
  void join();

  // After join(), once: the series ends at elapsed() with `final_totals` (what the lcores
  // finished after the last point included), and the lines of its points not shown yet are
  // printed (with --stats-interval), so that the lines and the JSON hold the same points.
  void close_series(const Totals& final_totals);
  const std::vector<Interval>& series() const { return series_.points(); }
  double elapsed() const { return elapsed_; }
  double active() const { return active_; }
  double warmup() const { return warmup_; }
  // When opening stopped, on the series' clock (0 when it never began): the steady intervals end
  // by then, the drain's after.
  double opened() const { return opened_; }
  // The wall clock (Unix seconds) at the series' t = 0: to line its points up with what other
  // tools sampled meanwhile (bench/cps/run: the cores' cache-line round trip).
  double started_unix() const { return started_unix_; }
  const std::string& stopped_by() const { return stopped_by_; }
  // The server's next hop never answered ARP: no connection got past its first SYN.
  bool unanswered() const { return unanswered_; }
  Totals totals() const;

 private:
  static void* main(void* arg);
  void loop();
  bool quota_reached(const Totals& t) const;
  bool stalled(const Totals& now, double t);
  void say_stalled(const Totals& now) const;

  const Options& o_;
  api::Stack& s_;
  std::vector<Generator*> gens_;
  Control& ctl_;
  std::atomic<bool>& stack_stop_;
  const double arp_wait_;
  const double stall_limit_;
  pthread_t thread_{};
  bool started_ = false;
  Series series_;
  void print_lines();
  stats::HintOnce hint_;
  double elapsed_ = 0;
  double active_ = 0;
  double warmup_ = 0;
  double started_unix_ = 0;
  bool unanswered_ = false;
  double opened_ = 0;
  uint64_t peak_ = 0;  // the most in flight seen in a sample
  // The last time the generators got anywhere (a connection opened or ended), and the stall count
  // then: what stalled() measures from.
  struct Progress {
    uint64_t moved = 0;
    uint64_t stalls = 0;
    double at = 0;
  } progress_;
  std::string stopped_by_ = "error";
};

}  // namespace ts::cps
