// Lcore: set-up, the poll loop, receive classification and the transmit path.
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include "dpdk/lcore_internal.h"
#include "dpdk/pmd_guard.h"
#include "dpdk/vlan.h"
#include "tcp/conn.h"
#include "table/value.h"

namespace ts::dpdk {

using stats::Counter;

namespace {
std::atomic<unsigned> g_ring_serial{0};  // ring names are global to the process

// A checksum the PMD has vouched for. NONE is "not correct in the packet data, but the data's
// integrity verified": virtio marks so what a Linux peer sends with its checksum left to
// offload (VIRTIO_NET_HDR_F_NEEDS_CSUM), whose field holds only the pseudo-header's sum and
// would fail our own check.
bool rx_sum_verified(uint64_t status, uint64_t good, uint64_t none) { return status == good || status == none; }
}  // namespace

Lcore::Lcore(Shared& sh, uint16_t queue, stats::LcoreCounters& cnt)
    : sh_(sh), queue_(queue), vlan_(sh.netif.vlan), cnt_(cnt) {
  init_state_gauges();
}

std::unique_ptr<Lcore> Lcore::create(Shared& sh, uint16_t queue, stats::LcoreCounters& cnt, tcp::Time now,
                                     std::string* err) {
  std::unique_ptr<Lcore> l(new Lcore(sh, queue, cnt));
  l->now_ = now;
  if (sh.port) l->caps_ = sh.port->caps();
  if (sh.rx_checksum_trusted) l->rx_flags_ = wire::kRxIpChecksumOk | wire::kRxL4ChecksumOk;
  l->ctx_.cfg = sh.tcp;
  l->ctx_.isn_source = l.get();
  l->ctx_.listeners = l.get();
  l->ctx_.cookie_keys = l.get();
  l->ctx_.cookie_secrets = {l->fresh_key(), l->fresh_key()};
  l->ctx_.cookie_rotated = now;
  const uint32_t nc = sh.conns_per_queue, nt = sh.time_wait_per_queue;
  table::Config tc;
  tc.capacity = nc + nt;
  tc.seed = sh.table_seed ^ (uint64_t(queue) * 0x9e3779b97f4a7c15ull);
  l->table_ = table::Shard::create(tc);
  if (!l->table_) return *err = "cannot allocate the connection table", nullptr;
  l->wheel_ = std::make_unique<tcp::TimerWheel>(nc + nt, kTick, now);
  l->conns_.resize(nc);
  l->conns_n_ = nc;
  l->held_.resize(sh.out_of_order_mbufs);
  l->held_cap_ = std::clamp<uint32_t>(sh.out_of_order_mbufs / 4, 1, UINT16_MAX);
  l->held_free_ = kNoHeld;
  for (uint32_t i = sh.out_of_order_mbufs; i-- > 0;) l->held_[i].next = std::exchange(l->held_free_, i);
  l->tws_.resize(nt);
  l->tw_hash_.resize(nt);
  for (uint32_t i = nc; i-- > 0;) l->free_conns_.push_back(i);
  for (uint32_t i = nt; i-- > 0;) l->free_tws_.push_back(i);
  l->dirty_.reserve(1024);
  l->deferred_.reserve(256);
  l->pending_.reserve(kMaxPending);
  l->expired_.resize(kTimersPerAdvance);
  l->rx_.resize(sh.burst);
  l->rx_hash_.resize(sh.burst);
  l->rx_place_.resize(sh.burst);
  l->retired_.resize(sh.burst);
  l->txq_.resize(2u * sh.burst);
  std::string rn = "ts_ho" + std::to_string(g_ring_serial.fetch_add(1)) + "_" + std::to_string(queue);
  l->handoff_ = rte_ring_create(rn.c_str(), sh.handoff_ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
  if (!l->handoff_) return *err = "cannot create ring " + rn + ": " + rte_strerror(rte_errno), nullptr;
  const rss::PortRange& ports = sh.ports;
  l->addr_parts_.resize(sh.netif.ip_count);
  l->next_port_.assign(sh.netif.ip_count,
                       static_cast<uint16_t>(ports.lo + (sh.table_seed >> 7) % (ports.hi - ports.lo + 1u)));
  if (queue == 0) {
    l->announcements_left_ = kAnnounceNum;
    l->announce_at_ = now;
  }
  return l;
}

Lcore::~Lcore() {
  shutdown();
  if (handoff_) rte_ring_free(handoff_);
}

bool Lcore::listen(uint16_t port, uint32_t backlog) {
  for (auto& s : listeners_)
    if (s.port == port) return false;
  ListenerSlot s{port, {}};
  s.l.backlog = backlog;
  s.l.max_half_open = sh_.tcp.max_half_open;
  listeners_.push_back(s);
  return true;
}

// On the host's clock (CLOCK_MONOTONIC), with the host's key: a new process's ISNs and TSvals
// for a tuple continue from those of the process before it, as Linux's do across sockets.
uint32_t Lcore::isn(const tcp::FourTuple& t, tcp::Time now) {
  return tcp::make_isn(sh_.isn_key, t, sh_.clock.host_origin() + now);
}

uint32_t Lcore::ts_offset(const tcp::FourTuple& t) {
  const uint32_t a = t.laddr - sh_.netif.ip;
  if (a >= sh_.netif.ip_count) return tcp::make_ts_offset(sh_.ts_key, t.laddr, t.raddr, sh_.clock.host_origin());
  return_addr_part(a, t.raddr);  // memoizes the offset too
  return addr_parts_[a].ts_off;
}

// SYN cookie keys: from the kernel's CSPRNG, once per rotation period (minutes), never per packet.
tcp::SipKey Lcore::fresh_key() {
  tcp::SipKey k;
  if (getrandom(&k, sizeof k, 0) != static_cast<ssize_t>(sizeof k)) {
    std::random_device rd;
    k = {(uint64_t(rd()) << 32) ^ rd(), (uint64_t(rd()) << 32) ^ rd()};
  }
  return k;
}

tcp::Listener* Lcore::find(const tcp::FourTuple& t) {
  for (auto& s : listeners_)
    if (s.port == t.lport) return &s.l;
  return nullptr;
}

bool Lcore::hand_over(rte_mbuf* m) { return rte_ring_mp_enqueue(handoff_, m) == 0; }

unsigned Lcore::poll(tcp::Time now) {
  now_ = now;
  // Frames other lcores handed over first: most were received before this poll's burst. A tap
  // sends a flow's SYN and the handshake's ACK to the queue of its own hash, and the rest to the
  // queue we answered from: handed-over ACKs taken after the request that followed them were
  // half of queues.sh's segments outside the window (an ACK back for each).
  const unsigned h = rte_ring_sc_dequeue_burst(handoff_, reinterpret_cast<void**>(rx_.data()),
                                               static_cast<unsigned>(rx_.size()), nullptr);
  if (h) {
    for (unsigned i = 0; i < h; i++) input(rx_[i], false);
    free_retired();
    flush_app();
  }
  const uint16_t got = sh_.port->rx_burst(queue_, rx_.data(), static_cast<uint16_t>(rx_.size()));
  const uint16_t n = vlan_ ? untag_burst(got) : got;  // out of line: untagged ports pay one test
  for (uint16_t i = 0; i < n; i++) rx_hash_[i] = prefetch_flow(rx_[i], rx_place_[i]);
  for (uint16_t i = 0; i < n; i++) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(rx_[i + 1], void*));
    input(rx_[i], true, rx_hash_[i], rx_place_[i]);
  }
  free_retired();
  flush_app();
  run_timers();
  if (now_ >= next_tick_) {
    next_tick_ = now_ + kTick;
    if (got + h == 0) drain_stash();
    retry_pending();
    if (announcements_left_ && now_ >= announce_at_) announce();
    publish_tcp_counters();
  }
  if (sh_.sink) {
    sh_.sink->poll(*this, now_);
    flush_app();
    if (!starved_.empty()) {
      retake_held();
      flush_app();
    }
  }
  flush_deferred_acks();
  flush_tx();
  return got + h;
}

