// Lcore: TCP. Table lookup, the state machine's calls, Actions applied, timers, application
// requests, active opens.
#include <rte_mbuf.h>

#include <cassert>

#include "dpdk/lcore_internal.h"
#include "rss/port_select.h"
#include "table/value.h"
#include "tcp/conn.h"
#include "tcp/reply.h"

namespace ts::dpdk {

using stats::Counter;
using stats::Gauge;
using tcp::State;

namespace {

// Per state: the gauge of connections in it (none for CLOSED and LISTEN) and the counter of
// entries into it. Tables, not switches: note_state() runs on most segments. init_state_gauges()
// turns the first into pointers.
constexpr std::optional<Gauge> kGaugeOf[tcp::kStateCount] = {
    std::nullopt,           std::nullopt,         Gauge::syn_sent,   Gauge::syn_received,
    Gauge::established,     Gauge::fin_wait_1,    Gauge::fin_wait_2, Gauge::close_wait,
    Gauge::closing,         Gauge::last_ack,      Gauge::time_wait};
constexpr Counter kEntered[tcp::kStateCount] = {
    Counter::enter_closed,      Counter::enter_closed,     Counter::enter_syn_sent,
    Counter::enter_syn_received, Counter::enter_established, Counter::enter_fin_wait_1,
    Counter::enter_fin_wait_2,  Counter::enter_close_wait, Counter::enter_closing,
    Counter::enter_last_ack,    Counter::enter_time_wait};
static_assert(int(State::kClosed) == 0 && int(State::kListen) == 1 && int(State::kSynSent) == 2 &&
              int(State::kEstablished) == 4 && int(State::kTimeWait) == tcp::kStateCount - 1);

Counter close_counter(tcp::CloseReason r) {
  switch (r) {
    case tcp::CloseReason::kNormal: return Counter::conn_closed;
    case tcp::CloseReason::kReset:
    case tcp::CloseReason::kRefused: return Counter::conn_reset;
    case tcp::CloseReason::kAborted:
    case tcp::CloseReason::kAcceptOverflow: return Counter::conn_aborted;
    default: return Counter::conn_timed_out;
  }
}

// Built whole, every field once: assigned one by one after a default construction, the options
// were zeroed and then copied over.
tcp::Segment segment_of(const wire::Frame& f, const rte_mbuf* m) {
  return {.seq = tcp::Seq(f.tcp.seq),
          .ack = tcp::Seq(f.tcp.ack),
          .flags = f.tcp.flags,
          .window = f.tcp.window,
          .opts = f.tcp.opts,
          .payload = rte_pktmbuf_mtod_offset(m, const uint8_t*, f.payload_off),
          .len = f.payload_len};
}

}  // namespace

// ---------------------------------------------------------------- receive

void Lcore::tcp_input(rte_mbuf* m, const wire::Frame& f, const Flow& flow) {
  const tcp::Segment seg = segment_of(f, m);
  cnt_.add(Counter::tcp_segs_in);
  if (seg.has(tcp::kRst)) cnt_.add(Counter::tcp_rst_in);
  if (seg.has(tcp::kSyn) && !seg.has(tcp::kAck)) cnt_.add(Counter::tcp_syn_in);
  const tcp::FourTuple t{f.ip.dst, f.ip.src, f.tcp.dport, f.tcp.sport};
  if (const auto v = table_->find(t, flow.place)) {
    if (table::kind_of(*v) == table::EntryKind::kTimeWait) {
      time_wait_input(m, f, *v, seg, flow);
    } else {
      const auto slot = static_cast<uint32_t>(table::index_of(*v));
      Conn& c = conns_[slot];
      const State before = c.tcb.state;
      const RxInfo rx{m, &f};
      if (seg.len && sh_.tcp.app_window && !room_for_data(c, slot)) {
        // The data (and a FIN behind it) is not taken, so not acknowledged: the peer sends it
        // again. The ACK and window it carries still count.
        cnt_.add(Counter::app_data_refused);
        finish(slot, before, tcp::on_segment(ctx_, c.tcb, tcp::without_text(seg), now_), &rx);
      } else {
        const tcp::Actions a = tcp::on_segment(ctx_, c.tcb, seg, now_);
        if (a.has(tcp::ev::kAhead)) {
          // Kept before its duplicate ACK is built, whose first SACK block must tell of it
          // (RFC 2018 §4). Should the block end in finish(), freeing it drops what it kept.
          keep_ahead(c, rx);
          finish(slot, before, a, &rx);
          dsack_conn_ = nullptr;  // unsent (no ACK went at once): not for a later segment's ACK
        } else {
          finish(slot, before, a, &rx);
        }
      }
      if (c.held != kNoHeld) take_held(slot);  // a freed block has none
    }
  } else {
    listen_input(m, f, seg, flow, nullptr);
  }
  retire(m);
}

// Data the application would not be handed (kKnown unset) takes no room.
bool Lcore::room_for_data(const Conn& c, uint32_t slot) {
  return !(c.flags & cf::kKnown) || !sh_.sink || sh_.sink->room_for_data(*this, ref_of(slot));
}

void Lcore::time_wait_input(rte_mbuf* m, const wire::Frame& f, uint64_t v, const tcp::Segment& seg,
                            const Flow& flow) {
  const auto idx = static_cast<uint32_t>(table::index_of(v));
  tcp::TimeWait& tw = tws_[idx];
  const bool syn = seg.has(tcp::kSyn) && !seg.has(tcp::kAck);
  const tcp::TwResult r = tcp::time_wait_segment(ctx_, tw, seg, now_, syn && find(tw.tuple) != nullptr);
  const auto end_tw = [&] {
    table_->erase(tw.tuple, flow.hash);
    wheel_->cancel(sh_.conns_per_queue + idx);
    free_tws_.push_back(idx);
    tw_live_--;
    note_state(State::kTimeWait, State::kClosed);
  };
  switch (r.verdict) {
    case tcp::TwVerdict::kAck:
      emit_reply(f, r.reply);
      wheel_->arm(sh_.conns_per_queue + idx, tw.expires);
      break;
    case tcp::TwVerdict::kReopen: {
      const tcp::Seq isn = r.isn;
      end_tw();
      listen_input(m, f, seg, flow, &isn);
      break;
    }
    case tcp::TwVerdict::kClose:
      end_tw();
      break;
    case tcp::TwVerdict::kDrop:
      break;
  }
}

// No connection: the listener decides (RFC 9293 §3.10.7.2, RFC 4987 cookies), else a RST.
void Lcore::listen_input(rte_mbuf* m, const wire::Frame& f, const tcp::Segment& seg, const Flow& flow,
                         const tcp::Seq* reopen_isn) {
  const tcp::FourTuple t{f.ip.dst, f.ip.src, f.tcp.dport, f.tcp.sport};
  tcp::Listener* l = find(t);
  if (!l) return send_rst_for(f, seg);
  const tcp::ListenResult r = tcp::listen_segment(ctx_, *l, t, seg, now_, reopen_isn != nullptr);
  if (r.send) emit_reply(f, r.reply);
  if (r.verdict != tcp::ListenVerdict::kOpen && r.verdict != tcp::ListenVerdict::kCookieOpen) return;
  const auto slot = new_conn(t, flow, f);
  if (!slot) return;
  Conn& c = conns_[*slot];
  const RxInfo rx{m, &f};
  if (r.verdict == tcp::ListenVerdict::kCookieOpen)
    return finish(*slot, State::kClosed, tcp::cookie_open(ctx_, *l, c.tcb, t, seg, r.syn_opts, now_), &rx);
  const tcp::Seq isn = reopen_isn ? *reopen_isn : tcp::choose_isn(ctx_, t, now_);
  finish(*slot, State::kClosed, tcp::passive_open(ctx_, *l, c.tcb, t, seg, isn, now_), &rx);
}

// A block for a passive open, in the table under its tuple (which is not there: see
// listen_input's callers); nullopt (counted) when full.
std::optional<uint32_t> Lcore::new_conn(const tcp::FourTuple& t, const Flow& flow, const wire::Frame& f) {
  const auto slot = alloc_conn(t);
  if (!slot) return cnt_.add(Counter::table_full), std::nullopt;
  // tcp_input found no entry for t (or time_wait_input just erased it).
  if (table_->insert_absent(t, flow.place, table::make_value(table::EntryKind::kConnection, *slot)) !=
      table::InsertResult::kInserted) {
    free_conn(*slot);
    return cnt_.add(Counter::table_full), std::nullopt;
  }
  Conn& c = conns_[*slot];
  c.hash = flow.hash;
  c.peer_mac = f.eth.src;
  return slot;
}

void Lcore::send_rst_for(const wire::Frame& f, const tcp::Segment& seg) {
  tcp::OutSegment out;
  if (!tcp::reply_to_unknown(seg, out)) return;
  emit_reply(f, out);
}

// ---------------------------------------------------------------- connections

Lcore::Conn* Lcore::conn_of(ConnRef r) {
  if (r.lcore != queue_ || r.slot >= conns_n_) return nullptr;
  Conn& c = conns_[r.slot];
  return (c.flags & cf::kLive) && c.gen == r.gen ? &c : nullptr;
}

const Lcore::Conn* Lcore::conn_of(ConnRef r) const { return const_cast<Lcore*>(this)->conn_of(r); }

ConnRef Lcore::ref_of(uint32_t slot) const { return {slot, conns_[slot].gen, queue_}; }

std::optional<uint32_t> Lcore::alloc_conn(const tcp::FourTuple& t) {
  static_assert(sizeof(Conn) <= 192, "a connection: three cache lines, block and send queue included");
  if (free_conns_.empty()) return std::nullopt;
  const uint32_t slot = free_conns_.back();
  free_conns_.pop_back();
  Conn& c = conns_[slot];
  // c.tcb: built whole by tcp::connect, passive_open or cookie_open, whichever comes next.
  c.flags = cf::kLive;
  c.app_bytes = 0;
  c.app_read = 0;
  c.user = nullptr;
  c.peer_mac = wire::Mac{};
  c.last_ack = tcp::Seq();
  c.addr_sum = wire::ipv4_addr_sum(t.laddr, t.raddr);
  if (++conns_live_ > conns_peak_) conns_peak_ = conns_live_;
  return slot;
}

void Lcore::free_conn(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.flags & cf::kQueued) {
    if (tcp::Listener* l = find(c.tcb.tuple)) tcp::listener_accepted(*l);
  }
  c.sq.clear();
  if (c.held != kNoHeld) drop_held(c);
  c.gen++;
  c.flags = 0;
  c.user = nullptr;
  wheel_->cancel(slot);
  conns_live_--;
  free_conns_.push_back(slot);
}

