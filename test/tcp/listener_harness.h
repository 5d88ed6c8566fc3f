// A listener with many connections, driven the way the datapath drives it: a segment for a
// 4-tuple with a live block goes to that block, any other to listen_segment(); a block is
// allocated on kOpen (passive_open) and kCookieOpen (cookie_open) and freed when it closes.
// Reads like the timeline fixture, with the tuple in front:
//   arrive(a, In(kSyn, kPeerIss));                 // returns the listener's verdict, if it had one
//   expect(a, Out(kSyn | kAck, isn, kPeerIss + 1)); // exactly this segment left for `a`
#pragma once
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "timeline.h"

namespace ts::tcp::testing {

// The 4-tuple of a client of our listener at 198.18.0.1:80.
inline FourTuple client(uint16_t port, uint32_t addr = 0xc6120002) {
  return FourTuple{0xc6120001, addr, 80, port};
}

class ListenerHarness : public ::testing::Test, public ListenerLookup, public CookieKeySource {
 protected:
  struct Conn {
    Tcb tcb;
    std::string received;
    uint16_t events = 0;
    CloseReason reason = CloseReason::kNone;
  };

  ListenerHarness() {
    ctx.cfg.timestamps = false;
    ctx.cfg.sack_permitted = false;
    ctx.cfg.window_scaling = false;
    ctx.cfg.rcv_wnd = 65535;
    ctx.listeners = this;
    ctx.cookie_keys = this;
    ctx.cookie_secrets = CookieSecrets{SipKey{0x0706050403020100, 0x0f0e0d0c0b0a0908},
                                       SipKey{0x1716151413121110, 0x1f1e1d1c1b1a1918}};
  }
  Listener* find(const FourTuple&) override { return &listener; }
  SipKey fresh_key() override {
    ++keys_drawn;
    return SipKey{0xa5a5a5a500000000 + keys_drawn, 0x5a5a5a5a00000000 + keys_drawn};
  }

  void options_on() {
    ctx.cfg.timestamps = true;
    ctx.cfg.sack_permitted = true;
    ctx.cfg.window_scaling = true;
  }

  // The segment arrives now. Returns the listener's verdict, or nothing if a block took it.
  std::optional<ListenVerdict> arrive(const FourTuple& t, const In& in, bool tw_reopen = false) {
    held_ = in;
    const Segment s = held_.seg();
    auto it = conns.find(t);
    if (it != conns.end() && it->second.tcb.state != State::kClosed) {
      apply(t, on_segment(ctx, it->second.tcb, s, now));
      return std::nullopt;
    }
    const ListenResult r = listen_segment(ctx, listener, t, s, now, tw_reopen);
    if (r.send) sent.emplace_back(t, r.reply);
    if (r.verdict == ListenVerdict::kOpen) {
      conns[t] = Conn{};
      apply(t, passive_open(ctx, listener, conns[t].tcb, t, s, choose_isn(ctx, t, now), now));
    } else if (r.verdict == ListenVerdict::kCookieOpen) {
      conns[t] = Conn{};
      apply(t, cookie_open(ctx, listener, conns[t].tcb, t, s, r.syn_opts, now));
    }
    return r.verdict;
  }

  // Time passes; every block's timer falling due on the way fires at its deadline.
  void advance(Time dt) {
    const Time end = now + dt;
    for (;;) {
      Conn* next = nullptr;
      FourTuple nt;
      for (auto& [t, c] : conns) {
        if (c.tcb.state != State::kClosed && c.tcb.deadline <= end &&
            (!next || c.tcb.deadline < next->tcb.deadline)) {
          next = &c;
          nt = t;
        }
      }
      if (!next) break;
      now = next->tcb.deadline;
      apply(nt, on_timer(ctx, next->tcb, now));
    }
    now = end;
  }

