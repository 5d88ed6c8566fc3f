// Lcore: ARP (RFC 826, with RFC 5227 announcements) and ICMP echo.
#include <rte_mbuf.h>

#include <algorithm>

#include "dpdk/lcore_internal.h"
#include "dpdk/log.h"

namespace ts::dpdk {

using stats::Counter;

void Lcore::arp_input(rte_mbuf* m, const wire::Frame& f) {
  const wire::ArpPacket& a = f.arp;
  const Netif& ni = sh_.netif;
  cnt_.add(a.op == wire::kArpOpRequest ? Counter::arp_requests_in : Counter::arp_replies_in);
  // Someone else uses our address, or probes for it while we do (RFC 5227 §2.1.1).
  const bool probing = now_ < sh_.probe_until;
  if ((ni.ours(a.spa) && !(a.sha == ni.mac)) || (probing && a.spa == 0 && a.tpa == ni.ip && !(a.sha == ni.mac))) {
    cnt_.add(Counter::arp_conflicts);
    // While probing, the application reports the conflict (and gives up the address). Later, a
    // line a second at most (the counter has them all): a host flooding claims must not flood
    // the log as well.
    if (!probing && now_ >= next_conflict_log_) {
      next_conflict_log_ = now_ + tcp::kSec;
      TS_LOG(WARNING, arp, "%s claims our address %s", mac_str(a.sha).c_str(), ipv4_str(ni.ip).c_str());
    }
    return rte_pktmbuf_free(m);
  }
  // RFC 826's merge: refresh a sender we know; learn it when the packet is for us.
  const bool for_us = ni.ours(a.tpa);
  if (a.spa != 0 && !a.sha.is_multicast() && (for_us || sh_.arp->contains(a.spa)))
    sh_.arp->update(a.spa, a.sha, now_);
  if (!for_us) {
    cnt_.add(Counter::drop_arp_not_ours);
    return rte_pktmbuf_free(m);
  }
  if (a.op != wire::kArpOpRequest) return rte_pktmbuf_free(m);
  // Answer in place: the request's buffer is big enough for the reply.
  if (!(m = writable(m))) return;
  wire::EtherHeader eth = f.eth;
  eth.src = ni.mac;
  const size_t n = wire::build_arp_reply(rte_pktmbuf_mtod(m, uint8_t*), m->buf_len - m->data_off, eth, a);
  if (n == 0) return rte_pktmbuf_free(m);
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  m->ol_flags = 0;
  cnt_.add(Counter::arp_replies_out);
  tx(m);
}

void Lcore::icmp_input(rte_mbuf* m, const wire::Frame& f) {
  if (f.icmp.type != wire::kIcmpEchoRequest) {
    cnt_.add(Counter::drop_icmp_other);
    return rte_pktmbuf_free(m);
  }
  cnt_.add(Counter::icmp_echo_in);
  if (!(m = writable(m))) return;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  const size_t n = wire::build_echo_reply_frame(p, m->buf_len - m->data_off, p, f, sh_.netif.mac, ++echo_ip_id_);
  if (n == 0) {
    cnt_.add(Counter::drop_icmp_malformed);
    return rte_pktmbuf_free(m);
  }
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  m->ol_flags = 0;
  cnt_.add(Counter::icmp_echo_out);
  // The request's sender is the way back (the builder addressed the reply to it).
  tx(m);
}

// The request's mbuf, to write the reply over; or a copy of it where its buffer is not ours
// alone (an indirect mbuf, or a PMD's external buffer: mlx5's MPRQ strides, vhost's extbuf).
// Clearing ol_flags, as the replies do, would otherwise lose the attachment and hand the pool an
// mbuf pointing into someone else's buffer. nullptr (the request freed, counted) if the pool is dry.
rte_mbuf* Lcore::writable(rte_mbuf* m) {
  if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1) return m;
  rte_mbuf* c = rte_pktmbuf_copy(m, sh_.pool, 0, UINT32_MAX);
  rte_pktmbuf_free(m);
  if (!c) cnt_.add(Counter::drop_no_mbuf);
  return c;
}

// Who-has for `ip`, at most once per kArpRetry per address from this lcore; or an announcement
// (sender = target = our address), or a probe (sender 0.0.0.0, RFC 5227 §2.1.1).
void Lcore::arp_request(uint32_t ip, ArpKind kind) {
  auto& slot = arp_asked_[(ip * 2654435761u) >> 26];
  const bool plain = kind == ArpKind::kRequest;
  if (plain && slot.first == ip && now_ < slot.second + kArpRetry && slot.second != 0) return;
  if (plain) slot = {ip, now_ == 0 ? 1 : now_};
  rte_mbuf* m = alloc_segment();
  if (!m) return;
  wire::EtherHeader eth;
  eth.src = sh_.netif.mac;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  const size_t cap = m->buf_len - m->data_off;
  const size_t n = kind == ArpKind::kGratuitous ? wire::build_gratuitous_arp(p, cap, eth, sh_.netif.ip)
                   : wire::build_arp_request(p, cap, eth, kind == ArpKind::kProbe ? 0 : sh_.netif.ip, ip);
  if (n == 0) return rte_pktmbuf_free(m);
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  cnt_.add(Counter::arp_requests_out);
  tx(m);
}

// Probes while the address is being checked, then the announcements.
void Lcore::announce() {
  if (now_ < sh_.probe_until) {
    arp_request(sh_.netif.ip, ArpKind::kProbe);
    announce_at_ = std::min(now_ + kProbeInterval, sh_.probe_until);
    return;
  }
  arp_request(sh_.netif.ip, ArpKind::kGratuitous);
  announcements_left_--;
  announce_at_ = now_ + kAnnounceInterval;
}

}  // namespace ts::dpdk