void Lcore::note_state_change(State from, State to) {
  stats::LcoreCounters::gauge_add(state_gauge_[static_cast<int>(from)], -1);
  stats::LcoreCounters::gauge_add(state_gauge_[static_cast<int>(to)], 1);
  cnt_.add(kEntered[static_cast<int>(to)]);
}

void Lcore::init_state_gauges() {
  for (int s = 0; s < tcp::kStateCount; s++)
    state_gauge_[s] = kGaugeOf[s] ? &cnt_.g[static_cast<size_t>(*kGaugeOf[s])] : &no_gauge_;
}

// Applies what the state machine asked, then follows `more`. The Actions (four segments with
// their options, some 330 bytes) are taken by reference, as the state machine built them.
void Lcore::finish(uint32_t slot, State before, const tcp::Actions& first, const RxInfo* rx) {
  if (!apply(slot, before, first, rx)) return;
  for (;;) {
    before = conns_[slot].tcb.state;
    const tcp::Actions a = tcp::output(ctx_, conns_[slot].tcb, now_);
    if (!apply(slot, before, a, nullptr)) return;
  }
}

// The Actions of one call, in the order tcp/actions.h gives. True when the block lives on and
// has more to send now. The timer is armed before the application hears of anything, so that a
// request it makes from an inline handler (applied later by flush_app) is the last word on the
// timer.
bool Lcore::apply(uint32_t slot, State before, const tcp::Actions& a, const RxInfo* rx) {
  Conn& c = conns_[slot];
  note_state(before, c.tcb.state);
  if (a.acked) c.sq.consume(a.acked);
  // The ACK of a segment the application hears of (new data, the handshake's SYN-ACK, the
  // peer's FIN) waits for the end of the iteration: an inline handler's (or a fast worker's)
  // answer then carries it (the reply, the request, our FIN). Not when the block ends here:
  // nothing would be left to send it. Duplicate ACKs and everything else go at once.
  const bool answerable = rx && !a.has(tcp::ev::kTimeWait | tcp::ev::kClosed) &&
                          ((a.has(tcp::ev::kData) && a.data_len) ||
                           a.has(tcp::ev::kConnected | tcp::ev::kPeerClosed));
  for (uint8_t i = 0; i < a.count; i++) {
    const tcp::OutSegment& s = a.seg[i];
    if (answerable && DeferredAck::fits(s)) deferred_.push_back(DeferredAck::of(slot, c.gen, c.acks_sent, s));
    else emit(c, s);
  }
  if (a.deadline == tcp::kNever) wheel_->cancel(slot);
  else wheel_->arm(slot, a.deadline);
  // What is left follows the events: most calls (a send, an ACK taken) have none.
  if (!a.events) return a.more;

  const ConnRef ref = ref_of(slot);
  AppSink* sink = sh_.sink;
  if (a.has(tcp::ev::kAcceptReady)) {
    c.flags |= cf::kQueued | cf::kKnown;
    cnt_.add(Counter::conn_accepted);
    if (sink) sink->accepted(*this, ref, c.tcb.tuple);
    else app_abort(ref);
  }
  if (a.has(tcp::ev::kConnected) && sink) sink->connected(*this, ref, c.tcb.tuple);
  const bool known = (c.flags & cf::kKnown) && sink;
  if (known && a.has(tcp::ev::kData) && a.data_len && rx)
    sink->data(*this, ref, rx->m, a.data, a.data_len);
  if (known && a.has(tcp::ev::kPeerClosed)) sink->peer_closed(*this, ref);
  if (known && a.has(tcp::ev::kSendSpace) && a.acked) sink->send_space(*this, ref, a.acked);

  if (a.has(tcp::ev::kTimeWait)) {
    cnt_.add(Counter::conn_closed);
    if (known) sink->closed(*this, ref, tcp::CloseReason::kNormal);
    enter_time_wait(slot);
    return false;
  }
  if (a.has(tcp::ev::kClosed)) {
    cnt_.add(close_counter(a.reason));
    if (known) sink->closed(*this, ref, a.reason);
    table_->erase(c.tcb.tuple, c.hash);
    free_conn(slot);
    return false;
  }
  return a.more;
}

