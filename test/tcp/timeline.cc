#include "timeline.h"

#include <algorithm>

namespace ts::tcp::testing {

std::string flag_string(uint8_t f) {
  std::string s;
  if (f & kSyn) s += 'S';
  if (f & kFin) s += 'F';
  if (f & kRst) s += 'R';
  if (f & kPsh) s += 'P';
  if (f & kAck) s += '.';
  return s.empty() ? "-" : s;
}

namespace {

std::string opts_string(const wire::TcpOptions& o) {
  std::string s;
  if (o.has_mss) s += " mss " + std::to_string(o.mss);
  if (o.has_wscale) s += " ws " + std::to_string(o.wscale);
  if (o.sack_permitted) s += " sackOK";
  if (o.has_timestamps) s += " TS " + std::to_string(o.ts_val) + ":" + std::to_string(o.ts_ecr);
  for (int i = 0; i < o.sack_count; i++)
    s += " sack " + std::to_string(o.sack[i].left) + "-" + std::to_string(o.sack[i].right);
  return s;
}

bool same_opts(const wire::TcpOptions& a, const wire::TcpOptions& b) {
  return a.has_mss == b.has_mss && (!a.has_mss || a.mss == b.mss) &&
         a.has_wscale == b.has_wscale && (!a.has_wscale || a.wscale == b.wscale) &&
         a.sack_permitted == b.sack_permitted && a.has_timestamps == b.has_timestamps &&
         (!a.has_timestamps || (a.ts_val == b.ts_val && a.ts_ecr == b.ts_ecr)) &&
         a.sack_count == b.sack_count &&
         std::equal(a.sack, a.sack + a.sack_count, b.sack, [](const auto& x, const auto& y) {
           return x.left == y.left && x.right == y.right;
         });
}

}  // namespace

std::string describe(const OutSegment& o) {
  return flag_string(o.flags) + " seq " + std::to_string(o.seq.v) + " ack " +
         std::to_string(o.ack.v) + " win " + std::to_string(o.window) + " len " +
         std::to_string(o.len) + " off " + std::to_string(o.payload_off) + opts_string(o.opts);
}

std::string describe(const Out& o) {
  return flag_string(o.flags) + " seq " + std::to_string(o.seq) + " ack " + std::to_string(o.ack) +
         " win " + std::to_string(o.window) + " len " + std::to_string(o.len) + " off " +
         std::to_string(o.off) + opts_string(o.opts);
}

Timeline::Timeline() : held_(0, 0) {
  ctx.cfg.timestamps = false;
  ctx.cfg.sack_permitted = false;
  ctx.cfg.window_scaling = false;
  ctx.cfg.rcv_wnd = 65535;
  ctx.listeners = this;
}

void Timeline::restart() {
  tcb = Tcb{};
  listener = Listener{};
  ctx.cnt = Counters{};
  now = 0;
  sent.clear();
  sendq.clear();
  received.clear();
  events = 0;
  reason = CloseReason::kNone;
  peer_nxt = kPeerIss + 1;
}

uint16_t Timeline::default_window() const {
  return uint16_t(std::min<uint32_t>(tcb.rcv_wnd >> tcb.rcv_wscale, 0xffff));
}

void Timeline::apply(const Actions& a) {
  last = a;
  for (int i = 0; i < a.count; ++i) sent.push_back(a.seg[i]);
  if (a.acked) {
    ASSERT_LE(a.acked, sendq.size());
    sendq.erase(0, a.acked);
  }
  if (a.has(ev::kData)) received.append(reinterpret_cast<const char*>(a.data), a.data_len);
  events |= a.events;
  if (a.has(ev::kClosed) || a.has(ev::kTimeWait)) reason = a.reason;
  EXPECT_EQ(a.deadline, tcb.deadline);
  if (a.more) apply(output(ctx, tcb, now));
}

void Timeline::inject(const In& in) {
  held_ = in;
  const Segment s = held_.seg();
  last_payload = s.payload;
  apply(on_segment(ctx, tcb, s, now));
}

void Timeline::advance(Time dt) {
  const Time end = now + dt;
  while (tcb.deadline <= end) {
    now = tcb.deadline;
    apply(on_timer(ctx, tcb, now));
  }
  now = end;
}

void Timeline::expect(const Out& o) {
  ASSERT_FALSE(sent.empty()) << "expected " << describe(o) << ", nothing was sent";
  OutSegment got = sent.front();
  sent.pop_front();
  Out want = o;
  if (want.window < 0) want.window = (o.flags & kRst) ? 0 : default_window();
  const bool ok = got.flags == want.flags && got.seq.v == want.seq && got.ack.v == want.ack &&
                  got.window == want.window && got.len == want.len &&
                  (want.len == 0 || got.payload_off == want.off) && same_opts(got.opts, want.opts);
  EXPECT_TRUE(ok) << "expected " << describe(want) << "\n     got " << describe(got);
}

void Timeline::expect_nothing() {
  if (!sent.empty()) ADD_FAILURE() << "unexpected " << describe(sent.front());
  sent.clear();
}

void Timeline::app_send(std::string_view bytes) {
  sendq.append(bytes);
  apply(send(ctx, tcb, uint32_t(bytes.size()), now));
}

void Timeline::app_close() { apply(close(ctx, tcb, now)); }

void Timeline::start_active() { apply(connect(ctx, tcb, kTuple, Seq(kIss), now)); }

void Timeline::start_passive(const In& syn) {
  ASSERT_EQ(listen_segment(ctx, listener, syn.seg()), ListenVerdict::kOpen);
  apply(passive_open(ctx, listener, tcb, kTuple, syn.seg(), Seq(kIss), now));
}

void Timeline::open_active() {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  expect(Out(kAck, kIss + 1, kPeerIss + 1));
  ASSERT_EQ(tcb.state, State::kEstablished);
  events = 0;
}

void Timeline::open_passive() {
  start_passive(In(kSyn, kPeerIss).mss(1460));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  inject(In(kAck, kPeerIss + 1, kIss + 1));
  ASSERT_EQ(tcb.state, State::kEstablished);
  expect_nothing();
  events = 0;
}

Out Timeline::mine(Out o) const {
  if (tcb.has(tcbf::kTimestamps)) o.ts(tcb.ts_off + uint32_t(now / kMsec), tcb.ts_recent);
  return o;
}

void Timeline::go_to(State s) {
  if (s == State::kEstablished) return;
  const uint32_t fin = tcb.snd_nxt.v;  // where our FIN will go (nothing queued)
  switch (s) {
    case State::kFinWait1:
      app_close();
      expect(mine(Out(kFin | kAck, fin, peer_nxt)));
      break;
    case State::kFinWait2:
      go_to(State::kFinWait1);
      inject(In(kAck, peer_nxt, fin + 1));
      break;
    case State::kCloseWait:
      inject(In(kFin | kAck, peer_nxt, fin));
      ++peer_nxt;
      expect(mine(Out(kAck, fin, peer_nxt)));
      break;
    case State::kClosing:
      go_to(State::kFinWait1);
      inject(In(kFin | kAck, peer_nxt, fin));  // the peer's FIN crossed ours
      ++peer_nxt;
      expect(mine(Out(kAck, fin + 1, peer_nxt)));
      break;
    case State::kLastAck:
      go_to(State::kCloseWait);
      app_close();
      expect(mine(Out(kFin | kAck, fin, peer_nxt)));
      break;
    case State::kTimeWait:
      go_to(State::kFinWait2);
      inject(In(kFin | kAck, peer_nxt, fin + 1));
      ++peer_nxt;
      expect(mine(Out(kAck, fin + 1, peer_nxt)));
      break;
    default:
      FAIL() << "go_to " << state_name(s);
  }
  ASSERT_EQ(tcb.state, s);
  expect_nothing();
  events = 0;
}

}  // namespace ts::tcp::testing
