#include "dpdk/mem_port.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wire/frame.h"

namespace ts::dpdk {

namespace {
constexpr unsigned kRingSize = 4096;
}

MemPort::MemPort(uint16_t queues, bool rss)
    : queues_(queues),
      reta_(rss::Reta::round_robin(queues)),
      hash_(rss::kSymmetricKey),
      other_hash_(rss::kMicrosoftKey) {
  caps_.rss = rss;
}

std::unique_ptr<MemPort> MemPort::create(const std::string& name, uint16_t queues, const wire::Mac& mac,
                                         bool rss, std::string* err) {
  std::unique_ptr<MemPort> p(new MemPort(queues, rss));
  p->name_ = name;
  p->mac_ = mac;
  for (uint16_t q = 0; q <= queues; q++) {
    std::string rn = name + (q < queues ? "_rx" + std::to_string(q) : "_cap");
    rte_ring* r = rte_ring_create(rn.c_str(), kRingSize, SOCKET_ID_ANY, RING_F_SC_DEQ);
    if (!r) {
      *err = "cannot create ring " + rn + ": " + rte_strerror(rte_errno);
      return nullptr;
    }
    (q < queues ? p->rx_.push_back(r) : void(p->capture_ = r));
  }
  return p;
}

MemPort::~MemPort() {
  auto drain = [](rte_ring* r) {
    void* m;
    while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    rte_ring_free(r);
  };
  for (auto* r : rx_) drain(r);
  if (capture_) drain(capture_);
  if (peer_ && peer_->peer_ == this) peer_->peer_ = nullptr;
}

void MemPort::connect(MemPort& a, MemPort& b) {
  a.peer_ = &b;
  b.peer_ = &a;
}

uint16_t MemPort::queue_for(rte_mbuf* m) {
  m->ol_flags &= ~RTE_MBUF_F_RX_RSS_HASH;
  if (queues_ == 1) return 0;  // nothing to steer (and the stack keeps its own hash)
  wire::Frame f;
  if (wire::parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), rte_pktmbuf_data_len(m), 0, f) !=
          wire::WireError::kOk ||
      f.kind != wire::FrameKind::kIpv4Tcp)
    return caps_.rss ? 0 : static_cast<uint16_t>(next_rr_.fetch_add(1, std::memory_order_relaxed) % queues_);
  if (!caps_.rss) return static_cast<uint16_t>(other_hash_.hash_v4(f.ip.src, f.ip.dst, f.tcp.sport, f.tcp.dport) % queues_);
  uint32_t h = hash_.hash_v4(f.ip.src, f.ip.dst, f.tcp.sport, f.tcp.dport);
  m->hash.rss = h;
  m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
  return reta_.queue_of(h);
}

bool MemPort::inject(rte_mbuf* m) {
  if (rte_ring_enqueue(rx_[queue_for(m)], m) != 0) {
    rte_pktmbuf_free(m);
    return false;
  }
  return true;
}

uint16_t MemPort::rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) {
  return static_cast<uint16_t>(rte_ring_dequeue_burst(rx_[q], reinterpret_cast<void**>(pkts), n, nullptr));
}

uint16_t MemPort::tx_burst(uint16_t, rte_mbuf** pkts, uint16_t n) {
  if (!loss_every_) return tx_burst_kept(pkts, n);
  // Kept frames first, lost ones after them, so that what is not taken stays the caller's.
  rte_mbuf* lost[512];
  uint16_t kept = 0, nlost = 0;
  for (uint16_t i = 0; i < n; i++) {
    const uint64_t k = sent_.fetch_add(1, std::memory_order_relaxed) + 1;
    const uint64_t pos = k < loss_every_ ? loss_every_ : (k - loss_every_) % loss_every_;
    if (pos % loss_gap_ == 0 && pos / loss_gap_ < loss_holes_ && nlost < 512) lost[nlost++] = pkts[i];
    else pkts[kept++] = pkts[i];
  }
  for (uint16_t i = 0; i < nlost; i++) pkts[kept + i] = lost[i];
  const uint16_t taken = tx_burst_kept(pkts, kept);
  if (taken < kept) return taken;
  for (uint16_t i = 0; i < nlost; i++) rte_pktmbuf_free(lost[i]);
  lost_.fetch_add(nlost, std::memory_order_relaxed);
  return n;
}

uint16_t MemPort::tx_burst_kept(rte_mbuf** pkts, uint16_t n) {
  if (!peer_)
    return static_cast<uint16_t>(rte_ring_enqueue_burst(capture_, reinterpret_cast<void**>(pkts), n, nullptr));
  // The peer's delivery picks a queue per frame; a full queue is a drop on the wire.
  for (uint16_t i = 0; i < n; i++) peer_->inject(pkts[i]);
  return n;
}

uint16_t MemPort::take_tx(rte_mbuf** out, uint16_t n) {
  return static_cast<uint16_t>(rte_ring_dequeue_burst(capture_, reinterpret_cast<void**>(out), n, nullptr));
}

}  // namespace ts::dpdk
