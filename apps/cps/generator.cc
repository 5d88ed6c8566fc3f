#include "generator.h"

#include <rte_cycles.h>

#include <algorithm>
#include <new>
#include <type_traits>

#include "dpdk/lcore.h"

namespace ts::cps {

namespace {
// Opens per poll iteration at most: the receive path of the same loop must keep up.
constexpr int kMaxOpensPerPoll = 32;
// Handshakes in progress at most with --rate max, and closes after a hold at any rate: past a
// ring's worth, SYNs (or FINs) only queue up in front of the server, or its answers in front of
// us, and get dropped, whatever --concurrency allows. With a rate, opening stays open-loop.
constexpr uint32_t kMaxConnecting = 256;
}  // namespace

const char* fail_name(Fail f) {
  switch (f) {
    case Fail::kTimeout: return "timeout";
    case Fail::kRst: return "rst";
    case Fail::kRefused: return "refused";
    case Fail::kBadReply: return "bad_reply";
    case Fail::kLocal: return "local";
    default: return "?";
  }
}

Generator::Generator(const Plan& plan, const Control& ctl) : plan_(plan), ctl_(ctl), pool_(plan.concurrency) {
  free_.reserve(pool_.size());
  for (size_t i = pool_.size(); i-- > 0;) free_.push_back(&pool_[i]);
  ns_per_cycle_ = 1e9 / static_cast<double>(plan_.tsc_hz);
  if (plan_.rate > 0) {
    tokens_per_cycle_ = plan_.rate / static_cast<double>(plan_.tsc_hz);
    // Up to 5 ms of backlog is made up after a stall (a scheduler tick on a shared core), at
    // most kMaxOpensPerPoll at a time; a generator that stays behind shows a lower rate.
    bucket_ = std::max(16.0, plan_.rate / 200.0);
  }
  // Nothing to open (--requests below the lcore count): no server to wait for, no warm-up.
  if (plan_.quota == 0) become_ready(0);
}

void Generator::become_ready(uint64_t tsc) {
  ready_ = true;
  last_tsc_ = tsc;
  GenCounters::bump(cnt_.ready);
}

void Generator::append(List& l, Flow& f) {
  f.prev = l.tail;
  f.next = nullptr;
  (l.tail ? l.tail->next : l.head) = &f;
  l.tail = &f;
}

void Generator::unlink(Flow& f) {
  List& l = f.held ? held_ : flight_;
  if (f.prev) f.prev->next = f.next;
  else if (l.head == &f) l.head = f.next;
  if (f.next) f.next->prev = f.prev;
  else if (l.tail == &f) l.tail = f.prev;
  f.prev = f.next = nullptr;
  f.held = false;
}

void Generator::on_poll(api::Poller& p, tcp::Time now) {
  const uint64_t tsc = rte_rdtsc();
  expire(tsc);
  const auto phase = static_cast<Phase>(ctl_.phase.load(std::memory_order_relaxed));
  if (held_.head) release(tsc, phase != Phase::kRun);
  switch (phase) {
    case Phase::kRun: return open(p, tsc, now);
    case Phase::kDrain: return;
    case Phase::kAbort: return abort_all();
  }
}

void Generator::open(api::Poller& p, uint64_t tsc, tcp::Time now) {
  int n = kMaxOpensPerPoll;
  if (!ready_) {
    // Until the server's MAC is known, one connection at a time: it makes the ARP request, and
    // the rate does not pile up SYNs that would wait for the answer.
    const dpdk::Shared& sh = p.raw().shared();
    wire::Mac mac;
    if (sh.arp->lookup(sh.netif.next_hop(plan_.server_ip), now, &mac) != dpdk::ArpCache::Result::kMiss) {
      become_ready(tsc);
    } else if (cnt_.in_flight > 0) {
      return;
    } else {
      n = 1;
    }
  }
  const bool metered = plan_.rate > 0 && ready_;
  if (metered) {
    tokens_ = std::min(bucket_, tokens_ + static_cast<double>(tsc - last_tsc_) * tokens_per_cycle_);
    last_tsc_ = tsc;
    // Bounded before the cast: a double past INT_MAX does not convert (INT_MIN on x86: no opens).
    n = static_cast<int>(std::min(tokens_, static_cast<double>(n)));
  }
  if (!metered) n = std::min(n, static_cast<int>(kMaxConnecting - std::min(kMaxConnecting, connecting_)));
  // What is left of the quota: none once it is opened (or when it is 0), ample for kNoQuota.
  n = static_cast<int>(std::min<uint64_t>(uint64_t(std::max(n, 0)), plan_.quota - cnt_.attempted));
  n = std::min(n, static_cast<int>(free_.size()));
  for (int i = 0; i < n; i++) {
    api::Connection* c = p.connect(plan_.server_ip, plan_.server_port);
    if (!c) {
      GenCounters::bump(cnt_.stalls);
      break;
    }
    // Made anew in place, default-initialised: every field has its initialiser but the reply
    // parser's line buffer, which needs none (`*f = Flow{}` zeroed it and copied all in).
    static_assert(std::is_trivially_destructible_v<Flow>, "the old Flow is built over, not destroyed");
    Flow* f = ::new (static_cast<void*>(free_.back())) Flow;
    free_.pop_back();
    f->c = c;
    f->t0 = tsc;
    f->warmup = !ready_;
    append(flight_, *f);
    c->user = f;
    connecting_++;
    if (metered) tokens_ -= 1;
    GenCounters::bump(cnt_.attempted);
    GenCounters::bump(cnt_.in_flight);
  }
  if (cnt_.in_flight > cnt_.in_flight_peak) GenCounters::set(cnt_.in_flight_peak, cnt_.in_flight);
}

// The oldest first: a connection past its time is aborted and will be counted a timeout.
void Generator::expire(uint64_t tsc) {
  while (flight_.head && tsc - flight_.head->t0 > plan_.timeout_cycles) {
    Flow* f = flight_.head;
    unlink(*f);
    f->timed_out = true;
    f->c->abort();
  }
}

// Held connections whose time is up (or, with --hold end, all once opening stopped) are closed as
// --close says; the close is timed from now. Paced as the opens are (a poll's worth at a time, a
// ring's worth closing at once): connections opened together would otherwise all close at once.
void Generator::release(uint64_t tsc, bool opening_stopped) {
  const bool all = opening_stopped && plan_.hold_cycles == kHoldToEnd;
  for (int n = 0; n < kMaxOpensPerPoll && closing_ < kMaxConnecting && held_.head &&
                  (all || tsc - held_.head->t0 >= plan_.hold_cycles);
       n++) {
    Flow* f = held_.head;
    unhold(*f, tsc);
    f->released = true;
    closing_++;
    finish(*f->c, *f);
  }
}

// Back on the timeout list: a held connection is closing, by our choice or the peer's.
void Generator::unhold(Flow& f, uint64_t tsc) {
  if (!f.held) return;
  unlink(f);
  f.t0 = tsc;
  append(flight_, f);
}

// Whatever is still open at the end, held ones included, is cut and counted as a timeout.
void Generator::abort_all() {
  if (aborted_) return;
  aborted_ = true;
  for (List* l : {&flight_, &held_}) {
    while (Flow* f = l->head) {
      unlink(*f);
      f->timed_out = true;
      f->c->abort();
    }
  }
}

void Generator::on_connected(api::Connection& c) {
  auto* f = static_cast<Flow*>(c.user);
  if (!f) return;
  const uint64_t cycles = rte_rdtsc() - f->t0;
  f->connected = true;
  connecting_--;
  // A warm-up connection's time includes the ARP exchange: not a connect time of the server's.
  if (!f->warmup) hist_.record(static_cast<uint64_t>(static_cast<double>(cycles) * ns_per_cycle_));
  GenCounters::bump(cnt_.connected);
  if (plan_.request.empty()) return reply_complete(c, *f);
  if (!c.send(plan_.request)) {
    // Accounted for now: the abort's on_closed finds no flow.
    c.abort();
    GenCounters::bump(cnt_.failed[static_cast<int>(Fail::kLocal)]);
    GenCounters::bump(cnt_.in_flight, -1);
    unlink(*f);
    c.user = nullptr;
    free_.push_back(f);
  }
}

void Generator::on_data(api::Connection& c, const uint8_t* data, size_t len) {
  auto* f = static_cast<Flow*>(c.user);
  if (!f || f->bad) return;
  switch (plan_.kind) {
    case Request::kHttp: {
      if (f->reply_done) return fail_reply(c, *f);
      const bool fresh = f->http.fresh();
      if (fresh && memo_.matches(data, len)) return reply_complete(c, *f);
      switch (f->http.feed(data, len)) {
        case HttpReply::Result::kDone:
          if (fresh) memo_.keep(data, len);
          return reply_complete(c, *f);
        case HttpReply::Result::kBad: return fail_reply(c, *f);
        case HttpReply::Result::kMore: return;
      }
      return;
    }
    case Request::kEcho:
      f->echoed += static_cast<uint32_t>(len);
      if (f->echoed > plan_.request.size()) return fail_reply(c, *f);
      if (f->echoed == plan_.request.size() && !f->reply_done) reply_complete(c, *f);
      return;
    case Request::kNone:
      return;  // whatever the server says is not our business
  }
}

void Generator::reply_complete(api::Connection& c, Flow& f) {
  f.reply_done = true;
  if (plan_.hold_cycles && !c.peer_closed()) {
    // Off the timeout list: the time it stays open is ours to choose (--hold).
    unlink(f);
    f.t0 = rte_rdtsc();
    f.held = true;
    append(held_, f);
    return;
  }
  finish(c, f);
}

// The reply is in (and any hold over): end the connection as --close says.
void Generator::finish(api::Connection& c, Flow& f) {
  switch (plan_.close) {
    case CloseMode::kClient: break;
    case CloseMode::kRst:
      f.finishing = true;
      return c.abort();
    case CloseMode::kServer:
      if (!c.peer_closed()) return;  // on_peer_closed closes
      break;
  }
  if (!f.finishing) {
    f.finishing = true;
    c.close();
  }
}

void Generator::fail_reply(api::Connection& c, Flow& f) {
  f.bad = true;
  unhold(f, rte_rdtsc());
  if (!f.finishing) {
    f.finishing = true;
    c.close();
  }
}

void Generator::on_peer_closed(api::Connection& c) {
  auto* f = static_cast<Flow*>(c.user);
  if (f && !f->reply_done && !f->bad) {
    // The server's FIN ends a reply with no length; any other reply it cuts short.
    if (plan_.kind == Request::kHttp && f->http.done_at_eof()) reply_complete(c, *f);
    else f->bad = true;
  }
  if (f && f->finishing) return;
  if (f) {
    unhold(*f, rte_rdtsc());
    f->finishing = true;
  }
  c.close();
}

void Generator::on_closed(api::Connection& c, tcp::CloseReason why) {
  auto* f = static_cast<Flow*>(c.user);
  if (!f) return;
  if (!f->connected) connecting_--;
  if (f->released) closing_--;
  using R = tcp::CloseReason;
  bool ok = false;
  Fail reason = Fail::kTimeout;
  if (f->timed_out) {
    reason = Fail::kTimeout;
  } else if (why == R::kRefused) {
    reason = Fail::kRefused;
  } else if (why == R::kReset) {
    reason = Fail::kRst;
  } else if (why == R::kNormal || (why == R::kAborted && plan_.close == CloseMode::kRst)) {
    ok = f->reply_done && !f->bad;
    reason = Fail::kBadReply;
  }
  if (ok) GenCounters::bump(cnt_.completed);
  else GenCounters::bump(cnt_.failed[static_cast<int>(reason)]);
  GenCounters::bump(cnt_.in_flight, -1);
  unlink(*f);
  c.user = nullptr;
  free_.push_back(f);
}

}  // namespace ts::cps
