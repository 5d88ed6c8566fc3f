// The out-of-order queue: segments past a hole (tcp::ev::kAhead) are kept, mbuf and all, in a
// per-connection chain sorted by sequence number, and given back to the state machine
// (tcp::held_text) once the hole is filled. Nodes come from a per-lcore array of
// [stack] out_of_order_mbufs entries, which the mempool is sized for; with none left a segment is
// dropped, as it was before there was a queue, and the sender's retransmission brings it again.
#include <rte_mbuf.h>

#include <algorithm>

#include "dpdk/lcore_internal.h"
#include "tcp/conn.h"
#include "tcp/sack.h"

namespace ts::dpdk {

using stats::Counter;

void Lcore::keep_ahead(Conn& c, const RxInfo& rx) {
  const wire::Frame& f = *rx.f;
  const tcp::Seq seq(f.tcp.seq);
  uint32_t* link = &c.held;
  for (; *link != kNoHeld && tcp::Seq(held_[*link].seq) <= seq; link = &held_[*link].next) {
    const Held& h = held_[*link];
    if (h.seq == seq.v && h.len >= f.payload_len) {
      // A copy of one kept already: its ACK names it in a D-SACK block, the block that holds
      // it next (RFC 2883 §4), so that a sender who resent it for nothing can tell.
      dsack_conn_ = &c;
      dsack_ = {seq.v, (seq + f.payload_len).v};
      c.sack_recent = seq.v;
      return;
    }
  }
  // One connection takes at most a quarter of the lcore's nodes: a peer that sends a thousand
  // one-byte segments past a hole it never fills must not leave the others none.
  if (held_free_ == kNoHeld || c.held_count >= held_cap_) {
    cnt_.add(Counter::tcp_ooo_dropped);
    return;
  }
  const uint32_t i = held_free_;
  held_free_ = held_[i].next;
  Held& h = held_[i];
  h.m = rx.m;
  h.payload = rte_pktmbuf_mtod_offset(rx.m, const uint8_t*, f.payload_off);
  h.seq = seq.v;
  h.len = f.payload_len;
  h.fin = f.tcp.has(wire::tcp_flags::kFin);
  h.next = *link;
  *link = i;
  c.held_count++;
  c.sack_recent = seq.v;
  rte_mbuf_refcnt_update(rx.m, 1);
  cnt_.add(Counter::tcp_ooo_queued);
}

// Called when rcv_nxt may have moved: takes every kept segment it has reached, in order. Each
// ACK but the run's last is left out (held_text's `ack`); with workers each one carries its own,
// as a worker short of room stops the run anywhere.
void Lcore::take_held(uint32_t slot) {
  Conn& c = conns_[slot];
  const uint32_t gen = c.gen;
  bool took = false;
  while (c.held != kNoHeld) {
    const uint32_t i = c.held;
    const Held h = held_[i];
    if (tcp::Seq(h.seq) > c.tcb.rcv_nxt) break;
    if (sh_.tcp.app_window && !room_for_data(c, slot)) {
      starved_.push_back({slot, gen});  // retake_held tries again once the worker frees room
      break;
    }
    c.held = h.next;
    c.held_count--;
    held_[i].next = held_free_;
    held_free_ = i;
    const bool last = sh_.tcp.app_window || c.held == kNoHeld ||
                      tcp::Seq(held_[c.held].seq) > tcp::Seq(h.seq) + h.len;
    const RxInfo rx{h.m, nullptr};
    const tcp::State before = c.tcb.state;
    const tcp::HeldSegment kept{tcp::Seq(h.seq), h.payload, h.len, h.fin};
    finish(slot, before, tcp::held_text(ctx_, c.tcb, kept, last, now_), &rx);
    rte_pktmbuf_free(h.m);  // the application took its own reference, if it keeps the data
    took = true;
  }
  if (took) keep_last_deferred_ack(slot, gen);
}

// Kept segments at rcv_nxt that take_held left for want of the worker's room: the room comes
// back as the worker frees data, not with a segment of this connection, which may never come
// (all it sent is kept here, and acknowledged in SACK blocks). Tried once a poll while any wait.
void Lcore::retake_held() {
  std::vector<Starved> again;
  again.swap(starved_);
  std::sort(again.begin(), again.end());  // a connection left by several segments: once
  again.erase(std::unique(again.begin(), again.end()), again.end());
  for (const Starved& s : again) {
    const Conn& c = conns_[s.slot];
    if ((c.flags & cf::kLive) && c.gen == s.gen && c.held != kNoHeld) take_held(s.slot);
  }
}

// Of the pure ACKs held back for one connection, only the newest goes out: the hole filler's
// alone would read as a partial ACK, and the sender would resend a segment kept here.
void Lcore::keep_last_deferred_ack(uint32_t slot, uint32_t gen) {
  size_t newest = deferred_.size();
  for (size_t k = deferred_.size(); k-- > 0;) {
    if (deferred_[k].slot != slot || deferred_[k].gen != gen) continue;
    if (newest == deferred_.size()) newest = k;
    else deferred_.erase(deferred_.begin() + static_cast<ptrdiff_t>(k));
  }
}

// RFC 2018: the blocks of what the chain holds (tcp::SackBuilder decides which and in what order),
// after the D-SACK block of a copy, if this segment is its ACK.
void Lcore::add_sack_blocks(const Conn& c, wire::TcpOptions& o) {
  if (dsack_conn_ == &c && o.sack_count == 0) {
    o.sack[o.sack_count++] = dsack_;
    dsack_conn_ = nullptr;
    cnt_.add(Counter::tcp_dsack_out);
  }
  tcp::SackBuilder b(c.tcb.rcv_nxt, tcp::Seq(c.sack_recent));
  for (uint32_t i = c.held; i != kNoHeld; i = held_[i].next)
    if (!b.add(tcp::Seq(held_[i].seq), held_[i].len)) break;
  b.write(o);
}

void Lcore::drop_held(Conn& c) {
  for (uint32_t i = c.held; i != kNoHeld;) {
    const uint32_t next = held_[i].next;
    rte_pktmbuf_free(held_[i].m);
    held_[i].next = held_free_;
    held_free_ = i;
    i = next;
  }
  c.held = kNoHeld;
  c.held_count = 0;
}

}  // namespace ts::dpdk
