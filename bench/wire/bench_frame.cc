#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "wire/frame.h"

namespace {

using namespace ts::wire;

const Mac kClientMac{{0x02, 0, 0, 0, 0, 0x01}};
const Mac kServerMac{{0x02, 0, 0, 0, 0, 0x02}};

// A Linux client's SYN: MSS, SACK_PERM, TS, NOP, WS (74 bytes).
TcpFrameSpec syn_spec() {
  TcpFrameSpec s;
  s.src_mac = kClientMac;
  s.dst_mac = kServerMac;
  s.src_ip = 0xc6120001;
  s.dst_ip = 0xc6120002;
  s.sport = 40000;
  s.dport = 80;
  s.seq = 0x11223344;
  s.flags = tcp_flags::kSyn;
  s.window = 64240;
  s.opts.has_mss = true;
  s.opts.mss = 1460;
  s.opts.sack_permitted = true;
  s.opts.has_timestamps = true;
  s.opts.ts_val = 123456789;
  s.opts.has_wscale = true;
  s.opts.wscale = 7;
  return s;
}

void parse_bench(benchmark::State& state, const TcpFrameSpec& s, uint32_t flags) {
  std::vector<uint8_t> buf(2048);
  size_t n = build_tcp_frame(buf.data(), buf.size(), s);
  Frame f;
  for (auto _ : state) {
    benchmark::DoNotOptimize(buf.data());
    WireError e = parse_frame(buf.data(), n, flags, f);
    benchmark::DoNotOptimize(e);
    benchmark::DoNotOptimize(f);
  }
  if (parse_frame(buf.data(), n, flags, f) != WireError::kOk) state.SkipWithError("bad frame");
}

void BM_ParseSyn(benchmark::State& state) { parse_bench(state, syn_spec(), 0); }
BENCHMARK(BM_ParseSyn);

void BM_ParseSynChecksumOffloaded(benchmark::State& state) {
  parse_bench(state, syn_spec(), kRxIpChecksumOk | kRxL4ChecksumOk);
}
BENCHMARK(BM_ParseSynChecksumOffloaded);

// A pure ACK with NOP NOP TS, the commonest segment of all.
void BM_ParseAck(benchmark::State& state) {
  TcpFrameSpec s = syn_spec();
  s.flags = tcp_flags::kAck;
  s.opts = TcpOptions{};
  s.opts.has_timestamps = true;
  parse_bench(state, s, 0);
}
BENCHMARK(BM_ParseAck);

void BM_ParseData1448(benchmark::State& state) {
  static std::vector<uint8_t> payload(1448, 0x61);
  TcpFrameSpec s = syn_spec();
  s.flags = tcp_flags::kAck | tcp_flags::kPsh;
  s.opts = TcpOptions{};
  s.opts.has_timestamps = true;
  s.payload = payload.data();
  s.payload_len = payload.size();
  parse_bench(state, s, 0);
}
BENCHMARK(BM_ParseData1448);

void build_bench(benchmark::State& state, ChecksumMode mode) {
  std::vector<uint8_t> buf(2048);
  TcpFrameSpec s = syn_spec();
  std::swap(s.src_mac, s.dst_mac);
  std::swap(s.src_ip, s.dst_ip);
  std::swap(s.sport, s.dport);
  s.flags = tcp_flags::kSyn | tcp_flags::kAck;
  s.ack = s.seq + 1;
  s.seq = 0xa0b0c0d0;
  s.opts.ts_ecr = s.opts.ts_val;
  s.checksum = mode;
  for (auto _ : state) {
    benchmark::DoNotOptimize(buf.data());
    s.opts.ts_val++;
    benchmark::DoNotOptimize(build_tcp_frame(buf.data(), buf.size(), s));
    benchmark::ClobberMemory();
  }
}

void BM_BuildSynAck(benchmark::State& state) { build_bench(state, ChecksumMode::kSoftware); }
BENCHMARK(BM_BuildSynAck);

void BM_BuildSynAckChecksumOffloaded(benchmark::State& state) {
  build_bench(state, ChecksumMode::kOffload);
}
BENCHMARK(BM_BuildSynAckChecksumOffloaded);

void BM_BuildRstReply(benchmark::State& state) {
  std::vector<uint8_t> in(128), out(128);
  size_t n = build_tcp_frame(in.data(), in.size(), syn_spec());
  Frame f;
  parse_frame(in.data(), n, 0, f);
  for (auto _ : state) {
    benchmark::DoNotOptimize(build_rst_reply(out.data(), out.size(), f, kServerMac));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_BuildRstReply);

}  // namespace

BENCHMARK_MAIN();
