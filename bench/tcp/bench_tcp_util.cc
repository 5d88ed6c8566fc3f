// Micro-benchmarks of the protocol core's small pure modules: keyed hashes, ISN, SYN cookies,
// the timer wheel, the Toeplitz hash. Inputs cycle through precomputed random values so that
// nothing folds into a constant.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "rss/port_select.h"
#include "rss/toeplitz.h"
#include "tcp/isn.h"
#include "tcp/siphash.h"
#include "tcp/syncookie.h"
#include "tcp/timer_wheel.h"

namespace ts {
namespace {

constexpr size_t kInputs = 1024;  // a power of two

struct Inputs {
  std::vector<tcp::FourTuple> tuples;
  std::vector<uint32_t> words;
  Inputs() {
    std::mt19937_64 rng(1);
    for (size_t i = 0; i < kInputs; i++) {
      tuples.push_back({uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())});
      words.push_back(uint32_t(rng()));
    }
  }
};
const Inputs& inputs() {
  static const Inputs in;
  return in;
}

constexpr tcp::SipKey kKey{0x0706050403020100, 0x0f0e0d0c0b0a0908};

void BM_siphash_tuple(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tcp::siphash_tuple(kKey, in.tuples[i++ & (kInputs - 1)]));
  }
}
BENCHMARK(BM_siphash_tuple);

void BM_siphash_tuple_plus_word(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    benchmark::DoNotOptimize(tcp::siphash_tuple(kKey, in.tuples[k], in.words[k]));
  }
}
BENCHMARK(BM_siphash_tuple_plus_word);

void BM_make_isn(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  tcp::Time now = 1'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tcp::make_isn(kKey, in.tuples[i++ & (kInputs - 1)], now++));
  }
}
BENCHMARK(BM_make_isn);

const tcp::CookieSecrets kSecrets{{1, 2}, {3, 4}};

void BM_cookie_make(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    benchmark::DoNotOptimize(tcp::cookie_make(kSecrets, in.tuples[k], in.words[k], 3, 100));
  }
}
BENCHMARK(BM_cookie_make);

// A genuine ACK made under the current key.
void BM_cookie_check_valid(benchmark::State& state) {
  const auto& in = inputs();
  std::vector<uint32_t> cookies;
  for (size_t k = 0; k < kInputs; k++) {
    cookies.push_back(tcp::cookie_make(kSecrets, in.tuples[k], in.words[k], uint8_t(k & 3), 100));
  }
  size_t i = 0, valid = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    const auto r = tcp::cookie_check(kSecrets, in.tuples[k], in.words[k], cookies[k], 101);
    valid += r.status == tcp::CookieStatus::kValid;
  }
  if (valid != i) state.SkipWithError("a genuine cookie failed");
}
BENCHMARK(BM_cookie_check_valid);

// A flood of forged ACKs: both keys are tried before the ACK is rejected.
void BM_cookie_check_forged(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    benchmark::DoNotOptimize(tcp::cookie_check(kSecrets, in.tuples[k], in.words[k],
                                               in.words[(k + 1) & (kInputs - 1)], 100));
  }
}
BENCHMARK(BM_cookie_check_forged);

// Timer benchmarks run against a wheel already holding `population` timers spread over 120 s.
struct Wheel {
  tcp::TimerWheel w;
  std::mt19937_64 rng{7};
  explicit Wheel(uint32_t population, uint32_t spare) : w(population + spare, tcp::kMsec) {
    for (tcp::TimerId id = 0; id < population; id++) w.arm(id, 1 + rng() % (120 * tcp::kSec));
  }
};

void BM_timer_arm_cancel(benchmark::State& state) {
  const uint32_t population = uint32_t(state.range(0));
  Wheel wh(population, kInputs);
  std::vector<tcp::Time> delays;
  for (size_t k = 0; k < kInputs; k++) delays.push_back(1 + wh.rng() % (120 * tcp::kSec));
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    wh.w.arm(population + uint32_t(k), delays[k]);
    wh.w.cancel(population + uint32_t(k));
  }
}
BENCHMARK(BM_timer_arm_cancel)->Arg(0)->Arg(1 << 20);