void Lcore::enter_time_wait(uint32_t slot) {
  Conn& c = conns_[slot];
  if (free_tws_.empty()) {  // as Linux's tcp_max_tw_buckets: close without TIME-WAIT
    cnt_.add(Counter::time_wait_overflow);
    note_state(State::kTimeWait, State::kClosed);
    table_->erase(c.tcb.tuple, c.hash);
    return free_conn(slot);
  }
  const uint32_t idx = free_tws_.back();
  free_tws_.pop_back();
  tws_[idx] = tcp::to_time_wait(ctx_, c.tcb, now_);
  tw_hash_[idx] = c.hash;
  table_->update(c.tcb.tuple, c.hash, table::make_value(table::EntryKind::kTimeWait, idx));
  wheel_->arm(sh_.conns_per_queue + idx, tws_[idx].expires);
  tw_live_++;
  free_conn(slot);
}

// ---------------------------------------------------------------- timers

// At most kTimersPerAdvance timers per iteration: the rest wait for the next one (the wheel
// keeps them), so a burst of expiries never stalls the receive path.
void Lcore::run_timers() {
  const uint32_t n = wheel_->advance(now_, expired_.data(), static_cast<uint32_t>(expired_.size()));
  for (uint32_t i = 0; i < n; i++) timer_fired(expired_[i]);
  flush_app();
}