void Lcore::run(const std::atomic<bool>& stop) {
  const pmd_guard::Section guard;  // a PMD's unmap waits for this loop to be outside its bursts
  pmd_guard::Reader unguarded;
  pmd_guard::Reader& reader = guard.reader() ? *guard.reader() : unguarded;
  uint64_t t = rte_rdtsc();
  while (!stop.load(std::memory_order_relaxed)) {
    reader.pass();
    const uint64_t sent = cnt_.read(Counter::tx_packets);
    const bool busy = poll(sh_.clock.at(t)) != 0 || cnt_.read(Counter::tx_packets) != sent;
    if (!busy) rte_pause();
    const uint64_t t1 = rte_rdtsc();
    poll_time_.cycles[busy] += t1 - t;
    t = t1;
  }
  flush_tx();
  drain_stash();
  publish_tcp_counters();
}

void Lcore::shutdown() {
  free_retired();
  flush_tx();
  close_all();
  flush_tx();  // the RSTs
  publish_tcp_counters();
  for (auto& p : pending_) rte_pktmbuf_free(p.m);
  pending_.clear();
  void* m;
  while (handoff_ && rte_ring_sc_dequeue(handoff_, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  drain_stash();
}

// Each connection the peer knows of gets the RST abort() sends, while the port is still up: a
// peer idle on a keep-alive connection would otherwise wait on it until its own timers ran out.
// Best effort: a RST the transmit ring has no room for is a tx_full_drop. The state is CLOSED
// before the sink hears of it, so that what a handler asks from inside on_closed is refused.
void Lcore::close_all() {
  AppSink* sink = sh_.sink;
  for (uint32_t slot = 0; slot < conns_.size() && conns_live_; slot++) {
    Conn& c = conns_[slot];
    if (!(c.flags & cf::kLive)) continue;
    const tcp::State before = c.tcb.state;
    const tcp::Actions a = tcp::abort(ctx_, c.tcb, now_, tcp::CloseReason::kShutdown);
    for (int i = 0; i < a.count; i++) emit(c, a.seg[i]);
    note_state(before, tcp::State::kClosed);  // abort() left it CLOSED, counted as kShutdown
    cnt_.add(Counter::conn_shutdown);
    if ((c.flags & cf::kKnown) && sink) sink->closed(*this, ref_of(slot), tcp::CloseReason::kShutdown);
    table_->erase(c.tcb.tuple, c.hash);
    free_conn(slot);
  }
  dirty_.clear();
  deferred_.clear();
}

// On a VLAN port, rx_[0..n) as received: frames of our VLAN lose their tag and stay (moved to
// the front, in order); the others are counted as received and dropped, before anything reads
// them. Returns how many stay. rx_bytes counts frames as they crossed the wire, tag and all,
// whether the NIC or vlan.h took it off (input() counts a kept frame's length without it).
uint16_t Lcore::untag_burst(uint16_t n) {
  const bool hw = caps_.rx_vlan_strip;
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; i++) {
    rte_mbuf* m = rx_[i];
    const bool stripped = hw && (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED);
    if (vlan_untag(m, vlan_, hw)) {
      rx_[kept++] = m;
      continue;
    }
    cnt_.add(Counter::rx_packets);
    cnt_.add(Counter::rx_bytes, rte_pktmbuf_pkt_len(m) + (stripped ? wire::kVlanTagLen : 0));
    cnt_.add(Counter::drop_eth_vlan);
    rte_pktmbuf_free(m);
  }
  cnt_.add(Counter::rx_bytes, uint64_t{kept} * wire::kVlanTagLen);
  return kept;
}

void Lcore::count_parse_error(wire::WireError e) {
  using W = wire::WireError;
  Counter c = Counter::drop_eth_malformed;
  switch (e) {
    case W::kArpTruncated: case W::kArpUnsupported: case W::kArpBadOp: c = Counter::drop_arp_malformed; break;
    case W::kIpTruncated: case W::kIpBadIhl: c = Counter::drop_ip_header_length; break;
    case W::kIpBadVersion: c = Counter::drop_ip_version; break;
    case W::kIpBadTotalLength: c = Counter::drop_ip_total_length; break;
    case W::kIpBadChecksum: c = Counter::drop_ip_checksum; break;
    case W::kIpFragment: c = Counter::drop_ip_fragment; break;
    case W::kIpBadSource: c = Counter::drop_ip_source; break;
    case W::kIcmpTruncated: case W::kIcmpBadChecksum: c = Counter::drop_icmp_malformed; break;
    case W::kTcpBadChecksum: c = Counter::drop_tcp_checksum; break;
    case W::kTcpTruncated: case W::kTcpBadDataOffset: case W::kTcpOptionBadLength:
    case W::kTcpOptionOverrun: c = Counter::drop_tcp_malformed; break;
    default: break;
  }
  cnt_.add(c);
}

// The first pass over a burst: the table lines each TCP frame's lookup will read, asked for all
// at once so that their misses overlap instead of stalling one frame after another. The tuple is
// read at fixed offsets, unchecked: input() validates the frame; a bad one costs a useless
// prefetch and nothing else. Returns the RSS hash of that tuple (kNoHash if not IPv4/TCP
// without a VLAN tag) and sets `place`, its place in the table, which input() both use once
// the parse confirms the same offsets.
uint64_t Lcore::prefetch_flow(const rte_mbuf* m, table::Shard::Place& place) const {
  constexpr size_t kIp = wire::kEtherHeaderLen, kMinTcpFrame = kIp + 20 + 20;
  if (m->data_len < kMinTcpFrame) return kNoHash;
  const auto* p = rte_pktmbuf_mtod(m, const uint8_t*);
  if (wire::load_be16(p + 12) != wire::kEtherTypeIpv4 || p[kIp + 9] != wire::kIpProtoTcp) return kNoHash;
  const size_t l4 = kIp + size_t{p[kIp] & 0x0fu} * 4;
  if (l4 + 4 > m->data_len) return kNoHash;
  const uint32_t src = wire::load_be32(p + kIp + 12), dst = wire::load_be32(p + kIp + 16);
  const uint16_t sport = wire::load_be16(p + l4), dport = wire::load_be16(p + l4 + 2);
  const uint32_t hash = flow_hash(src, dst, sport, dport);
  place = table_->place({dst, src, dport, sport}, hash);
  table_->prefetch(place);
  return hash;
}

void Lcore::input(rte_mbuf* m, bool from_wire, uint64_t pre_hash, table::Shard::Place pre_place) {
  if (from_wire) {
    cnt_.add(Counter::rx_packets);
    cnt_.add(Counter::rx_bytes, rte_pktmbuf_pkt_len(m));
  } else {
    cnt_.add(Counter::handoff_in);
  }
  if (m->nb_segs != 1) {  // we never configure scattered RX; a PMD that does anyway is refused
    cnt_.add(Counter::drop_eth_malformed);
    return rte_pktmbuf_free(m);
  }
  const PortCaps& caps = caps_;
  uint32_t flags = rx_flags_;
  if (caps.rx_ip_checksum && rx_sum_verified(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
                                              RTE_MBUF_F_RX_IP_CKSUM_NONE))
    flags |= wire::kRxIpChecksumOk;
  if (caps.rx_l4_checksum && rx_sum_verified(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                                              RTE_MBUF_F_RX_L4_CKSUM_NONE))
    flags |= wire::kRxL4ChecksumOk;
  wire::Frame& f = rx_frame_;
  if (wire::WireError e = wire::parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, flags, f);
      e != wire::WireError::kOk) {
    count_parse_error(e);
    return rte_pktmbuf_free(m);
  }
  // Another VLAN's frame (ours lost its tag in untag_burst): our connections, ARP requests and
  // announcements carry our tag or none, so its peer could never complete a handshake; drop it
  // whole. A priority tag (VLAN id 0) is untagged.
  if (f.eth.has_vlan && (f.eth.vlan_tci & wire::kVlanIdMask) != 0) {
    cnt_.add(Counter::drop_eth_vlan);
    return rte_pktmbuf_free(m);
  }
  const Netif& ni = sh_.netif;
  const bool to_us = f.eth.dst == ni.mac;  // else broadcast, past this
  if (!to_us && !f.eth.dst.is_broadcast()) {
    cnt_.add(Counter::drop_eth_not_ours);
    return rte_pktmbuf_free(m);
  }
  switch (f.kind) {
    case wire::FrameKind::kArp:
      // The neighbour cache has one writer: queue 0's lcore.
      if (queue_ != 0) {
        if (sh_.lcores[0]->hand_over(m)) return cnt_.add(Counter::handoff_out);
        cnt_.add(Counter::drop_handoff_full);
        return rte_pktmbuf_free(m);
      }
      return arp_input(m, f);
    case wire::FrameKind::kIpv4Tcp:
    case wire::FrameKind::kIpv4Icmp:
    case wire::FrameKind::kIpv4Other:
      break;
    default:
      cnt_.add(Counter::drop_ethertype);
      return rte_pktmbuf_free(m);
  }
  // RFC 1122 §3.3.6: an IP datagram sent to the link's broadcast address, not to an IP
  // broadcast one, is dropped (only ARP is for everyone).
  if (!to_us) {
    cnt_.add(Counter::drop_eth_not_ours);
    return rte_pktmbuf_free(m);
  }
  if (!ni.ours(f.ip.dst)) {
    cnt_.add(Counter::drop_ip_not_ours);
    return rte_pktmbuf_free(m);
  }
  // Martians the parser cannot know (RFC 1122 §3.2.1.3): our own address (a reflection, or a
  // loop), or our subnet's broadcast; answering it would reach every host on the link.
  if (ni.ours(f.ip.src) || (ni.prefix_len < 31 && f.ip.src == ni.broadcast())) {
    cnt_.add(Counter::drop_ip_source);
    return rte_pktmbuf_free(m);
  }
  if (f.kind == wire::FrameKind::kIpv4Icmp) return icmp_input(m, f);
  if (f.kind != wire::FrameKind::kIpv4Tcp) {
    cnt_.add(Counter::drop_ip_protocol);
    return rte_pktmbuf_free(m);
  }
  // The table is keyed by the software Toeplitz hash (0 with one queue: flow_hash) whatever the
  // NIC did, so that active opens (which compute it themselves) and NICs with another hash
  // agree; the shard is the RETA's choice for that hash, and a frame that arrived elsewhere
  // moves there.
  // The first pass read the same bytes when the frame has no VLAN tag (IPv4 right after 14).
  const bool first_pass = pre_hash != kNoHash && f.l3_off == wire::kEtherHeaderLen;
  const uint32_t hash = first_pass ? static_cast<uint32_t>(pre_hash)
                                   : flow_hash(f.ip.src, f.ip.dst, f.tcp.sport, f.tcp.dport);
  const uint16_t owner = sh_.reta->queue_of(hash);
  if (owner != queue_) {
    if (sh_.lcores[owner]->hand_over(m)) return cnt_.add(Counter::handoff_out);
    cnt_.add(Counter::drop_handoff_full);
    return rte_pktmbuf_free(m);
  }
  const tcp::FourTuple t{f.ip.dst, f.ip.src, f.tcp.dport, f.tcp.sport};
  tcp_input(m, f, {hash, first_pass ? pre_place : table_->place(t, hash)});
}