// Restarting an armed timer (an RTO pushed back by every ACK).
void BM_timer_rearm(benchmark::State& state) {
  const uint32_t population = uint32_t(state.range(0));
  Wheel wh(population, 0);
  std::vector<uint32_t> ids;
  std::vector<tcp::Time> delays;
  for (size_t k = 0; k < kInputs; k++) {
    ids.push_back(uint32_t(wh.rng() % population));
    delays.push_back(1 + wh.rng() % (120 * tcp::kSec));
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    wh.w.arm(ids[k], delays[k]);
  }
}
BENCHMARK(BM_timer_rearm)->Arg(1 << 20);

// Steady state: 1 ms per iteration; every timer that expires is re-armed 1 ms .. 1 s ahead, so
// about population / 500 expire per tick and cascades happen as they would in service.
// Reported per expired timer (expire + the cascades it caused + re-arm).
void BM_timer_expire(benchmark::State& state) {
  const uint32_t population = uint32_t(state.range(0));
  tcp::TimerWheel w(population, tcp::kMsec);
  std::mt19937_64 rng(9);
  for (tcp::TimerId id = 0; id < population; id++) w.arm(id, 1 + rng() % tcp::kSec);
  std::vector<tcp::TimerId> buf(4096);
  tcp::Time now = 0;
  uint64_t expired = 0;
  for (auto _ : state) {
    now += tcp::kMsec;
    do {
      const uint32_t n = w.advance(now, buf.data(), uint32_t(buf.size()));
      for (uint32_t j = 0; j < n; j++) w.arm(buf[j], now + tcp::kMsec + rng() % tcp::kSec);
      expired += n;
    } while (w.behind(now));
  }
  state.SetItemsProcessed(int64_t(expired));
  state.counters["s_per_expiry"] = benchmark::Counter(
      double(expired), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_timer_expire)->Arg(1 << 16)->Arg(1 << 20)->Arg(2 << 20)->Unit(benchmark::kMicrosecond);

const rss::Toeplitz& toeplitz() {
  static const rss::Toeplitz t(rss::kMicrosoftKey);
  return t;
}

void BM_toeplitz_hash_v4(benchmark::State& state) {
  const auto& in = inputs();
  const rss::Toeplitz& t = toeplitz();
  size_t i = 0;
  for (auto _ : state) {
    const auto& x = in.tuples[i++ & (kInputs - 1)];
    benchmark::DoNotOptimize(t.hash_v4(x.raddr, x.laddr, x.rport, x.lport));
  }
}
BENCHMARK(BM_toeplitz_hash_v4);

void BM_toeplitz_reference(benchmark::State& state) {
  const auto& in = inputs();
  size_t i = 0;
  for (auto _ : state) {
    const auto& x = in.tuples[i++ & (kInputs - 1)];
    const uint8_t bytes[12] = {
        uint8_t(x.raddr >> 24), uint8_t(x.raddr >> 16), uint8_t(x.raddr >> 8), uint8_t(x.raddr),
        uint8_t(x.laddr >> 24), uint8_t(x.laddr >> 16), uint8_t(x.laddr >> 8), uint8_t(x.laddr),
        uint8_t(x.rport >> 8),  uint8_t(x.rport),       uint8_t(x.lport >> 8), uint8_t(x.lport)};
    benchmark::DoNotOptimize(rss::toeplitz_reference(rss::kMicrosoftKey, bytes, 12));
  }
}
BENCHMARK(BM_toeplitz_reference);

void BM_choose_local_port(benchmark::State& state) {
  const auto& in = inputs();
  const rss::Toeplitz& t = toeplitz();
  const rss::Reta reta = rss::Reta::round_robin(uint16_t(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kInputs - 1);
    const auto& x = in.tuples[k];
    benchmark::DoNotOptimize(rss::choose_local_port(t, reta, x.laddr, x.raddr, 80,
                                                    uint16_t(k % reta.nqueues()), x.lport));
  }
}
BENCHMARK(BM_choose_local_port)->Arg(4)->Arg(16);

}  // namespace
}  // namespace ts

BENCHMARK_MAIN();