void Lcore::timer_fired(uint32_t id) {
  if (id < sh_.conns_per_queue) {
    Conn& c = conns_[id];
    if (!(c.flags & cf::kLive)) return;
    const State before = c.tcb.state;
    return finish(id, before, tcp::on_timer(ctx_, c.tcb, now_), nullptr);
  }
  const uint32_t idx = id - sh_.conns_per_queue;
  tcp::TimeWait& tw = tws_[idx];
  if (!tcp::time_wait_expired(tw, now_)) return wheel_->arm(id, tw.expires);
  table_->erase(tw.tuple, tw_hash_[idx]);
  free_tws_.push_back(idx);
  tw_live_--;
  note_state(State::kTimeWait, State::kClosed);
}

// ---------------------------------------------------------------- transmit

// alloc_segment() found the stash empty. A bulk get is all or nothing: with fewer than kStash
// left, the pool's last mbufs go one at a time, so that drop_no_mbuf counts only a dry pool.
rte_mbuf* Lcore::refill_stash() {
  if (rte_pktmbuf_alloc_bulk(sh_.pool, stash_.data(), kStash) == 0) {
    stash_n_ = kStash - 1;
    return stash_[kStash - 1];
  }
  rte_mbuf* m = rte_pktmbuf_alloc(sh_.pool);
  if (!m) cnt_.add(Counter::drop_no_mbuf);
  return m;
}

