#include "dpdk/fault_port.h"

#include "dpdk/ethdev_port.h"

#include <rte_mbuf.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "dpdk/clock.h"
#include "wire/bytes.h"
#include "wire/ether.h"

namespace ts::dpdk {

namespace {

constexpr uint16_t kChunk = 64;  // frames handed to the inner port per call

constexpr std::string_view kKeys = "drop, dup, reorder, corrupt, delay_ms, reorder_ms, seed, dir";

// 'text', quoted for a message.
std::string quoted(std::string_view v) {
  std::string s(1, '\'');
  s.append(v);
  s += '\'';
  return s;
}

// The whole of v by from_chars: no leading space or '+', no hex or octal (a seed of 010 is ten).
bool parse_number(std::string_view v, double* out) {
  double d = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

bool parse_u64(std::string_view v, uint64_t* out) {
  uint64_t u = 0;  // from_chars stores what it read of "12x" too: *out only on success
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), u);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return false;
  *out = u;
  return true;
}

// One key=value of the spec into *out; a reason on failure.
std::string parse_item(std::string_view key, std::string_view val, FaultSpec* out) {
  std::string item(key);
  item += '=';
  item.append(val);
  const std::string q = quoted(item);
  double d = 0;
  auto rate = [&](double* field) -> std::string {
    if (!parse_number(val, &d) || d < 0 || d > 1) return q + ": a rate is a probability from 0 to 1";
    *field = d;
    return {};
  };
  auto millis = [&](tcp::Time* field) -> std::string {
    if (!parse_number(val, &d) || d < 0 || d > 60000)
      return q + ": milliseconds from 0 to 60000 expected";
    *field = static_cast<tcp::Time>(std::llround(d * 1000.0));
    return {};
  };
  if (key == "drop") return rate(&out->drop);
  if (key == "dup") return rate(&out->dup);
  if (key == "reorder") return rate(&out->reorder);
  if (key == "corrupt") return rate(&out->corrupt);
  if (key == "delay_ms") return millis(&out->delay);
  if (key == "reorder_ms") return millis(&out->reorder_hold);
  if (key == "seed") {
    if (!parse_u64(val, &out->seed)) return q + ": the seed is an unsigned 64-bit integer";
    return {};
  }
  if (key == "dir") {
    if (val != "rx" && val != "tx" && val != "both") return q + ": dir is rx, tx or both";
    out->rx = val != "tx";
    out->tx = val != "rx";
    return {};
  }
  return "unknown key " + quoted(key) + " (known: " + std::string(kKeys) + ")";
}

uint64_t threshold(double p) {
  if (p <= 0) return 0;
  if (p >= 1) return ~uint64_t(0);
  return static_cast<uint64_t>(std::ldexp(p, 64));
}

uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

bool parse_fault_spec(std::string_view text, FaultSpec* out, std::string* err) {
  FaultSpec s;
  std::vector<std::string_view> seen;
  if (text.empty()) {
    *err = "fault spec is empty (e.g. drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42)";
    return false;
  }
  for (size_t pos = 0, comma = 0; comma != std::string_view::npos; pos = comma + 1) {
    comma = text.find(',', pos);
    const std::string_view item = text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
    const size_t eq = item.find('=');
    std::string why;
    if (item.empty()) why = "an empty item (two commas, or a trailing one)";
    else if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
      why = quoted(item) + " is not key=value";
    else if (std::find(seen.begin(), seen.end(), item.substr(0, eq)) != seen.end())
      why = quoted(item.substr(0, eq)) + " given twice";
    else
      why = parse_item(item.substr(0, eq), item.substr(eq + 1), &s);
    if (!why.empty()) {
      *err = "fault spec: " + why;
      return false;
    }
    seen.push_back(item.substr(0, eq));
  }
  *out = s;
  return true;
}

std::string to_string(const FaultSpec& s) {
  char buf[256];
  snprintf(buf, sizeof buf, "drop=%g,dup=%g,reorder=%g,corrupt=%g,delay_ms=%g,reorder_ms=%g,seed=%llu,dir=%s",
           s.drop, s.dup, s.reorder, s.corrupt, double(s.delay) / tcp::kMsec, double(s.reorder_hold) / tcp::kMsec,
           static_cast<unsigned long long>(s.seed), s.rx && s.tx ? "both" : s.rx ? "rx" : "tx");
  return buf;
}

FaultCounters& FaultCounters::operator+=(const FaultCounters& o) {
  frames += o.frames;
  dropped += o.dropped;
  duplicated += o.duplicated;
  corrupted += o.corrupted;
  reordered += o.reordered;
  delayed += o.delayed;
  overflow += o.overflow;
  refused += o.refused;
  no_mbuf += o.no_mbuf;
  return *this;
}

// ---------------------------------------------------------------- held frames

bool FaultPort::Fifo::push(rte_mbuf* m, tcp::Time due) {
  if (count == slot.size()) return false;
  slot[(head + count) % slot.size()] = {m, due};
  count++;
  return true;
}

rte_mbuf* FaultPort::Fifo::pop_due(tcp::Time now) {
  if (count == 0 || slot[head].due > now) return nullptr;
  rte_mbuf* m = slot[head].m;
  head = static_cast<uint32_t>((head + 1) % slot.size());
  count--;
  return m;
}

// ---------------------------------------------------------------- the port

FaultPort::FaultPort(std::unique_ptr<Port> inner, const FaultSpec& spec, Clock now)
    : inner_(std::move(inner)), spec_(spec), now_(std::move(now)), caps_(inner_->caps()) {
  th_ = {threshold(spec.drop), threshold(spec.dup), threshold(spec.reorder), threshold(spec.corrupt)};
  if (spec.corrupt > 0 && spec.tx) caps_.tx_ip_checksum = caps_.tx_tcp_checksum = false;
  lanes_.resize(size_t(inner_->queues()) * 2);
  for (size_t i = 0; i < lanes_.size(); i++) {
    Lane& l = lanes_[i];
    l.rng = spec.seed ^ (0x5851f42d4c957f2dull * (i + 1));
    // Only the FIFOs a spec can fill get their slots.
    if (spec.delay || spec.dup || spec.reorder) l.delayed.slot.resize(kHoldMax);
    if (spec.reorder) l.reordered.slot.resize(kHoldMax);
  }
  if (!now_) now_ = [c = TscClock()] { return c.now(); };
}

std::unique_ptr<FaultPort> FaultPort::wrap(std::unique_ptr<Port> inner, const FaultSpec& spec, Clock now) {
  return std::unique_ptr<FaultPort>(new FaultPort(std::move(inner), spec, std::move(now)));
}

FaultPort::~FaultPort() {
  for (Lane& l : lanes_)
    for (Fifo* f : {&l.delayed, &l.reordered})
      while (rte_mbuf* m = f->pop_due(tcp::kNever)) rte_pktmbuf_free(m);
}

bool FaultPort::roll(Lane& l, uint64_t th) { return th != 0 && splitmix64(l.rng) <= th; }

void FaultPort::apply(Lane& l, rte_mbuf* m, tcp::Time now, rte_mbuf** out, uint16_t* n) {
  add(l.cnt.frames);
  if (roll(l, th_.drop)) {
    add(l.cnt.dropped);
    return rte_pktmbuf_free(m);
  }
  rte_mbuf* copy = nullptr;
  if (roll(l, th_.dup)) {
    copy = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
    add(copy ? l.cnt.duplicated : l.cnt.no_mbuf);
  }
  pass(l, m, now, out, n);
  if (copy) pass(l, copy, now, out, n);
}

// `out` has room for kChunk frames; a frame that finds it full waits in the delay FIFO, due now.
void FaultPort::pass(Lane& l, rte_mbuf* m, tcp::Time now, rte_mbuf** out, uint16_t* n) {
  if (roll(l, th_.corrupt)) corrupt(l, m);
  Fifo* f = nullptr;
  tcp::Time due = now + spec_.delay;
  if (roll(l, th_.reorder)) {
    f = &l.reordered;
    due += spec_.reorder_hold;
    add(l.cnt.reordered);
  } else if (spec_.delay) {
    f = &l.delayed;
    add(l.cnt.delayed);
  } else if (*n < kChunk) {
    out[(*n)++] = m;
    return;
  } else {
    f = &l.delayed;
  }
  if (!f->push(m, due)) {
    add(l.cnt.overflow);
    return rte_pktmbuf_free(m);
  }
  __atomic_store_n(&l.held, l.held + 1, __ATOMIC_RELAXED);
}

void FaultPort::corrupt(Lane& l, rte_mbuf* m) {
  // A buffer someone else also holds (a clone) must not be damaged for them too.
  if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) return;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  const size_t len = rte_pktmbuf_data_len(m);
  size_t l3 = 14;
  if (len < l3 + 20) return;
  uint16_t type = wire::load_be16(p + 12);
  if (type == wire::kEtherTypeVlan) {
    l3 = 18;
    if (len < l3 + 20) return;
    type = wire::load_be16(p + 16);
  }
  if (type != wire::kEtherTypeIpv4) return;
  size_t ip_len = wire::load_be16(p + l3 + 2);
  if (ip_len < 20 || ip_len > len - l3) ip_len = len - l3;
  const uint64_t r = splitmix64(l.rng);
  p[l3 + r % ip_len] ^= static_cast<uint8_t>(1 + (r >> 32) % 255);
  m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
  add(l.cnt.corrupted);
}