void Lcore::tx(rte_mbuf* m) {
  txq_[tx_n_++] = m;
  if (tx_n_ == txq_.size()) flush_tx();
}

// On a VLAN port, every frame about to be sent gets our tag: here, where all of them pass, once
// a burst (an untagged port pays one test a burst, not one a frame). A frame with no room for
// the tag (never one of our pools') is dropped.
void Lcore::tag_burst() {
  const bool hw = caps_.tx_vlan_insert;
  uint16_t kept = 0;
  for (uint16_t i = 0; i < tx_n_; i++) {
    if (vlan_tag(txq_[i], vlan_, hw)) {
      txq_[kept++] = txq_[i];
      continue;
    }
    cnt_.add(Counter::drop_no_mbuf);
    rte_pktmbuf_free(txq_[i]);
  }
  tx_n_ = kept;
}

// A received segment the stack is done with: freed with the rest of its burst, in one
// rte_pktmbuf_free_bulk (one mempool put for all, not one a frame). A reference the
// application took (worker rings) keeps its frame alive as with rte_pktmbuf_free.
void Lcore::retire(rte_mbuf* m) {
  retired_[retired_n_++] = m;
  if (retired_n_ == retired_.size()) free_retired();
}

void Lcore::free_retired() {
  if (retired_n_) rte_pktmbuf_free_bulk(retired_.data(), retired_n_);
  retired_n_ = 0;
}

