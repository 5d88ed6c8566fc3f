// libFuzzer target for the state machine: a connection is brought into one of the states, then
// the input drives a sequence of peer segments, timer firings and application calls. After each
// step the invariants below must hold; any violation aborts (a crash for libFuzzer).
//
// Input layout: byte 0 picks the starting state, byte 1 the config variant, then steps of one
// opcode byte followed by its operands (missing bytes read as zero).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tcp/conn.h"
#include "tcp/listener.h"
#include "tcp/reply.h"
#include "tcp/time_wait.h"

using namespace ts::tcp;

namespace {

constexpr uint32_t kIss = 0xfffff000;  // near the wrap, to exercise modular comparisons
constexpr uint32_t kPeerIss = 0x7ffffff0;

struct Reader {
  const uint8_t* p;
  size_t n;
  bool empty() const { return n == 0; }
  uint8_t u8() {
    if (!n) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
  uint32_t u32() { return uint32_t(u16() | (uint32_t(u16()) << 16)); }
};

#define CHECK(c)                                                        \
  do {                                                                  \
    if (!(c)) {                                                         \
      fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); \
      abort();                                                          \
    }                                                                   \
  } while (0)

struct Harness : ListenerLookup {
  Context ctx;
  Listener listener;
  Tcb tcb;
  TimeWait tw{};
  bool in_tw_entry = false;
  Time now = 0;
  uint32_t queued = 0;        // mirror of the caller's send queue length
  bool edge_known = false;    // app_window: an ACK was sent, edge_max is the farthest edge yet
  Seq edge_max;
  Seq peer_nxt{kPeerIss + 1};
  uint8_t payload[2048] = {};
  struct Kept {  // segments an Actions offered with ev::kAhead: the datapath's out-of-order queue
    Seq seq;
    uint32_t len;
    bool fin;
  };
  Kept kept[8];
  int n_kept = 0;

  Listener* find(const FourTuple&) override { return &listener; }

  void check(const Actions& a, const Segment* in) {
    CHECK(a.count <= Actions::kMaxSegments);
    CHECK(unsigned(tcb.state) < unsigned(kStateCount));
    CHECK(a.acked <= queued);
    queued -= a.acked;
    CHECK(tcb.snd_queued == queued);
    CHECK(a.deadline == tcb.deadline);
    if (tcb.state == State::kClosed) CHECK(tcb.deadline == kNever);
    if (tcb.timer == TimerKind::kNone) CHECK(tcb.deadline == kNever);
    if (tcb.state != State::kClosed) {
      CHECK(tcb.snd_una <= tcb.snd_nxt);
      CHECK(tcb.snd_nxt <= tcb.snd_max);
      // What is in flight is at most the SYN, the queued data and the FIN.
      CHECK(uint32_t(tcb.snd_max - tcb.snd_una) <= tcb.snd_queued + 2);
    }
    if (ctx.cfg.app_window) CHECK(tcb.rcv_wnd <= ctx.cfg.rcv_wnd);
    for (int i = 0; i < a.count; ++i) {
      const OutSegment& o = a.seg[i];
      CHECK(uint64_t(o.payload_off) + o.len <= queued);
      // app_window: the right edge we announce never moves back (RFC 9293 §3.8.6.2.1).
      if (ctx.cfg.app_window && (o.flags & kAck) && !(o.flags & (kSyn | kRst))) {
        const Seq edge = o.ack + (uint32_t(o.window) << tcb.rcv_wscale);
        if (edge_known) CHECK(edge >= edge_max);
        if (!edge_known || edge > edge_max) edge_max = edge;
        edge_known = true;
      }
      if (in && in->has(kRst)) CHECK(!(o.flags & kRst));  // never answer a RST with a RST
      CHECK(!(o.flags & kSyn) || o.len == 0);
    }
    if (a.has(ev::kData)) {
      CHECK(in != nullptr);
      CHECK(a.data >= in->payload && a.data + a.data_len <= in->payload + in->len);
      CHECK(a.data_len > 0);
    }
    if (a.has(ev::kClosed)) CHECK(tcb.state == State::kClosed);
    if (a.has(ev::kTimeWait)) CHECK(tcb.state == State::kTimeWait);
  }

  Actions segment(uint8_t flags, Seq seq, Seq ack, uint16_t win, uint32_t len,
                  const ts::wire::TcpOptions& opts) {
    Segment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = win;
    s.opts = opts;
    s.payload = payload;
    s.len = len;
    Actions a = on_segment(ctx, tcb, s, now);
    check(a, &s);
    if (a.has(ev::kAhead)) {
      CHECK(len > 0 && seq > tcb.rcv_nxt && !a.has(ev::kData));
      if (n_kept < 8) kept[n_kept++] = {seq, len, bool(flags & kFin)};
    }
    while (a.more) {
      a = output(ctx, tcb, now);
      check(a, nullptr);
    }
    return a;
  }

