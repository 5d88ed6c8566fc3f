// What turnstile-server prints: a stats line per interval (from a control thread), a summary and
// the JSON file at the end.
#pragma once
#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "api/stack.h"
#include "stats/hints.h"
#include "options.h"

namespace ts::server {

// Runs on a DPDK control thread (off the lcores' CPUs) until `stop`: one stats line every
// interval, --duration, the --dad-ms verdict (sets *conflict and stops on a conflict), and a line
// to stderr when the link goes down or comes back.
class Reporter {
 public:
  Reporter(const Options& o, api::Stack& s, std::atomic<bool>& stop);
  bool start(std::string* err);
  void join();
  // After join() and the stack's shutdown, with its final counters: the line of what came after
  // the last one (with --stats-interval), marked partial when cut before its time, so that
  // the lines cover the run as the summary does and add up to it.
  void final_line(const stats::Snapshot& end);
  double elapsed() const { return elapsed_; }
  bool duration_reached() const { return by_duration_; }
  bool conflict() const { return conflict_; }

 private:
  static void* main(void* arg);
  void loop();
  void watch_link();

  const Options& o_;
  api::Stack& s_;
  std::atomic<bool>& stop_;
  pthread_t thread_{};
  bool started_ = false;
  double elapsed_ = 0;
  bool by_duration_ = false;
  bool conflict_ = false;
  stats::HintOnce hint_;
  stats::Snapshot prev_;  // the counters and time of the last line, and the next one's time
  double last_ = 0;
  double next_ = 0;
  int link_said_ = 1;  // what the user was last told of the link (1 up: nothing is said of a link up at start)
};

std::string summary(const stats::Snapshot& s, double elapsed);
nlohmann::json report_json(const Options& o, api::Stack& s, const std::vector<std::string>& eal_args,
                           double elapsed, const std::string& stopped_by, unsigned mbufs_in_use_start);

}  // namespace ts::server
