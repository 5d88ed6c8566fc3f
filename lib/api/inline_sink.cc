#include "api/inline_sink.h"

#include <algorithm>
#include <cstdint>

namespace ts::api {

InlineSink::InlineSink(HandlerFactory factory, uint16_t lcores, bool explicit_consume)
    : per_(lcores), explicit_consume_(explicit_consume) {
  for (unsigned i = 0; i < lcores; i++) per_[i].h = factory(i);
}

InlineSink::~InlineSink() {
  for (auto& p : per_)
    for (Connection* c : p.spare) delete c;
}

void InlineSink::attach(dpdk::Datapath& dp) {
  lcores_.clear();
  for (uint16_t q = 0; q < dp.queues(); q++) lcores_.push_back(&dp.lcore(q));
}

Connection* InlineSink::make(dpdk::Lcore& l, dpdk::ConnRef ref, const tcp::FourTuple& t) {
  auto& spare = per_[l.queue()].spare;
  Connection* c;
  if (spare.empty()) {
    c = new Connection();
  } else {
    c = spare.back();
    spare.pop_back();
    *c = Connection();
  }
  c->d_ = this;
  c->ref_ = ref;
  c->tuple_ = t;
  l.set_sink_user(ref, c);
  return c;
}

void InlineSink::drop(uint16_t q, Connection* c) { per_[q].spare.push_back(c); }

void InlineSink::accepted(dpdk::Lcore& l, dpdk::ConnRef ref, const tcp::FourTuple& t) {
  Connection* c = make(l, ref, t);
  l.app_accepted(ref);
  per_[l.queue()].h->on_accept(*c);
}

void InlineSink::connected(dpdk::Lcore& l, dpdk::ConnRef ref, const tcp::FourTuple&) {
  if (Connection* c = conn(l, ref)) per_[l.queue()].h->on_connected(*c);
}

// An abort is applied once the lcore's burst is done: the burst's later segments of the same
// connection still come here, and are not the handler's any more.
void InlineSink::data(dpdk::Lcore& l, dpdk::ConnRef ref, rte_mbuf*, const uint8_t* p, uint32_t len) {
  if (Connection* c = conn(l, ref); c && !c->aborted_) per_[l.queue()].h->on_data(*c, p, len);
}

void InlineSink::peer_closed(dpdk::Lcore& l, dpdk::ConnRef ref) {
  if (Connection* c = conn(l, ref); c && !c->aborted_) {
    c->peer_closed_ = true;
    per_[l.queue()].h->on_peer_closed(*c);
  }
}

void InlineSink::send_space(dpdk::Lcore& l, dpdk::ConnRef ref, uint32_t freed) {
  if (Connection* c = conn(l, ref); c && !c->aborted_) per_[l.queue()].h->on_send_space(*c, freed);
}

void InlineSink::closed(dpdk::Lcore& l, dpdk::ConnRef ref, tcp::CloseReason why) {
  Connection* c = conn(l, ref);
  if (!c) return;
  l.set_sink_user(ref, nullptr);
  c->closing_ = true;
  per_[l.queue()].h->on_closed(*c, why);
  drop(l.queue(), c);
}

void InlineSink::poll(dpdk::Lcore& l, tcp::Time now) {
  Poller p(*this, l);
  per_[l.queue()].h->on_poll(p, now);
}

bool InlineSink::send(Connection& c, const void* data, size_t len) {
  return lcores_[c.ref_.lcore]->app_send(c.ref_, static_cast<const uint8_t*>(data), static_cast<uint32_t>(len));
}

void InlineSink::close(Connection& c) { lcores_[c.ref_.lcore]->app_close(c.ref_); }
void InlineSink::abort(Connection& c) { lcores_[c.ref_.lcore]->app_abort(c.ref_); }
void InlineSink::keepalive(Connection& c, bool on) { lcores_[c.ref_.lcore]->app_keepalive(c.ref_, on); }

void InlineSink::consumed(Connection& c, size_t bytes) {
  if (!explicit_consume_) return;  // read as it came: nothing held off the window
  lcores_[c.ref_.lcore]->app_consumed(c.ref_, static_cast<uint32_t>(std::min<size_t>(bytes, UINT32_MAX)));
}

uint32_t InlineSink::unacked(const Connection& c) const { return lcores_[c.ref_.lcore]->app_unacked(c.ref_); }

Connection* Poller::connect(uint32_t raddr, uint16_t rport) {
  auto ref = l_.app_connect(raddr, rport);
  if (!ref) return nullptr;
  auto t = l_.app_tuple(*ref);
  if (!t) return nullptr;  // failed at once (and the application was told nothing)
  return s_.make(l_, *ref, *t);
}

uint16_t Poller::lcore() const { return l_.queue(); }

}  // namespace ts::api