  Actions peer(uint8_t flags, uint32_t len = 0) {
    ts::wire::TcpOptions o;
    if (tcb.has(tcbf::kTimestamps)) {
      o.has_timestamps = true;
      o.ts_val = uint32_t(now / kMsec) + 7;
      o.ts_ecr = 0;
    }
    Actions a = segment(flags, peer_nxt, tcb.snd_nxt, 65535, len, o);
    peer_nxt += len + ((flags & kFin) ? 1 : 0);
    return a;
  }

  void user(Actions a) {
    check(a, nullptr);
    while (a.more) {
      a = output(ctx, tcb, now);
      check(a, nullptr);
    }
  }

  void open(bool passive, bool ts) {
    ts::wire::TcpOptions o;
    o.has_mss = true;
    o.mss = 1460;
    o.has_wscale = true;
    o.wscale = 2;
    o.sack_permitted = true;
    if (ts) {
      o.has_timestamps = true;
      o.ts_val = 7;
    }
    if (passive) {
      Segment syn;
      syn.flags = kSyn;
      syn.seq = Seq(kPeerIss);
      syn.window = 65535;
      syn.opts = o;
      user(passive_open(ctx, listener, tcb, FourTuple{1, 2, 3, 4}, syn, Seq(kIss), now));
      return;
    }
    user(connect(ctx, tcb, FourTuple{1, 2, 3, 4}, Seq(kIss), now));
    if (ts) o.ts_ecr = uint32_t(now / kMsec) + kIss;
    segment(kSyn | kAck, Seq(kPeerIss), Seq(kIss + 1), 65535, 0, o);
  }

  // Brings the block into `s` along the RFC's paths.
  void reach(State s, bool ts) {
    switch (s) {
      case State::kClosed: return;
      case State::kListen: return;  // blocks never are in LISTEN; stays CLOSED
      case State::kSynSent: user(connect(ctx, tcb, FourTuple{1, 2, 3, 4}, Seq(kIss), now)); return;
      case State::kSynReceived: open(true, ts); return;
      default: break;
    }
    open(false, ts);
    if (s == State::kEstablished) return;
    if (s == State::kCloseWait || s == State::kLastAck) {
      peer(kFin | kAck);
      if (s == State::kLastAck) user(close(ctx, tcb, now));
      return;
    }
    user(close(ctx, tcb, now));  // FIN-WAIT-1
    if (s == State::kClosing) {
      segment(kFin | kAck, peer_nxt, Seq(kIss + 1), 65535, 0, {});
      peer_nxt += 1;
    } else if (s == State::kFinWait2 || s == State::kTimeWait) {
      peer(kAck);
      if (s == State::kTimeWait) peer(kFin | kAck);
    }
  }

  // As the datapath's take_held: the kept segments rcv_nxt has reached, in sequence order.
  void give_back(bool ack_each) {
    for (;;) {
      int best = -1;
      for (int i = 0; i < n_kept; i++)
        if (kept[i].seq <= tcb.rcv_nxt && (best < 0 || kept[i].seq < kept[best].seq)) best = i;
      if (best < 0) return;
      const Kept k = kept[best];
      kept[best] = kept[--n_kept];
      Segment s;  // for check(): the kept payload
      s.seq = k.seq;
      s.payload = payload;
      s.len = k.len;
      const Seq before = tcb.rcv_nxt;
      Actions a = held_text(ctx, tcb, {k.seq, payload, k.len, k.fin}, ack_each || n_kept == 0, now);
      check(a, &s);
      CHECK(tcb.rcv_nxt >= before);
      const uint32_t fin = a.has(ev::kPeerClosed) ? 1 : 0;
      if (a.has(ev::kData)) CHECK(a.data == payload + uint32_t(before - k.seq));
      CHECK(tcb.rcv_nxt == before + (a.has(ev::kData) ? a.data_len : 0) + fin);
      while (a.more) {
        a = output(ctx, tcb, now);
        check(a, nullptr);
      }
    }
  }

