#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "wire/checksum.h"

namespace {

using namespace ts::wire;

void BM_ChecksumPartial(benchmark::State& state) {
  std::vector<uint8_t> buf(static_cast<size_t>(state.range(0)));
  std::mt19937 rng(1);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (auto _ : state) {
    benchmark::DoNotOptimize(buf.data());
    benchmark::DoNotOptimize(checksum_finish(checksum_partial(buf.data(), buf.size())));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_ChecksumPartial)->Arg(20)->Arg(64)->Arg(1500)->Arg(9000);

void BM_TcpChecksum1460(benchmark::State& state) {
  std::vector<uint8_t> seg(1480, 0x5a);
  for (auto _ : state) {
    benchmark::DoNotOptimize(seg.data());
    benchmark::DoNotOptimize(tcp_checksum(0xc6120001, 0xc6120002, seg.data(), seg.size()));
  }
}
BENCHMARK(BM_TcpChecksum1460);

void BM_ChecksumUpdate32(benchmark::State& state) {
  uint16_t c = 0x1234;
  uint32_t v = 0;
  for (auto _ : state) {
    c = checksum_update32(c, v, v + 1);
    ++v;
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_ChecksumUpdate32);

}  // namespace
