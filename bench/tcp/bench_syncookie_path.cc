// Nanoseconds through the listener's SYN-cookie path, end to end as the datapath calls it (parsed
// segment in, segment to send or block initialised out): a SYN answered with a cookie SYN-ACK, the
// returning ACK validated into an ESTABLISHED block, and a forged ACK rejected. The stateful
// SYN path is measured beside them for comparison. Inputs are 4096 distinct tuples and ISNs, so
// the hashes see varied data; Linux defaults (timestamps, window scaling, SACK) are on.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "tcp/conn.h"
#include "tcp/listener.h"

namespace {

using namespace ts::tcp;

constexpr size_t kBatch = 4096;  // a power of two
constexpr Time kNow = 1000 * kSec;

struct Inputs {
  std::vector<FourTuple> tuples;
  std::vector<Segment> syns;
  std::vector<Segment> acks;        // the genuine cookie ACKs for syns[]
  std::vector<Segment> forged;      // ACKs with a wrong cookie
};

Context make_ctx(CookieMode mode) {
  Context c;
  c.cfg.syncookies = mode;
  c.cookie_secrets = CookieSecrets{SipKey{0x0123456789abcdef, 0xfedcba9876543210},
                                   SipKey{0x1111111111111111, 0x2222222222222222}};
  c.cookie_rotated = kNow;  // no rotation inside the measurement
  return c;
}

Segment syn_segment(uint32_t isn) {
  Segment s;
  s.flags = kSyn;
  s.seq = Seq(isn);
  s.window = 64240;
  s.opts.has_mss = true;
  s.opts.mss = 1460;
  s.opts.has_wscale = true;
  s.opts.wscale = 7;
  s.opts.sack_permitted = true;
  s.opts.has_timestamps = true;
  s.opts.ts_val = isn ^ 0x5555;
  return s;
}

// SYNs from varied clients, answered once with cookies to get the ACKs that complete them.
const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs x;
    std::mt19937 rng(4987);
    Context ctx = make_ctx(CookieMode::kAlways);
    Listener l;
    for (size_t i = 0; i < kBatch; ++i) {
      const FourTuple t{0xc6120001, uint32_t(0xc6130000 | (rng() & 0xffff)), 80,
                        uint16_t(rng() | 1024)};
      const Segment syn = syn_segment(rng());
      const ListenResult r = listen_segment(ctx, l, t, syn, kNow);
      Segment ack;
      ack.flags = kAck;
      ack.seq = syn.seq + 1;
      ack.ack = r.reply.seq + 1;
      ack.window = 502;
      ack.opts.has_timestamps = true;
      ack.opts.ts_val = syn.opts.ts_val + 1;
      ack.opts.ts_ecr = r.reply.opts.ts_val;
      Segment bad = ack;
      bad.ack = Seq(rng());
      x.tuples.push_back(t);
      x.syns.push_back(syn);
      x.acks.push_back(ack);
      x.forged.push_back(bad);
    }
    return x;
  }();
  return in;
}

// A SYN over the half-open bound in `auto` mode (a flood in progress): admission, cookie, the
// stateless SYN-ACK with its options and timestamp.
void BM_CookieSynToSynAck(benchmark::State& st) {
  const Inputs& in = inputs();
  Context ctx = make_ctx(CookieMode::kAuto);
  Listener l;
  l.max_half_open = 0;
  size_t i = 0;
  for (auto _ : st) {
    const size_t k = i++ & (kBatch - 1);
    ListenResult r = listen_segment(ctx, l, in.tuples[k], in.syns[k], kNow);
    benchmark::DoNotOptimize(r);
  }
  if (ctx.cnt.cookies_sent != i) st.SkipWithError("a SYN did not get a cookie");
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_CookieSynToSynAck);

// The returning ACK: cookie validated, options restored, and the block initialised by
// cookie_open() into ESTABLISHED (the application accepts at once, so the queue never fills).
void BM_CookieAckToEstablished(benchmark::State& st) {
  const Inputs& in = inputs();
  Context ctx = make_ctx(CookieMode::kAlways);
  Listener l;
  l.cookies_live_until = kNow + kCookieTick;
  std::vector<Tcb> blocks(kBatch);
  size_t i = 0, opened = 0;
  for (auto _ : st) {
    const size_t k = i++ & (kBatch - 1);
    const ListenResult r = listen_segment(ctx, l, in.tuples[k], in.acks[k], kNow + 20 * kMsec);
    if (r.verdict == ListenVerdict::kCookieOpen) {
      Actions a = cookie_open(ctx, l, blocks[k], in.tuples[k], in.acks[k], r.syn_opts,
                              kNow + 20 * kMsec);
      benchmark::DoNotOptimize(a);
      opened += blocks[k].state == State::kEstablished;
      listener_accepted(l);
    }
  }
  if (opened != i) st.SkipWithError("a genuine cookie ACK did not open");
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_CookieAckToEstablished);

// The validation alone (listen_segment's verdict on the ACK, no block touched).
void BM_CookieAckValidate(benchmark::State& st) {
  const Inputs& in = inputs();
  Context ctx = make_ctx(CookieMode::kAlways);
  Listener l;
  l.cookies_live_until = kNow + kCookieTick;
  size_t i = 0;
  for (auto _ : st) {
    const size_t k = i++ & (kBatch - 1);
    ListenResult r = listen_segment(ctx, l, in.tuples[k], in.acks[k], kNow + 20 * kMsec);
    benchmark::DoNotOptimize(r);
  }
  if (ctx.cnt.cookies_validated != i) st.SkipWithError("a genuine cookie failed");
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_CookieAckValidate);

// An ACK flood while cookies are out: both keys tried, dropped.
void BM_ForgedAckDropped(benchmark::State& st) {
  const Inputs& in = inputs();
  Context ctx = make_ctx(CookieMode::kAlways);
  Listener l;
  l.cookies_live_until = kNow + kCookieTick;
  size_t i = 0;
  for (auto _ : st) {
    const size_t k = i++ & (kBatch - 1);
    ListenResult r = listen_segment(ctx, l, in.tuples[k], in.forged[k], kNow);
    benchmark::DoNotOptimize(r);
  }
  if (ctx.cnt.cookies_forged != i) st.SkipWithError("a forged cookie was not rejected");
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ForgedAckDropped);

// For comparison: the stateful answer (admission, then passive_open into a block).
void BM_StatefulSynToSynAck(benchmark::State& st) {
  const Inputs& in = inputs();
  Context ctx = make_ctx(CookieMode::kAuto);
  Listener l;
  l.max_half_open = ~0u;
  std::vector<Tcb> blocks(kBatch);
  size_t i = 0;
  for (auto _ : st) {
    const size_t k = i++ & (kBatch - 1);
    const ListenResult r = listen_segment(ctx, l, in.tuples[k], in.syns[k], kNow);
    if (r.verdict == ListenVerdict::kOpen) {
      Actions a = passive_open(ctx, l, blocks[k], in.tuples[k], in.syns[k], Seq(uint32_t(k)), kNow);
      benchmark::DoNotOptimize(a);
    }
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_StatefulSynToSynAck);

}  // namespace

BENCHMARK_MAIN();