void Lcore::drain_stash() {
  if (stash_n_) rte_pktmbuf_free_bulk(stash_.data(), stash_n_);
  stash_n_ = 0;
}

// The counts of a segment sent.
inline void Lcore::count_segment_out(uint8_t flags) {
  cnt_.add(Counter::tcp_segs_out);
  if (flags & tcp::kRst) cnt_.add(Counter::tcp_rst_out);
  if ((flags & (tcp::kSyn | tcp::kAck)) == (tcp::kSyn | tcp::kAck)) cnt_.add(Counter::tcp_synack_out);
}

rte_mbuf* Lcore::build_segment(const wire::TcpFrameSpec& spec_in, const Conn* c, const tcp::OutSegment& s) {
  rte_mbuf* m = alloc_segment();
  if (!m) return nullptr;
  wire::TcpFrameSpec spec = spec_in;
  spec.seq = s.seq.v;
  spec.ack = s.ack.v;
  spec.flags = s.flags;
  spec.window = s.window;
  spec.opts = s.opts;
  const PortCaps& caps = caps_;
  const bool offload = caps.tx_ip_checksum && caps.tx_tcp_checksum;
  spec.checksum = offload ? wire::ChecksumMode::kOffload : wire::ChecksumMode::kSoftware;
  const size_t l2 = wire::EtherHeader::size(spec.has_vlan);
  const size_t l4 = wire::kTcpHeaderLen + wire::tcp_options_length(s.opts);
  const size_t hdr = l2 + wire::kIpv4HeaderLen + l4;
  const size_t cap = m->buf_len - m->data_off;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  if (s.len) {
    if (!c || hdr + s.len > cap) {
      rte_pktmbuf_free(m);
      return nullptr;
    }
    // The payload goes straight to where the frame wants it: no second copy.
    const_cast<Conn*>(c)->sq.copy_out(s.payload_off, s.len, p + hdr);
    spec.payload = p + hdr;
    spec.payload_len = s.len;
  }
  if (hdr > cap) {  // options past what a buffer holds: never with our pools
    rte_pktmbuf_free(m);
    return nullptr;
  }
  const size_t n = wire::write_tcp_frame(p, spec, l4);
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  if (offload) {
    m->l2_len = l2;
    m->l3_len = wire::kIpv4HeaderLen;
    m->l4_len = l4;
    m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
  }
  count_segment_out(s.flags);
  return m;
}

// A connection's segment in the common case (see wire::write_plain_tcp_frame), when
// plain_segment says so: the values go straight into the frame.
bool Lcore::plain_segment(const tcp::OutSegment& s) const {
  const PortCaps& caps = caps_;
  return !(caps.tx_ip_checksum && caps.tx_tcp_checksum) && wire::plain_options(s.opts);
}

rte_mbuf* Lcore::build_plain(Conn& c, const tcp::OutSegment& s) {
  rte_mbuf* m = alloc_segment();
  if (!m) return nullptr;
  const size_t olen = wire::tcp_options_length_before_sack(s.opts);  // all of them: plain_options
  const size_t hdr = wire::kPlainTcpHeadersLen + olen;
  if (hdr + s.len > size_t{m->buf_len} - m->data_off) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  if (s.len) c.sq.copy_out(s.payload_off, s.len, p + hdr);
  const tcp::FourTuple& t = c.tcb.tuple;
  wire::PlainTcp f;
  f.src_ip = t.laddr;
  f.dst_ip = t.raddr;
  f.addr_sum = c.addr_sum;
  f.h = {t.lport, t.rport, s.seq.v, s.ack.v, s.flags, s.window, 0};
  const size_t n = wire::write_plain_tcp_frame(p, sh_.netif.mac, f, s.opts, olen, s.len);
  m->data_len = static_cast<uint16_t>(n);
  m->pkt_len = static_cast<uint32_t>(n);
  count_segment_out(s.flags);
  return m;
}