void Lcore::flush_tx() {
  if (vlan_ && tx_n_) [[unlikely]] tag_burst();
  // Bytes counted as tx_packets are, once sent: a frame the PMD would not take is a drop. Summed
  // before the burst, which hands the frames over (a ring peer may free them at once).
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < tx_n_; i++) bytes += rte_pktmbuf_pkt_len(txq_[i]);
  uint16_t done = 0;
  for (int tries = 0; done < tx_n_ && tries < 4; tries++)
    done += sh_.port->tx_burst(queue_, txq_.data() + done, static_cast<uint16_t>(tx_n_ - done));
  if (done < tx_n_) {
    cnt_.add(Counter::tx_full_drops, tx_n_ - done);
    for (uint16_t i = done; i < tx_n_; i++) {
      bytes -= rte_pktmbuf_pkt_len(txq_[i]);
      rte_pktmbuf_free(txq_[i]);
    }
  }
  // As rx_bytes, the tag counts: in the length when vlan.h put it in, not when the NIC does.
  // Only after frames went: at shutdown, flush_tx runs empty once the port is gone.
  if (vlan_ && done && caps_.tx_vlan_insert) bytes += uint64_t{done} * wire::kVlanTagLen;
  cnt_.add(Counter::tx_packets, done);
  cnt_.add(Counter::tx_bytes, bytes);
  tx_n_ = 0;
}