  void apply(const FourTuple& t, const Actions& a) {
    Conn& c = conns[t];
    for (int i = 0; i < a.count; ++i) sent.emplace_back(t, a.seg[i]);
    if (a.has(ev::kData)) c.received.append(reinterpret_cast<const char*>(a.data), a.data_len);
    c.events |= a.events;
    if (a.has(ev::kClosed)) c.reason = a.reason;
    EXPECT_EQ(a.deadline, c.tcb.deadline);
    if (a.more) apply(t, output(ctx, c.tcb, now));
  }

  // The application takes a connection off the accept queue.
  void app_accept() { listener_accepted(listener); }

  bool live(const FourTuple& t) const {
    auto it = conns.find(t);
    return it != conns.end() && it->second.tcb.state != State::kClosed;
  }
  size_t live_blocks() const {
    size_t n = 0;
    for (auto& [t, c] : conns) n += c.tcb.state != State::kClosed;
    return n;
  }
  Conn& conn(const FourTuple& t) { return conns.at(t); }

  // The cookie our SYN-ACK to `t` must carry for a SYN with `client_isn` and `peer_mss` now.
  uint32_t cookie_for(const FourTuple& t, uint32_t client_isn, uint16_t peer_mss) const {
    return cookie_make(ctx.cookie_secrets, t, client_isn, cookie_mss_index(peer_mss),
                       cookie_counter(now));
  }
  uint32_t now_ms() const { return uint32_t(now / kMsec); }

  // The next segment sent must go to `t` and be exactly `o` (window 65535 unless set; RST 0).
  void expect(const FourTuple& t, const Out& o) {
    ASSERT_FALSE(sent.empty()) << "expected " << describe(o) << ", nothing was sent";
    auto [to, got] = sent.front();
    sent.pop_front();
    EXPECT_EQ(to, t) << "segment for another tuple: " << describe(got);
    Out want = o;
    if (want.window < 0) want.window = (o.flags & kRst) ? 0 : 65535;
    const wire::TcpOptions& a = got.opts;
    const wire::TcpOptions& b = want.opts;
    const bool same_opts =
        a.has_mss == b.has_mss && (!a.has_mss || a.mss == b.mss) && a.has_wscale == b.has_wscale &&
        (!a.has_wscale || a.wscale == b.wscale) && a.sack_permitted == b.sack_permitted &&
        a.has_timestamps == b.has_timestamps &&
        (!a.has_timestamps || (a.ts_val == b.ts_val && a.ts_ecr == b.ts_ecr));
    const bool ok = got.flags == want.flags && got.seq.v == want.seq && got.ack.v == want.ack &&
                    got.window == want.window && got.len == want.len && same_opts;
    EXPECT_TRUE(ok) << "expected " << describe(want) << "\n     got " << describe(got);
  }
  void expect_nothing() {
    if (!sent.empty()) ADD_FAILURE() << "unexpected " << describe(sent.front().second);
    sent.clear();
  }
  // The next segment, whatever it is (for values a test then checks itself).
  OutSegment take(const FourTuple& t) {
    EXPECT_FALSE(sent.empty());
    if (sent.empty()) return OutSegment{};
    auto [to, got] = sent.front();
    sent.pop_front();
    EXPECT_EQ(to, t);
    return got;
  }

  struct TupleLess {
    bool operator()(const FourTuple& a, const FourTuple& b) const {
      return std::make_pair(uint64_t(a.laddr) << 32 | a.raddr, uint32_t(a.lport) << 16 | a.rport) <
             std::make_pair(uint64_t(b.laddr) << 32 | b.raddr, uint32_t(b.lport) << 16 | b.rport);
    }
  };

  Context ctx;
  Listener listener;
  Time now = 0;
  uint64_t keys_drawn = 0;
  std::map<FourTuple, Conn, TupleLess> conns;
  std::deque<std::pair<FourTuple, OutSegment>> sent;

 private:
  In held_{0, 0};  // the segment whose payload the last Actions may point into
};

}  // namespace ts::tcp::testing