bool Lcore::emit(Conn& c, const tcp::OutSegment& s) {
  if (s.flags & tcp::kAck) c.last_ack = s.ack, c.acks_sent++;
  const tcp::FourTuple& t = c.tcb.tuple;
  // Pure ACKs tell of what the out-of-order queue holds (RFC 2018). Not segments with data: the
  // blocks would push a full one past the MTU.
  const bool sack = c.held != kNoHeld && s.flags == tcp::kAck && s.len == 0 && c.tcb.has(tcp::tcbf::kSackOk);
  if (!sack && plain_segment(s)) {
    rte_mbuf* m = build_plain(c, s);
    if (!m) return false;
    send_frame(m, sh_.netif.next_hop(t.raddr), &c.peer_mac);
    return true;
  }
  wire::TcpFrameSpec spec;
  spec.src_mac = sh_.netif.mac;
  spec.src_ip = t.laddr;
  spec.dst_ip = t.raddr;
  spec.sport = t.lport;
  spec.dport = t.rport;
  rte_mbuf* m;
  if (sack) {
    tcp::OutSegment with = s;
    add_sack_blocks(c, with.opts);
    m = build_segment(spec, &c, with);
  } else {
    m = build_segment(spec, &c, s);
  }
  if (!m) return false;
  send_frame(m, sh_.netif.next_hop(t.raddr), &c.peer_mac);
  return true;
}

// Answers the frame `in` (RST, TIME-WAIT ACK): back to the MAC it came from.
bool Lcore::emit_reply(const wire::Frame& in, const tcp::OutSegment& s) {
  rte_mbuf* m = build_segment(wire::tcp_reply_spec(in, sh_.netif.mac), nullptr, s);
  if (!m) return false;
  tx(m);
  return true;
}

void Lcore::flush_deferred_acks() {
  for (const DeferredAck& d : deferred_) {
    Conn& c = conns_[d.slot];
    if (!(c.flags & cf::kLive) || c.gen != d.gen) continue;
    if (c.acks_sent != d.acks_sent && c.last_ack >= d.ack) continue;  // an answer carried it
    emit(c, d.segment());
  }
  deferred_.clear();
}

// ---------------------------------------------------------------- application requests

void Lcore::mark_dirty(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.flags & cf::kDirty) return;
  c.flags |= cf::kDirty;
  dirty_.push_back(slot);
}

// Runs the requests the application made since the last call. A request made from inside a
// callback lands here too, after the segment that caused the callback is fully applied.
void Lcore::flush_app() {
  for (size_t i = 0; i < dirty_.size(); i++) {  // finish() may append
    const uint32_t slot = dirty_[i];
    Conn& c = conns_[slot];
    if (!(c.flags & cf::kLive) || !(c.flags & cf::kDirty)) continue;
    c.flags &= static_cast<uint8_t>(~cf::kDirty);
    // `before` is read first: the call changes the state, and argument order is unspecified.
    const State before = c.tcb.state;
    if (c.flags & cf::kAbort) {
      finish(slot, before, tcp::abort(ctx_, c.tcb, now_), nullptr);
      continue;
    }
    if (c.flags & cf::kKeepFlip) {
      c.flags &= static_cast<uint8_t>(~cf::kKeepFlip);
      const bool on = !(c.tcb.flags & tcp::tcbf::kKeepalive);
      finish(slot, before, tcp::set_keepalive(ctx_, c.tcb, on, now_), nullptr);
      if (!(c.flags & cf::kLive)) continue;
    }
    const bool fin = c.flags & cf::kClose;
    c.flags &= static_cast<uint8_t>(~cf::kClose);
    const uint32_t n = c.app_bytes;
    c.app_bytes = 0;
    if (c.flags & cf::kRead) {  // first, so that data sent below offers the room too
      const uint32_t read = c.app_read;
      c.app_read = 0;
      c.flags &= static_cast<uint8_t>(~cf::kRead);
      if (tcp::give_back(ctx_, c.tcb, read)) {
        finish(slot, before, tcp::announce_window(ctx_, c.tcb, now_), nullptr);
        if (!(c.flags & cf::kLive)) continue;
      }
    }
    // send() and close() in one call: the FIN rides on the last data segment.
    if (n) finish(slot, before, fin ? tcp::send_close(ctx_, c.tcb, n, now_) : tcp::send(ctx_, c.tcb, n, now_), nullptr);
    else if (fin) finish(slot, before, tcp::close(ctx_, c.tcb, now_), nullptr);
  }
  dirty_.clear();
}