// Fills in the destination MAC of a built frame (bytes 0..5) and transmits it, or parks it until
// ARP answers. `fallback`: the peer's MAC as seen on its SYN, used while ARP knows nothing.
// Nearly every frame goes to the next hop of resolve()'s last answer with nothing parked: that
// case here, in a few instructions; the others (and their register saves) out of line.
void Lcore::send_frame(rte_mbuf* m, uint32_t next_hop, const wire::Mac* fallback) {
  if (memo_holds(next_hop) && pending_.empty()) [[likely]] {
    std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), memo_slot(next_hop).mac.b, 6);
    return tx(m);
  }
  send_frame_resolving(m, next_hop, fallback);
}

void Lcore::send_frame_resolving(rte_mbuf* m, uint32_t next_hop, const wire::Mac* fallback) {
  if (next_hop == 0) {
    cnt_.add(Counter::drop_no_route);
    return rte_pktmbuf_free(m);
  }
  wire::Mac mac;
  ArpCache::Result r = resolve(next_hop, &mac);
  if (r == ArpCache::Result::kMiss && fallback && !fallback->is_zero()) {
    mac = *fallback;
    r = ArpCache::Result::kStale;
  }
  if (r != ArpCache::Result::kHit) arp_request(next_hop);
  // Frames parked for ARP leave before this one: a SYN parked there must not follow the whole
  // connection that its retransmission opened (it would reach the peer as a new SYN).
  if (r != ArpCache::Result::kMiss && !pending_.empty()) retry_pending();
  if (r == ArpCache::Result::kMiss) {
    if (pending_.size() >= kMaxPending) {
      cnt_.add(Counter::drop_no_route);
      return rte_pktmbuf_free(m);
    }
    pending_.push_back({m, next_hop, now_ + kArpGiveUp});
    return;
  }
  std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), mac.b, 6);
  tx(m);
}

