#include "api/worker_set.h"

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "dpdk/send_queue.h"

namespace ts::api {

WorkerSet::WorkerSet(HandlerFactory factory, uint16_t lcores, uint16_t workers, uint32_t ring_size,
                     uint32_t send_buffer, bool explicit_consume)
    : pairs_(size_t(lcores) * workers), w_(workers), rr_(lcores, 0), data_bound_(ring_size),
      send_buffer_(send_buffer), explicit_consume_(explicit_consume) {
  for (auto& p : pairs_) {
    p.ev = std::make_unique<EventRing>(ring_size);
    p.cmd = std::make_unique<CommandRing>(ring_size);
  }
  for (uint16_t i = 0; i < workers; i++) {
    w_[i].h = factory(i);
    w_[i].set = this;
    w_[i].index = i;
  }
}

WorkerSet::~WorkerSet() {
  stop();
  release_mbufs();
  drain();
}

void WorkerSet::drain() {
  const size_t lcores = w_.empty() ? 0 : pairs_.size() / w_.size();
  for (auto& w : w_) {
    // The ring holds a pair's older events, the overflow list the newer ones.
    for (uint16_t q = 0; q < lcores; q++) {
      Pair& p = pair(q, w.index);
      p.ev->consume_all([&](const Event& e) { handle(w, e); });
      for (const Event& e : p.overflow) handle(w, e);
      p.overflow.clear();
    }
    // Closing: what the handler sends from here on would need the mempool, which may be gone.
    for (auto& [k, c] : w.conns) {
      c->closing_ = true;
      w.h->on_closed(*c, tcp::CloseReason::kShutdown);
    }
    w.conns.clear();
  }
}

void WorkerSet::release_mbufs() {
  for (auto& p : pairs_) {
    auto free_ev = [&p](const Event& e) {
      if (!e.m) return;
      rte_pktmbuf_free(e.m);
      p.data_back.fetch_add(1, std::memory_order_relaxed);  // the workers have stopped
    };
    p.ev->consume_all(free_ev);
    for (auto& e : p.overflow) free_ev(e);
    p.overflow.clear();
    p.cmd->consume_all([](const Command& c) {
      if (c.chain) rte_pktmbuf_free(c.chain);
    });
  }
}

void WorkerSet::attach(dpdk::Datapath& dp) {
  lcores_.clear();
  for (uint16_t q = 0; q < dp.queues(); q++) lcores_.push_back(&dp.lcore(q));
  pool_ = dp.pool();
}

bool WorkerSet::start(const std::atomic<bool>& stop_flag, std::string* err) {
  // Twice would put two threads on each worker's rings (single-consumer) and its connections.
  if (std::any_of(w_.begin(), w_.end(), [](const Worker& w) { return w.running; })) {
    if (stop_ == &stop_flag) return true;
    *err = "the worker threads are already running (with another stop flag)";
    return false;
  }
  stop_ = &stop_flag;
  quit_ = false;
  for (auto& w : w_) {
    std::string name = "ts-worker-" + std::to_string(w.index);
    if (int rc = rte_ctrl_thread_create(&w.thread, name.c_str(), nullptr, thread_main, &w); rc != 0) {
      *err = "cannot start " + name + ": " + strerror(rc);
      stop();
      return false;
    }
    w.running = true;
  }
  return true;
}

void WorkerSet::stop() {
  quit_ = true;
  for (auto& w : w_) {
    if (w.running) pthread_join(w.thread, nullptr);
    w.running = false;
  }
}

uint64_t WorkerSet::overflowed() const {
  uint64_t n = 0;
  for (const auto& p : pairs_) n += p.overflowed;
  return n;
}

// ---------------------------------------------------------------- lcore side

void WorkerSet::WorkerTally::publish(dpdk::Lcore& l, stats::Counter k) {
  const uint64_t now = n.load(std::memory_order_relaxed);
  if (now == counted) return;
  l.counters().add(k, now - counted);
  counted = now;
}

uint16_t WorkerSet::worker_of(dpdk::Lcore& l, dpdk::ConnRef c) const {
  return static_cast<uint16_t>(reinterpret_cast<uintptr_t>(l.app_user(c)) - 1);
}

void WorkerSet::push(dpdk::Lcore& l, uint16_t worker, const Event& e) {
  Pair& p = pair(l.queue(), worker);
  if (!p.overflow.empty() || !p.ev->push(e)) {
    p.overflow.push_back(e);
    p.overflowed++;
    l.counters().add(stats::Counter::app_events_deferred);
  }
}

void WorkerSet::accepted(dpdk::Lcore& l, dpdk::ConnRef c, const tcp::FourTuple& t) {
  const uint16_t w = static_cast<uint16_t>(rr_[l.queue()]++ % w_.size());
  l.app_set_user(c, reinterpret_cast<void*>(uintptr_t(w) + 1));
  Event e;
  e.type = Event::kAccepted;
  e.ref = c;
  e.tuple = t;
  push(l, w, e);
}

// Workers have no way to open connections (Poller is inline-only): nothing to tell.
void WorkerSet::connected(dpdk::Lcore&, dpdk::ConnRef, const tcp::FourTuple&) {}

bool WorkerSet::room_for_data(dpdk::Lcore& l, dpdk::ConnRef c) {
  const Pair& p = pair(l.queue(), worker_of(l, c));
  return p.data_out - p.data_back.load(std::memory_order_acquire) < data_bound_;
}

void WorkerSet::data(dpdk::Lcore& l, dpdk::ConnRef c, rte_mbuf* m, const uint8_t* p, uint32_t len) {
  rte_mbuf_refcnt_update(m, 1);
  const uint16_t w = worker_of(l, c);
  pair(l.queue(), w).data_out++;
  Event e;
  e.type = Event::kData;
  e.ref = c;
  e.m = m;
  e.p = p;
  e.len = len;
  push(l, w, e);
}

void WorkerSet::peer_closed(dpdk::Lcore& l, dpdk::ConnRef c) {
  Event e;
  e.type = Event::kPeerClosed;
  e.ref = c;
  push(l, worker_of(l, c), e);
}

void WorkerSet::send_space(dpdk::Lcore& l, dpdk::ConnRef c, uint32_t freed) {
  Event e;
  e.type = Event::kSendSpace;
  e.ref = c;
  e.len = freed;
  push(l, worker_of(l, c), e);
}

void WorkerSet::closed(dpdk::Lcore& l, dpdk::ConnRef c, tcp::CloseReason why) {
  Event e;
  e.type = Event::kClosed;
  e.ref = c;
  e.reason = why;
  push(l, worker_of(l, c), e);
}

void WorkerSet::poll(dpdk::Lcore& l, tcp::Time) {
  const uint16_t q = l.queue();
  for (uint16_t w = 0; w < w_.size(); w++) {
    Pair& p = pair(q, w);
    while (!p.overflow.empty() && p.ev->push(p.overflow.front())) p.overflow.pop_front();
    p.send_full.publish(l, stats::Counter::app_send_full);
    p.no_mbuf.publish(l, stats::Counter::drop_no_mbuf);
    // Bounded: a worker flooding commands cannot starve the receive path.
    Command cmd;
    for (int i = 0; i < 256 && p.cmd->pop(cmd); i++) {
      switch (cmd.type) {
        case Command::kAccepted: l.app_accepted(cmd.ref); break;
        case Command::kSend: l.app_send_chain(cmd.ref, cmd.chain); break;
        case Command::kClose: l.app_close(cmd.ref); break;
        case Command::kAbort: l.app_abort(cmd.ref); break;
        case Command::kConsumed: l.app_consumed(cmd.ref, cmd.len); break;
        case Command::kKeepalive: l.app_keepalive(cmd.ref, cmd.len != 0); break;
      }
    }
  }
}

// ---------------------------------------------------------------- worker side

void WorkerSet::command(const Connection& c, const Command& cmd) {
  CommandRing& r = *pair(c.ref_.lcore, c.worker_).cmd;
  for (unsigned spins = 0; !r.push(cmd); spins++) {
    if (quit_.load(std::memory_order_relaxed)) {
      if (cmd.chain) rte_pktmbuf_free(cmd.chain);
      return;
    }
    if (spins > 64) sched_yield();
    else rte_pause();
  }
}

// The worker counts what it sent against what the peer acknowledged (kSendSpace): the lcore's
// queue then never holds more than send_buffer for it, and the handler hears no at once.
bool WorkerSet::send(Connection& c, const void* data, size_t len) {
  if (quit_.load(std::memory_order_relaxed)) return false;  // stopping: no lcore takes it now
  if (len > send_buffer_ - std::min(send_buffer_, c.unacked_)) {
    pair(c.ref_.lcore, c.worker_).send_full.bump();
    return false;
  }
  rte_mbuf* chain = dpdk::make_chain(pool_, static_cast<const uint8_t*>(data), static_cast<uint32_t>(len));
  if (!chain) {
    pair(c.ref_.lcore, c.worker_).no_mbuf.bump();
    return false;
  }
  Command cmd;
  cmd.type = Command::kSend;
  cmd.ref = c.ref_;
  cmd.chain = chain;
  command(c, cmd);
  c.unacked_ += static_cast<uint32_t>(len);
  return true;
}

void WorkerSet::close(Connection& c) {
  Command cmd;
  cmd.type = Command::kClose;
  cmd.ref = c.ref_;
  command(c, cmd);
}

void WorkerSet::abort(Connection& c) {
  Command cmd;
  cmd.type = Command::kAbort;
  cmd.ref = c.ref_;
  command(c, cmd);
}

void WorkerSet::keepalive(Connection& c, bool on) {
  Command cmd;
  cmd.type = Command::kKeepalive;
  cmd.ref = c.ref_;
  cmd.len = on;
  command(c, cmd);
}

void WorkerSet::consumed(Connection& c, size_t bytes) {
  if (!explicit_consume_) return;  // each data event was consumed as its on_data returned
  Command cmd;
  cmd.type = Command::kConsumed;
  cmd.ref = c.ref_;
  cmd.len = static_cast<uint32_t>(std::min<size_t>(bytes, UINT32_MAX));
  command(c, cmd);
}

void* WorkerSet::thread_main(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  w->set->worker_loop(*w);
  return nullptr;
}

bool WorkerSet::handle(Worker& w, const Event& e) {
  const uint64_t k = key(e.ref);
  if (e.type == Event::kAccepted) {
    auto c = std::unique_ptr<Connection>(new Connection());
    c->d_ = this;
    c->ref_ = e.ref;
    c->tuple_ = e.tuple;
    c->worker_ = w.index;
    Connection& conn = *c;
    w.conns[k] = std::move(c);
    Command cmd;
    cmd.type = Command::kAccepted;
    cmd.ref = e.ref;
    command(conn, cmd);
    w.h->on_accept(conn);
    return true;
  }
  auto it = w.conns.find(k);
  if (it == w.conns.end()) {
    if (e.m) data_done(w.index, e);
    return true;
  }
  Connection& c = *it->second;
  // Aborted by the handler: the events the lcore sent before it took the abort are not its any
  // more (the data's mbuf is still freed); on_closed follows.
  if (c.aborted_ && e.type != Event::kClosed) {
    if (e.m) data_done(w.index, e);
    return true;
  }
  switch (e.type) {
    case Event::kData: {
      w.h->on_data(c, e.p, e.len);
      data_done(w.index, e);  // the mbuf: the handler copied what it keeps
      if (!explicit_consume_) {
        Command done;  // the bytes go back to the receive window
        done.type = Command::kConsumed;
        done.ref = e.ref;
        done.len = e.len;
        command(c, done);
      }
      break;
    }
    case Event::kPeerClosed:
      c.peer_closed_ = true;
      w.h->on_peer_closed(c);
      break;
    case Event::kSendSpace:
      c.unacked_ -= std::min(c.unacked_, e.len);
      w.h->on_send_space(c, e.len);
      break;
    case Event::kClosed:
      c.closing_ = true;  // what it sends from on_closed would go nowhere: send() says so
      w.h->on_closed(c, e.reason);
      w.conns.erase(it);
      break;
    default:
      break;
  }
  return true;
}

// The one writer of data_back is the pair's worker (or, after stop(), the main thread).
void WorkerSet::data_done(uint16_t worker, const Event& e) {
  rte_pktmbuf_free(e.m);
  std::atomic<uint64_t>& back = pair(e.ref.lcore, worker).data_back;
  back.store(back.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void WorkerSet::worker_loop(Worker& w) {
  unsigned idle = 0;
  while (!quit_.load(std::memory_order_relaxed) && !(stop_ && stop_->load(std::memory_order_relaxed))) {
    unsigned n = 0;
    for (uint16_t q = 0; q < lcores_.size(); q++) {
      EventRing& r = *pair(q, w.index).ev;
      Event e;
      for (int i = 0; i < 256 && r.pop(e); i++, n++) handle(w, e);
    }
    // Back off when idle: spin briefly, then yield, then sleep, so an idle server costs nothing.
    if (n) idle = 0;
    else if (++idle < 256) rte_pause();
    else if (idle < 2048) sched_yield();
    else usleep(50);
  }
}

}  // namespace ts::api