bool Lcore::app_send(ConnRef r, const uint8_t* data, uint32_t len) {
  Conn* c = conn_of(r);
  if (!c || !tcp::in_state(c->tcb.state, tcp::kAcceptsSend) || (c->flags & (cf::kClose | cf::kAbort)))
    return false;
  if (len > sh_.send_buffer - std::min(sh_.send_buffer, c->sq.bytes())) {
    cnt_.add(Counter::app_send_full);
    return false;
  }
  if (c->sq.append(sh_.pool, data, len) != len) {  // all or nothing
    cnt_.add(Counter::drop_no_mbuf);
    return false;
  }
  c->app_bytes += len;
  mark_dirty(r.slot);
  return true;
}

bool Lcore::app_send_chain(ConnRef r, rte_mbuf* chain) {
  Conn* c = conn_of(r);
  if (!c || !tcp::in_state(c->tcb.state, tcp::kAcceptsSend) || (c->flags & (cf::kClose | cf::kAbort))) {
    rte_pktmbuf_free(chain);
    return false;
  }
  c->app_bytes += c->sq.append_chain(chain);
  mark_dirty(r.slot);
  return true;
}

bool Lcore::app_close(ConnRef r) {
  Conn* c = conn_of(r);
  if (!c) return false;
  c->flags |= cf::kClose;
  mark_dirty(r.slot);
  return true;
}

bool Lcore::app_abort(ConnRef r) {
  Conn* c = conn_of(r);
  if (!c) return false;
  c->flags |= cf::kAbort;
  mark_dirty(r.slot);
  return true;
}

// The wish is one flag, against what the block has now: asked twice the same way, or back to
// what the block has, it leaves nothing for flush_app to do.
bool Lcore::app_keepalive(ConnRef r, bool on) {
  Conn* c = conn_of(r);
  if (!c) return false;
  const bool has = c->tcb.flags & tcp::tcbf::kKeepalive;
  const bool flip = has != on;
  if (flip == static_cast<bool>(c->flags & cf::kKeepFlip)) return true;
  c->flags ^= cf::kKeepFlip;
  mark_dirty(r.slot);
  return true;
}

bool Lcore::app_consumed(ConnRef r, uint32_t bytes) {
  Conn* c = conn_of(r);
  if (!c) return false;
  c->app_read += bytes;
  c->flags |= cf::kRead;
  mark_dirty(r.slot);
  return true;
}

uint32_t Lcore::app_unacked(ConnRef r) const {
  const Conn* c = conn_of(r);
  return c ? c->sq.bytes() : 0;
}

bool Lcore::app_accepted(ConnRef r) {
  Conn* c = conn_of(r);
  if (!c || !(c->flags & cf::kQueued)) return false;
  c->flags &= static_cast<uint8_t>(~cf::kQueued);
  if (tcp::Listener* l = find(c->tcb.tuple)) tcp::listener_accepted(*l);
  return true;
}

std::optional<tcp::FourTuple> Lcore::app_tuple(ConnRef r) const {
  const Conn* c = conn_of(r);
  if (!c) return std::nullopt;
  return c->tcb.tuple;
}

tcp::State Lcore::app_state(ConnRef r) const {
  const Conn* c = conn_of(r);
  return c ? c->tcb.state : State::kClosed;
}

void* Lcore::app_user(ConnRef r) const {
  const Conn* c = conn_of(r);
  return c ? c->user : nullptr;
}

void Lcore::app_set_user(ConnRef r, void* p) {
  if (Conn* c = conn_of(r)) c->user = p;
}

