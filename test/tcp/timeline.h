// A timeline fixture for the state machine, read like a packetdrill script:
//   inject(In(kSyn, 5000).win(65535));          // the peer's segment arrives now
//   expect(Out(kSyn | kAck, 1000, 5001));         // exactly this segment leaves
//   advance(2 * kSec);                            // virtual time; due timers fire on the way
// Our ISS is kIss, the peer's is kPeerIss. Options are off in the default config so that each
// expectation lists only what a test is about; option tests switch them on.
#pragma once
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <string_view>

#include "tcp/conn.h"
#include "tcp/listener.h"
#include "tcp/reply.h"
#include "tcp/time_wait.h"

namespace ts::tcp::testing {

inline constexpr uint32_t kIss = 1000;
inline constexpr uint32_t kPeerIss = 5000;
inline const FourTuple kTuple{0xc6120001, 0xc6120002, 80, 40000};  // 198.18.0.1:80, .2:40000

// A segment from the peer.
struct In {
  Segment s;
  std::string payload;

  In(uint8_t flags, uint32_t seq, uint32_t ack = 0) {
    s.flags = flags;
    s.seq = Seq(seq);
    s.ack = Seq(ack);
    s.window = 65535;
  }
  In& win(uint16_t w) { s.window = w; return *this; }
  In& data(std::string_view d) { payload = d; return *this; }
  In& ts(uint32_t val, uint32_t ecr) {
    s.opts.has_timestamps = true;
    s.opts.ts_val = val;
    s.opts.ts_ecr = ecr;
    return *this;
  }
  In& mss(uint16_t m) { s.opts.has_mss = true; s.opts.mss = m; return *this; }
  In& ws(uint8_t w) { s.opts.has_wscale = true; s.opts.wscale = w; return *this; }
  In& sack_ok() { s.opts.sack_permitted = true; return *this; }
  // One more SACK block [left, right), after those already given.
  In& sack(uint32_t left, uint32_t right) {
    s.opts.sack[s.opts.sack_count++] = {left, right};
    return *this;
  }
  Segment seg() const {
    Segment x = s;
    x.payload = reinterpret_cast<const uint8_t*>(payload.data());
    x.len = uint32_t(payload.size());
    return x;
  }
};

// A segment we expect to leave. Options must match exactly (none unless set here).
struct Out {
  uint8_t flags;
  uint32_t seq;
  uint32_t ack;
  int window = -1;  // -1: the fixture's default (what we advertise)
  uint32_t len = 0;
  uint32_t off = 0;  // payload offset in the send queue
  wire::TcpOptions opts;

  Out(uint8_t f, uint32_t sq, uint32_t ak = 0) : flags(f), seq(sq), ack(ak) {}
  Out& win(int w) { window = w; return *this; }
  Out& data(uint32_t offset, uint32_t n) { off = offset; len = n; return *this; }
  Out& ts(uint32_t val, uint32_t ecr) {
    opts.has_timestamps = true;
    opts.ts_val = val;
    opts.ts_ecr = ecr;
    return *this;
  }
  Out& mss(uint16_t m) { opts.has_mss = true; opts.mss = m; return *this; }
  Out& ws(uint8_t w) { opts.has_wscale = true; opts.wscale = w; return *this; }
  Out& sack_ok() { opts.sack_permitted = true; return *this; }
  Out& sack(uint32_t left, uint32_t right) {
    opts.sack[opts.sack_count++] = {left, right};
    return *this;
  }
};

std::string flag_string(uint8_t f);
std::string describe(const OutSegment& o);
std::string describe(const Out& o);

class Timeline : public ::testing::Test, public ListenerLookup {
 protected:
  Timeline();
  Listener* find(const FourTuple&) override { return &listener; }
  // Every segment the block sent must have been looked at: a stray RST or duplicate ACK is a bug.
  void TearDown() override {
    if (!sent.empty())
      ADD_FAILURE() << sent.size() << " segment(s) sent and never looked at, the first "
                    << describe(sent.front());
  }

  // The peer's segment arrives at the current time.
  void inject(const In& in);
  // Time passes; every timer falling due on the way fires at its deadline.
  void advance(Time dt);
  // The next segment we sent must be exactly `o`.
  void expect(const Out& o);
  void expect_nothing();
  // Application calls.
  void app_send(std::string_view bytes);
  void app_close();
  // connect() now; the SYN is in `sent`.
  void start_active();
  // A listener takes `syn` now; the SYN-ACK is in `sent`.
  void start_passive(const In& syn);

  // Opening helpers: leave the block ESTABLISHED with nothing pending on the wire.
  void open_active();
  void open_passive();
  // A fresh block, clock, wire and counters; the config stays.
  void restart();
  // Drives an ESTABLISHED block into `s` with the usual segments (wire left empty).
  void go_to(State s);

  // `o` plus the timestamp option our block would put on it now, when timestamps are on.
  Out mine(Out o) const;

  State state() const { return tcb.state; }
  bool saw(uint16_t e) const { return (events & e) != 0; }
  uint16_t default_window() const;

  Context ctx;
  Tcb tcb;
  Listener listener;
  Time now = 0;
  std::deque<OutSegment> sent;
  std::string sendq;          // the application's send queue (head = first unacked byte)
  std::string received;       // in-order bytes handed to the application
  uint16_t events = 0;        // union of all events seen
  CloseReason reason = CloseReason::kNone;
  Actions last;
  const uint8_t* last_payload = nullptr;  // payload pointer of the last injected segment
  uint32_t peer_nxt = kPeerIss + 1;       // next sequence number the peer sends

  // Records what an Actions asks for (segments into `sent`, events, data, acked bytes).
  void apply(const Actions& a);

 private:
  In held_;  // the segment whose payload the last Actions may point into
};

}  // namespace ts::tcp::testing
