// The load generator proper: one Generator per lcore, running inline in the lcore's poll loop
// (api::Handler::on_poll). It opens connections at its share of the rate (a token bucket on the
// TSC) or as fast as its share of the concurrency allows, sends the request, reads the reply,
// closes as told, and accounts for every connection it opened: each one ends completed or failed
// with one reason, or is still in flight.
//
// Thread safety: everything runs on the generator's lcore, except counters() and histogram()
// (relaxed reads from the control thread, one writer) and the Control it only reads.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "api/handler.h"
#include "api/inline_sink.h"
#include "histogram.h"
#include "options.h"
#include "plan.h"
#include "reply.h"

namespace ts::cps {

enum class Fail : uint8_t {
  kTimeout,   // not done within --timeout (or the stack gave up retransmitting), or cut at the end
  kRst,       // reset by the peer after the handshake
  kRefused,   // RST in answer to our SYN
  kBadReply,  // not the reply expected: not 2xx, malformed, too long, or the FIN came too early
  kLocal,     // our own stack could not queue the request (out of mbufs)
  kCount
};
inline constexpr int kFailCount = static_cast<int>(Fail::kCount);
const char* fail_name(Fail f);

// Per-lcore tallies. One writer (the lcore), relaxed stores; readers use read().
struct alignas(64) GenCounters {
  uint64_t attempted = 0;   // connect() calls that gave a connection
  uint64_t connected = 0;   // handshakes completed
  uint64_t completed = 0;   // reply in and closed as asked
  uint64_t failed[kFailCount] = {};
  uint64_t stalls = 0;      // polls where the stack had no local port or connection block free
  uint64_t in_flight = 0;   // attempted - completed - failed, kept for cheap reading
  uint64_t in_flight_peak = 0;  // the most in flight at once on this lcore
  uint64_t ready = 0;       // 1 once the server's MAC is known (at once with nothing to open)

  static uint64_t read(const uint64_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
  static void set(uint64_t& v, uint64_t x) { __atomic_store_n(&v, x, __ATOMIC_RELAXED); }
  static void bump(uint64_t& v, int64_t n = 1) {
    __atomic_store_n(&v, __atomic_load_n(&v, __ATOMIC_RELAXED) + uint64_t(n), __ATOMIC_RELAXED);
  }
};

// What the control thread tells every generator.
enum class Phase : int { kRun, kDrain, kAbort };
struct Control {
  std::atomic<int> phase{static_cast<int>(Phase::kRun)};
};

class Generator final : public api::Handler {
 public:
  Generator(const Plan& plan, const Control& ctl);

  void on_connected(api::Connection& c) override;
  void on_data(api::Connection& c, const uint8_t* data, size_t len) override;
  void on_peer_closed(api::Connection& c) override;
  void on_closed(api::Connection& c, tcp::CloseReason why) override;
  void on_poll(api::Poller& p, tcp::Time now) override;

  const GenCounters& counters() const { return cnt_; }
  const Histogram& histogram() const { return hist_; }

 private:
  // One connection in flight. Kept in a fixed pool and on one of two lists, each oldest first so
  // that only its head is looked at: waiting for its reply or its close (timed out after
  // --timeout), or held open after its reply (closed after --hold).
  struct Flow {
    api::Connection* c = nullptr;
    uint64_t t0 = 0;           // TSC at connect(), or when a hold ended
    Flow* prev = nullptr;
    Flow* next = nullptr;
    HttpReply http;
    uint32_t echoed = 0;       // echo: bytes back so far
    bool reply_done = false;
    bool bad = false;          // the reply was wrong: a failure whatever comes next
    bool timed_out = false;    // we aborted it for taking too long
    bool finishing = false;    // close() or abort() asked
    bool held = false;         // on the held list
    bool connected = false;    // on_connected came
    bool released = false;     // closed by release(), after its hold
    bool warmup = false;       // opened before the server's MAC was known: its SYN waited for ARP
  };
  struct List {
    Flow* head = nullptr;      // oldest
    Flow* tail = nullptr;
  };

  void open(api::Poller& p, uint64_t tsc, tcp::Time now);
  void become_ready(uint64_t tsc);
  void expire(uint64_t tsc);
  void release(uint64_t tsc, bool opening_stopped);
  void unhold(Flow& f, uint64_t tsc);
  void abort_all();
  void reply_complete(api::Connection& c, Flow& f);
  void finish(api::Connection& c, Flow& f);
  void fail_reply(api::Connection& c, Flow& f);
  static void append(List& l, Flow& f);
  void unlink(Flow& f);

  Plan plan_;
  const Control& ctl_;
  GenCounters cnt_;
  Histogram hist_;
  ReplyMemo memo_;             // the last reply whole in one piece: the next like it needs no parse
  std::vector<Flow> pool_;
  std::vector<Flow*> free_;
  List flight_;                // waiting for a reply or a close
  List held_;                  // replied, held open until t0 + hold_cycles
  uint32_t connecting_ = 0;    // opened, handshake not done
  uint32_t closing_ = 0;       // released from the hold, not yet closed
  double tokens_ = 0;
  double tokens_per_cycle_ = 0;
  double ns_per_cycle_ = 0;
  double bucket_ = 0;          // most tokens kept while we cannot keep up
  uint64_t last_tsc_ = 0;
  bool ready_ = false;         // the server's MAC is known: open at full rate
  bool aborted_ = false;       // Phase::kAbort handled
};

}  // namespace ts::cps