void* Lcore::sink_user(ConnRef r) const {
  assert(conn_of(r));
  return conns_[r.slot].user;
}

void Lcore::set_sink_user(ConnRef r, void* p) {
  assert(conn_of(r));
  conns_[r.slot].user = p;
}

// ---------------------------------------------------------------- counters

// lib/tcp counts per shard in plain integers; the deltas go to the lcore's published block.
void Lcore::publish_tcp_counters() {
  const tcp::Counters& n = ctx_.cnt;
  tcp::Counters& o = published_;
  const uint64_t retx = n.retransmits + n.syn_retransmits + n.synack_retransmits;
  const uint64_t oretx = o.retransmits + o.syn_retransmits + o.synack_retransmits;
  cnt_.add(Counter::tcp_retransmits, retx - oretx);
  cnt_.add(Counter::tcp_fast_retransmits, n.fast_retransmits - o.fast_retransmits);
  cnt_.add(Counter::tcp_sack_retransmits, n.sack_retransmits - o.sack_retransmits);
  cnt_.add(Counter::tcp_dsack_out, n.dsacks_sent - o.dsacks_sent);
  cnt_.add(Counter::tcp_dsack_undos, n.dsack_undos - o.dsack_undos);
  cnt_.add(Counter::tcp_keepalive_probes, n.keepalive_probes - o.keepalive_probes);
  {
    const unsigned k = unsigned(tcp::CloseReason::kKeepaliveTimeout);
    cnt_.add(Counter::tcp_keepalive_timeouts, n.closes[k] - o.closes[k]);
  }
  cnt_.add(Counter::tcp_timeouts, n.rto_expirations - o.rto_expirations);
  cnt_.add(Counter::tcp_loss_probes, n.tail_loss_probes - o.tail_loss_probes);
  cnt_.add(Counter::tcp_loss_probe_repairs, n.tlp_recoveries - o.tlp_recoveries);
  cnt_.add(Counter::accept_overflow, n.accept_overflows - o.accept_overflows);
  cnt_.add(Counter::half_open_drops, n.half_open_drops - o.half_open_drops);
  cnt_.add(Counter::syn_accept_full, n.syn_accept_full_drops - o.syn_accept_full_drops);
  cnt_.add(Counter::time_wait_reopens, n.time_wait_reopens - o.time_wait_reopens);
  cnt_.add(Counter::syncookies_sent, n.cookies_sent - o.cookies_sent);
  cnt_.add(Counter::syncookies_ok, n.cookies_validated - o.cookies_validated);
  cnt_.add(Counter::syncookies_bad, n.cookies_stale + n.cookies_forged - o.cookies_stale - o.cookies_forged);
  cnt_.add(Counter::tcp_payload_in, n.bytes_in - o.bytes_in);
  cnt_.add(Counter::tcp_payload_out, n.bytes_out - o.bytes_out);
  cnt_.add(Counter::tcp_window_probes, n.window_probes - o.window_probes);
  cnt_.add(Counter::tcp_rcv_window_closed, n.windows_closed - o.windows_closed);
  cnt_.add(Counter::tcp_challenge_acks, n.challenge_acks - o.challenge_acks);
  cnt_.add(Counter::tcp_bad_seq, n.bad_seq_acks - o.bad_seq_acks);
  cnt_.add(Counter::tcp_bad_ack, n.bad_ack_drops - o.bad_ack_drops);
  cnt_.add(Counter::tcp_rst_ignored, n.rsts_ignored - o.rsts_ignored);
  cnt_.add(Counter::drop_tcp_syn_fin, n.syn_fin_drops - o.syn_fin_drops);
  o = n;
  publish_poll_time();
}

void Lcore::publish_poll_time() {
  const double ns_per_cycle = 1e9 / static_cast<double>(sh_.clock.hz());
  const Counter k[2] = {Counter::poll_idle_ns, Counter::poll_busy_ns};
  for (int i = 0; i < 2; i++) {
    const auto ns = static_cast<uint64_t>(static_cast<double>(poll_time_.cycles[i]) * ns_per_cycle);
    cnt_.add(k[i], ns - poll_time_.published[i]);
    poll_time_.published[i] = ns;
  }
}

}  // namespace ts::dpdk
