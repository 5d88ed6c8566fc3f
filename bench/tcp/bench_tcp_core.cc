// Nanoseconds per segment through the state machine's hot paths, plus the sizes that set the
// memory per connection. Setup that a measurement must not include (a block in the right state)
// is done in batches outside the timed region.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <vector>

#include "tcp/conn.h"
#include "tcp/listener.h"
#include "tcp/time_wait.h"

namespace {

using namespace ts::tcp;

constexpr int kBatch = 4096;
const FourTuple kTuple{0xc6120001, 0xc6120002, 80, 40000};

Context make_ctx() {
  Context c;  // Linux defaults: timestamps, window scaling and SACK-permitted on
  return c;
}

Segment syn_segment() {
  Segment s;
  s.flags = kSyn;
  s.seq = Seq(5000);
  s.window = 65535;
  s.opts.has_mss = true;
  s.opts.mss = 1460;
  s.opts.has_wscale = true;
  s.opts.wscale = 7;
  s.opts.sack_permitted = true;
  s.opts.has_timestamps = true;
  s.opts.ts_val = 100;
  return s;
}

Segment ack_segment(Seq seq, Seq ack, uint8_t flags = kAck) {
  Segment s;
  s.flags = flags;
  s.seq = seq;
  s.ack = ack;
  s.window = 512;
  s.opts.has_timestamps = true;
  s.opts.ts_val = 101;
  s.opts.ts_ecr = 1000;
  return s;
}

Tcb synrcvd_template(Context& ctx) {
  Listener l;
  Tcb t;
  passive_open(ctx, l, t, kTuple, syn_segment(), Seq(1000), 0);
  return t;
}

Tcb established_template(Context& ctx) {
  Tcb t = synrcvd_template(ctx);
  on_segment(ctx, t, ack_segment(Seq(5001), Seq(1001)), 1000);
  return t;
}

// A SYN at a listener: admission and the SYN-ACK (block initialised in place).
void BM_SynAtListenerToSynAck(benchmark::State& st) {
  Context ctx = make_ctx();
  Listener l;
  l.max_half_open = ~0u;
  Tcb t;
  const Segment syn = syn_segment();
  Time now = 0;
  for (auto _ : st) {
    if (listen_segment(ctx, l, syn) == ListenVerdict::kOpen) {
      Actions a = passive_open(ctx, l, t, kTuple, syn, Seq(1000), now);
      benchmark::DoNotOptimize(a);
    }
    ++now;
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_SynAtListenerToSynAck);

// Runs `fn(tcb)` over batches of blocks copied from a template, copying outside the clock.
template <class Fn>
void batched(benchmark::State& st, const Tcb& tmpl, Fn fn) {
  std::vector<Tcb> blocks(kBatch);
  int i = kBatch;
  for (auto _ : st) {
    if (i == kBatch) {
      st.PauseTiming();
      for (auto& b : blocks) b = tmpl;
      i = 0;
      st.ResumeTiming();
    }
    fn(blocks[i++]);
  }
  st.SetItemsProcessed(st.iterations());
}

// The ACK that completes the handshake: SYN-RECEIVED -> ESTABLISHED.
void BM_HandshakeAck(benchmark::State& st) {
  Context ctx = make_ctx();
  const Tcb tmpl = synrcvd_template(ctx);
  const Segment ack = ack_segment(Seq(5001), Seq(1001));
  batched(st, tmpl, [&](Tcb& t) {
    Actions a = on_segment(ctx, t, ack, 2000);
    benchmark::DoNotOptimize(a);
  });
}
BENCHMARK(BM_HandshakeAck);

// An in-order 1448-byte data segment in ESTABLISHED: delivered in place, ACK emitted.
void BM_InOrderData(benchmark::State& st) {
  Context ctx = make_ctx();
  Tcb t = established_template(ctx);
  static uint8_t payload[1448];
  Segment s = ack_segment(t.rcv_nxt, t.snd_nxt, kAck | kPsh);
  s.payload = payload;
  s.len = sizeof payload;
  Time now = 3000;
  for (auto _ : st) {
    s.seq = t.rcv_nxt;
    s.opts.ts_val = uint32_t(now / kMsec);
    Actions a = on_segment(ctx, t, s, now);
    benchmark::DoNotOptimize(a);
    now += 10;
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(st.iterations() * int64_t(sizeof payload));
}
BENCHMARK(BM_InOrderData);

// The peer's FIN in ESTABLISHED: CLOSE-WAIT, ACK emitted, peer-closed event.
void BM_FinHandling(benchmark::State& st) {
  Context ctx = make_ctx();
  const Tcb tmpl = established_template(ctx);
  const Segment fin = ack_segment(Seq(5001), Seq(1001), kFin | kAck);
  batched(st, tmpl, [&](Tcb& t) {
    Actions a = on_segment(ctx, t, fin, 4000);
    benchmark::DoNotOptimize(a);
  });
}
BENCHMARK(BM_FinHandling);

// TIME-WAIT verdicts: a retransmitted FIN (re-ACK, timer restart) and a SYN that reopens.
void BM_TimeWaitVerdictFin(benchmark::State& st) {
  Context ctx = make_ctx();
  Tcb t = established_template(ctx);
  close(ctx, t, 4000);
  on_segment(ctx, t, ack_segment(Seq(5001), Seq(1002), kFin | kAck), 5000);
  TimeWait tw = to_time_wait(ctx, t, 5000);
  const Segment fin = ack_segment(Seq(5001), Seq(1002), kFin | kAck);
  Time now = 6000;
  for (auto _ : st) {
    TwResult r = time_wait_segment(ctx, tw, fin, now++);
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_TimeWaitVerdictFin);

void BM_TimeWaitVerdictSyn(benchmark::State& st) {
  Context ctx = make_ctx();
  Tcb t = established_template(ctx);
  close(ctx, t, 4000);
  on_segment(ctx, t, ack_segment(Seq(5001), Seq(1002), kFin | kAck), 5000);
  const TimeWait tw0 = to_time_wait(ctx, t, 5000);
  Segment syn = syn_segment();
  syn.opts.ts_val = 500;
  for (auto _ : st) {
    TimeWait tw = tw0;
    TwResult r = time_wait_segment(ctx, tw, syn, 6000);
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_TimeWaitVerdictSyn);

}  // namespace

int main(int argc, char** argv) {
  std::printf("sizeof(Tcb) = %zu bytes (connection block, no buffered data)\n", sizeof(Tcb));
  std::printf("sizeof(TimeWait) = %zu bytes (TIME-WAIT entry)\n", sizeof(TimeWait));
  std::printf("sizeof(Actions) = %zu bytes\n", sizeof(Actions));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