// The next hop's MAC, from the last answer for its memo slot while it holds (the same next hop,
// the cache not changed since, the entry still valid): a load generator or a server sends most
// frames to a few next hops, and the seqlock read of the shared cache is not free.
ArpCache::Result Lcore::resolve(uint32_t next_hop, wire::Mac* mac) {
  if (memo_holds(next_hop)) {
    *mac = memo_slot(next_hop).mac;
    return ArpCache::Result::kHit;
  }
  const uint32_t version = sh_.arp->version();
  tcp::Time until = 0;
  const ArpCache::Result r = sh_.arp->lookup(next_hop, now_, mac, &until);
  if (r == ArpCache::Result::kHit) memo_slot(next_hop) = {next_hop, version, *mac, until};
  return r;
}

void Lcore::retry_pending() {
  size_t keep = 0;
  for (auto& p : pending_) {
    wire::Mac mac;
    if (sh_.arp->lookup(p.next_hop, now_, &mac) != ArpCache::Result::kMiss) {
      std::memcpy(rte_pktmbuf_mtod(p.m, uint8_t*), mac.b, 6);
      tx(p.m);
    } else if (now_ >= p.give_up) {
      cnt_.add(Counter::drop_no_route);
      rte_pktmbuf_free(p.m);
    } else {
      arp_request(p.next_hop);
      pending_[keep++] = p;
    }
  }
  pending_.resize(keep);
}

}  // namespace ts::dpdk
