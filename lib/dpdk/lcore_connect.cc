// Lcore: active opens. The local address and port are chosen so that the replies hash to this
// lcore's queue (Seastar's connect(), with the software Toeplitz and the port's RETA); local
// addresses are taken in turn so that a load generator with N of them has N times the ports,
// and each tuple rests as long as possible before it comes round again.
//
// A tuple still in TIME-WAIT on our side is skipped, or, once it has been there for
// Shared::time_wait_reuse, taken over, as Linux's tcp_tw_reuse does: the new SYN starts above
// everything the old connection sent (tcp::time_wait_reuse, the floor the RFC 6191 reopen of
// lib/tcp uses too) and, its timestamp offset being that ISN, carries TSvals above the old ones,
// so that a peer still holding the old incarnation in TIME-WAIT accepts it by either rule of
// RFC 6191, and a peer that has forgotten it sees a plain new connection.
#include <rte_mbuf.h>

#include "dpdk/lcore_internal.h"
#include "rss/port_select.h"
#include "table/value.h"
#include "tcp/conn.h"

namespace ts::dpdk {

using stats::Counter;
using tcp::State;

// The table entry `v` found for a tuple we want: true if it is a TIME-WAIT entry old enough to
// take over (it is then gone but for its table entry, which the caller overwrites or erases, and
// *isn is where the new connection must start at least).
bool Lcore::reuse_time_wait(uint64_t v, tcp::Seq* isn) {
  if (table::kind_of(v) != table::EntryKind::kTimeWait) return false;
  const auto idx = static_cast<uint32_t>(table::index_of(v));
  const tcp::TimeWait& tw = tws_[idx];
  const std::optional<tcp::Seq> floor = tcp::time_wait_reuse(ctx_, tw, sh_.time_wait_reuse, now_);
  if (!floor) return false;
  *isn = *floor;
  wheel_->cancel(sh_.conns_per_queue + idx);
  free_tws_.push_back(idx);
  tw_live_--;
  note_state(State::kTimeWait, State::kClosed);
  cnt_.add(Counter::time_wait_reused);
  return true;
}

// Toeplitz::addr_part of the replies from raddr to local address `a`: the half of their hash
// that an active open's port search holds fixed, the same for every open to that peer from that
// address (a load generator's case), so kept: 8 of the hash's 12 table loads, four times an open.
// The pair's timestamp offset (a SipHash) is kept with it.
uint32_t Lcore::return_addr_part(uint32_t a, uint32_t raddr) const {
  AddrPart& m = addr_parts_[a];
  if (!m.known || m.raddr != raddr) {
    const uint32_t laddr = sh_.netif.ip + a;
    m = {raddr, sh_.toeplitz.addr_part(raddr, laddr),
         tcp::make_ts_offset(sh_.ts_key, laddr, raddr, sh_.clock.host_origin()), true};
  }
  return m.part;
}

// The i-th active open from now to (raddr, rport) (0: the next) will try this tuple first, as
// app_connect takes them; null when no port of the range hashes to this lcore. Each candidate
// starts its search where the one before it, or the last open, left that address's ports.
const Lcore::Candidate* Lcore::search_candidate(uint32_t i, uint32_t raddr, uint16_t rport) const {
  if (ahead_raddr_ != raddr || ahead_rport_ != rport) {
    ahead_n_ = 0;
    ahead_raddr_ = raddr;
    ahead_rport_ = rport;
  }
  while (ahead_n_ <= i) {
    uint32_t a = next_addr_;
    if (ahead_n_) {
      const uint32_t last = ahead_[ahead_n_ - 1].a;
      a = last + 1 < sh_.netif.ip_count ? last + 1 : 0;
    }
    uint16_t from = next_port_[a];
    for (uint32_t k = ahead_n_; k-- > 0;)
      if (ahead_[k].a == a) {
        from = next_local_port(ahead_[k].lport);
        break;
      }
    std::optional<uint16_t> lport;
    uint32_t hash = 0;  // one queue: every port is ours, and flows are keyed by 0 (flow_hash)
    if (sh_.one_queue) {
      const rss::PortRange r = sh_.ports;
      if (r.lo != 0 && r.lo <= r.hi) lport = from >= r.lo && from <= r.hi ? from : r.lo;
    } else {
      const uint32_t part = return_addr_part(a, raddr);
      lport = rss::choose_local_port(sh_.toeplitz, *sh_.reta, part, rport, queue_, from, sh_.ports);
      if (lport) hash = part ^ sh_.toeplitz.port_part(rport, *lport);
    }
    if (!lport) return nullptr;
    const tcp::FourTuple t{sh_.netif.ip + a, raddr, *lport, rport};
    ahead_[ahead_n_++] = {a, *lport, hash, table_->place(t, hash)};
  }
  return &ahead_[i];
}

std::optional<tcp::FourTuple> Lcore::upcoming_tuple(uint32_t raddr, uint16_t rport, int ahead) const {
  const Candidate* c = ahead >= 1 && ahead <= int(ahead_.size()) ? candidate(uint32_t(ahead - 1), raddr, rport) : nullptr;
  if (!c) return std::nullopt;
  return tcp::FourTuple{sh_.netif.ip + c->a, raddr, c->lport, rport};
}

// The tuples of the next opens have rested longest (a whole turn of the port range), so all
// they touch is cold: the table lines, and, when the tuple is still in TIME-WAIT, its record and
// its timer. A pipeline two opens deep: the table lines of the one after next are asked for
// now; those of the next were asked for one open ago, so its lookup is cheap here and tells
// which TIME-WAIT record and timer to ask for.
void Lcore::prefetch_next_connect(uint32_t raddr, uint16_t rport) const {
  if (const Candidate* c = candidate(1, raddr, rport)) table_->prefetch(c->place);
  // No TIME-WAIT record on this lcore (the peer closes first, or we reset): none to ask for, and
  // the lookup below, which the open makes again anyway, is spared.
  if (tw_live_ == 0) return;
  const Candidate* c = candidate(0, raddr, rport);
  if (!c) return;
  const auto v = table_->find(tcp::FourTuple{sh_.netif.ip + c->a, raddr, c->lport, rport}, c->place);
  if (!v || table::kind_of(*v) != table::EntryKind::kTimeWait) return;
  const auto idx = static_cast<uint32_t>(table::index_of(*v));
  wire::prefetch_line(&tws_[idx]);
  wheel_->prefetch(sh_.conns_per_queue + idx);
}

std::optional<ConnRef> Lcore::app_connect(uint32_t raddr, uint16_t rport) {
  const Netif& ni = sh_.netif;
  for (int tries = 0; tries < 64; tries++) {
    const Candidate* cand = candidate(0, raddr, rport);
    if (!cand) return std::nullopt;
    const Candidate take = *cand;
    std::copy(ahead_.begin() + 1, ahead_.begin() + ahead_n_, ahead_.begin());
    ahead_n_--;
    next_port_[take.a] = next_local_port(take.lport);
    next_addr_ = take.a + 1 < ni.ip_count ? take.a + 1 : 0;
    const tcp::FourTuple t{ni.ip + take.a, raddr, take.lport, rport};
    const uint32_t hash = take.hash;
    // isn() itself, not through ctx_.isn_source (this lcore): no virtual call.
    tcp::Seq isn{this->isn(t, now_)};
    bool reused = false;  // the tuple's TIME-WAIT entry in the table becomes the connection's
    if (const auto v = table_->find(t, take.place)) {
      tcp::Seq floor;
      if (!reuse_time_wait(*v, &floor)) continue;  // in use, or in TIME-WAIT too recently
      if (isn < floor) isn = floor;
      reused = true;
    }
    const auto slot = alloc_conn(t);
    if (!slot) {
      if (reused) table_->erase(t, hash);
      return cnt_.add(Counter::table_full), std::nullopt;
    }
    const uint64_t value = table::make_value(table::EntryKind::kConnection, *slot);
    if (reused ? !table_->update(t, hash, value)
               : table_->insert_absent(t, take.place, value) != table::InsertResult::kInserted) {
      free_conn(*slot);
      return cnt_.add(Counter::table_full), std::nullopt;
    }
    Conn& c = conns_[*slot];
    c.hash = hash;
    c.flags |= cf::kKnown;
    cnt_.add(Counter::conn_opened);
    const ConnRef ref = ref_of(*slot);
    finish(*slot, State::kClosed, tcp::connect(ctx_, c.tcb, t, isn, now_), nullptr);
    prefetch_next_connect(raddr, rport);
    return ref;
  }
  return std::nullopt;
}

}  // namespace ts::dpdk