// Due frames of both FIFOs, oldest due first.
uint16_t FaultPort::release(Lane& l, tcp::Time now, rte_mbuf** out, uint16_t room) {
  uint16_t n = 0;
  while (n < room && l.held) {
    Fifo& a = l.delayed;
    Fifo& b = l.reordered;
    const bool a_due = a.count && a.slot[a.head].due <= now;
    const bool b_due = b.count && b.slot[b.head].due <= now;
    if (!a_due && !b_due) break;
    Fifo& f = a_due && (!b_due || a.slot[a.head].due <= b.slot[b.head].due) ? a : b;
    out[n++] = f.pop_due(now);
    __atomic_store_n(&l.held, l.held - 1, __ATOMIC_RELAXED);
  }
  return n;
}

uint16_t FaultPort::send(uint16_t q, Lane& l, rte_mbuf** pkts, uint16_t n) {
  uint16_t done = 0;
  for (int tries = 0; done < n && tries < 4; tries++)
    done += inner_->tx_burst(q, pkts + done, static_cast<uint16_t>(n - done));
  if (done < n) add(l.cnt.refused, n - done);
  for (uint16_t i = done; i < n; i++) rte_pktmbuf_free(pkts[i]);
  return done;
}

uint16_t FaultPort::flush_tx(uint16_t q, tcp::Time now) {
  Lane& l = lane(q, kTx);
  rte_mbuf* buf[kChunk];
  uint16_t sent = 0;
  while (uint16_t k = release(l, now, buf, kChunk)) sent += send(q, l, buf, k);
  return sent;
}