  void step(Reader& r) {
    const uint8_t op = r.u8() % 11;
    switch (op) {
      case 0:
      case 1:
      case 2: {  // a peer segment, its numbers near ours or anywhere
        const uint8_t flags = r.u8() & 0x3f;
        const uint8_t mode = r.u8();
        const int32_t dseq = int32_t(r.u32());
        const int32_t dack = int32_t(r.u32());
        const Seq seq = (mode & 1) ? tcb.rcv_nxt + uint32_t(dseq % 4096) : Seq(uint32_t(dseq));
        const Seq ack = (mode & 2) ? tcb.snd_una + uint32_t(dack % 4096) : Seq(uint32_t(dack));
        const uint16_t win = r.u16();
        const uint32_t len = r.u16() % sizeof(payload);
        ts::wire::TcpOptions o;
        if (mode & 4) {
          o.has_timestamps = true;
          o.ts_val = (mode & 8) ? tcb.ts_recent + uint32_t(int8_t(r.u8())) : r.u32();
          o.ts_ecr = r.u32();
        }
        if (mode & 16) {
          o.has_mss = true;
          o.mss = r.u16();
        }
        if (mode & 32) {
          o.has_wscale = true;
          o.wscale = r.u8();
        }
        o.sack_permitted = mode & 64;
        if (mode & 128) {  // SACK blocks, mostly about what is in flight (loss recovery reads them)
          o.sack_count = uint8_t(r.u8() % (ts::wire::TcpOptions::kMaxSack + 1));
          for (int i = 0; i < o.sack_count; i++) {
            const uint32_t l = tcb.snd_una.v + uint32_t(int32_t(r.u16() % 8192) - 1024);
            o.sack[i] = {l, l + r.u16() % 8192};
          }
        }
        if (in_tw_entry) {
          Segment s;
          s.flags = flags;
          s.seq = seq;
          s.ack = ack;
          s.window = win;
          s.opts = o;
          s.payload = payload;
          s.len = len;
          const TwResult res = time_wait_segment(ctx, tw, s, now);
          if (s.has(kRst) && res.verdict == TwVerdict::kAck) {
            // RFC 5961 §3.2: a RST gets an answer only as a challenge ACK, and only when it
            // lies in the window without being exact (the exact one closes the entry).
            const uint32_t off = s.seq.v - tw.rcv_nxt.v;
            CHECK(off != 0 && off < (uint32_t(tw.window) << tw.wscale));
            CHECK(res.reply.flags == kAck);
          }
          if (res.verdict == TwVerdict::kReopen) CHECK(res.isn > tw.snd_nxt);
          return;
        }
        segment(flags, seq, ack, win, len, o);
        return;
      }
      case 3: {  // time passes; the timer fires if due
        const uint32_t d = r.u32();
        now += (d & 0x80000000u) ? Time(d & 0xffff) * kSec : Time(d & 0xfffff);
        if (tcb.deadline <= now) {
          user(on_timer(ctx, tcb, now));
          CHECK(tcb.deadline > now);  // a fired timer always moves on (or stops: kNever)
        }
        return;
      }
      case 4: {
        const uint32_t n = r.u16();
        const bool accepts = in_state(tcb.state, kAcceptsSend) && !tcb.has(tcbf::kFinQueued);
        if (accepts) queued += n;
        user(send(ctx, tcb, n, now));
        return;
      }
      case 5: user(close(ctx, tcb, now)); return;
      case 6: user(abort(ctx, tcb, now)); return;
      case 7: user(set_keepalive(ctx, tcb, r.u8() & 1, now)); return;
      case 8:  // the application's side of the receive window, as the datapath's mode has it
        if (ctx.cfg.app_window) user(consumed(ctx, tcb, r.u32() % (1u << 18), now));
        else user(set_receive_window(ctx, tcb, r.u32() % (1u << 20), now));
        return;
      case 10:
        if (!in_tw_entry) give_back(r.u8() & 1);
        return;
      case 9:
        if (tcb.state == State::kTimeWait && !in_tw_entry) {
          tw = to_time_wait(ctx, tcb, now);
          in_tw_entry = true;
        } else if (tcb.deadline > now) {
          const Tcb before = tcb;
          user(on_timer(ctx, tcb, now));  // an early call changes nothing
          CHECK(memcmp(&before, &tcb, sizeof tcb) == 0);
        }
        return;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{data, size};
  Harness h;
  const uint8_t first = r.u8();
  const State start = State((first & 0x7f) % kStateCount);
  const uint8_t variant = r.u8();
  h.ctx.cfg.timestamps = variant & 1;
  h.ctx.cfg.window_scaling = variant & 2;
  h.ctx.cfg.sack_permitted = variant & 4;
  h.ctx.cfg.rcv_wnd = (variant & 8) ? 1000 : 256 * 1024;
  h.ctx.cfg.challenge_ack_limit = (variant & 16) ? 3 : 1000;
  h.ctx.cfg.rfc1337 = variant & 32;
  h.ctx.listeners = (variant & 64) ? &h : nullptr;
  h.listener.backlog = (variant & 128) ? 0 : 16;
  h.ctx.cfg.keepalive_idle = 10 * kSec;
  h.ctx.cfg.app_window = first & 0x80;  // worker mode's receive window
  h.reach(start, h.ctx.cfg.timestamps);
  for (int steps = 0; steps < 256 && !r.empty(); ++steps) h.step(r);
  return 0;
}