uint16_t FaultPort::tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) {
  if (!spec_.tx) return inner_->tx_burst(q, pkts, n);
  const tcp::Time now = now_();
  flush_tx(q, now);
  Lane& l = lane(q, kTx);
  rte_mbuf* out[kChunk];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; i++) {
    if (k + 2 > kChunk) send(q, l, out, k), k = 0;  // room for a frame and its copy
    apply(l, pkts[i], now, out, &k);
  }
  send(q, l, out, k);
  return n;
}

uint16_t FaultPort::rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) {
  const tcp::Time now = now_();
  // Delayed frames of TX queue q leave on time even while the lcore has nothing to send.
  if (spec_.tx) flush_tx(q, now);
  if (!spec_.rx) return inner_->rx_burst(q, pkts, n);
  Lane& l = lane(q, kRx);
  n = std::min(n, kChunk);
  uint16_t k = release(l, now, pkts, n);
  if (k == n) return k;
  rte_mbuf* in[kChunk];
  const uint16_t got = inner_->rx_burst(q, in, static_cast<uint16_t>(n - k));
  rte_mbuf* out[kChunk];
  uint16_t m = 0;
  for (uint16_t i = 0; i < got; i++) apply(l, in[i], now, out, &m);
  // What does not fit this burst (copies) waits, due now, for the next one.
  for (uint16_t i = 0; i < m; i++) {
    if (k < n) {
      pkts[k++] = out[i];
    } else if (l.delayed.push(out[i], now)) {
      __atomic_store_n(&l.held, l.held + 1, __ATOMIC_RELAXED);
    } else {
      add(l.cnt.overflow);
      rte_pktmbuf_free(out[i]);
    }
  }
  return k;
}

FaultCounters FaultPort::counters(Dir d) const {
  FaultCounters s;
  auto rd = [](const uint64_t& c) { return __atomic_load_n(&c, __ATOMIC_RELAXED); };
  for (size_t i = d; i < lanes_.size(); i += 2) {
    const FaultCounters& c = lanes_[i].cnt;
    s += {rd(c.frames), rd(c.dropped), rd(c.duplicated), rd(c.corrupted), rd(c.reordered),
          rd(c.delayed), rd(c.overflow), rd(c.refused), rd(c.no_mbuf)};
  }
  return s;
}

FaultCounters FaultPort::counters() const {
  FaultCounters s = counters(kRx);
  s += counters(kTx);
  return s;
}

uint32_t FaultPort::held() const {
  uint32_t n = 0;
  for (const Lane& l : lanes_) n += __atomic_load_n(&l.held, __ATOMIC_RELAXED);
  return n;
}

std::function<std::unique_ptr<Port>(rte_mempool*, uint16_t, std::string*)> faulty_ethdev(
    const PortProfile& profile, const FaultSpec& spec) {
  return [profile, spec](rte_mempool* pool, uint16_t queues, std::string* err) -> std::unique_ptr<Port> {
    auto p = EthdevPort::open(profile, queues, pool, err);
    if (!p) return nullptr;
    return FaultPort::wrap(std::move(p), spec);
  };
}

}  // namespace ts::dpdk
