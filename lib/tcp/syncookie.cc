#include "tcp/syncookie.h"

namespace ts::tcp {

namespace {

constexpr int kMacBits = 22;
constexpr int kMssShift = 22;
constexpr int kCountShift = 24;
constexpr uint32_t kMacMask = (1u << kMacBits) - 1;
constexpr uint32_t kCountMask = 0xff;

// H0 and the MAC hash the same 16-byte prefix (tuple, client ISN); SipHash's state after it is
// shared and finished twice: as the 16-byte message for H0 and, with one more 4-byte word, as the
// 20-byte message for the MAC.
struct CookieHash {
  SipHash24 prefix;

  CookieHash(const SipKey& key, const FourTuple& t, uint32_t client_isn) : prefix(key) {
    prefix.word(tuple_word(t));
    prefix.word(tuple_ports(t) | uint64_t(client_isn) << 32);
  }
  uint32_t h0() const { return static_cast<uint32_t>(prefix.finish(0, 16)); }
  uint32_t mac(uint32_t counter, uint32_t mss_index) const {
    return static_cast<uint32_t>(prefix.finish(uint32_t(counter * 4 + mss_index), 20)) & kMacMask;
  }
};

// One key's verdict. `verdict` is kForged unless the MAC proved the cookie ours.
CookieResult check_with(const SipKey& key, const FourTuple& t, uint32_t client_isn, uint32_t cookie,
                        uint32_t counter) {
  const CookieHash h(key, t, client_isn);
  const uint32_t v = cookie - h.h0();
  const uint32_t age = (counter - (v >> kCountShift)) & kCountMask;
  CookieResult r;
  if (age >= kCookieStaleHorizon) return r;
  const uint8_t mss_index = (v >> kMssShift) & 3;
  if (h.mac(counter - age, mss_index) != (v & kMacMask)) return r;
  if (age > kCookieMaxAge) {
    r.status = CookieStatus::kStale;
    return r;
  }
  r.status = CookieStatus::kValid;
  r.mss_index = mss_index;
  r.mss = kCookieMss[mss_index];
  return r;
}

}  // namespace

static_assert(kCookieMssCount == 4, "the cookie has two bits for the MSS index");
static_assert(kCookieStaleHorizon <= kCountMask);

uint8_t cookie_mss_index(uint16_t peer_mss) {
  uint8_t i = kCookieMssCount - 1;
  while (i > 0 && peer_mss < kCookieMss[i]) i--;
  return i;
}

uint32_t cookie_make(const SipKey& key, const FourTuple& t, uint32_t client_isn, uint8_t mss_index,
                     uint32_t counter) {
  mss_index &= 3;
  const CookieHash h(key, t, client_isn);
  const uint32_t v = (counter & kCountMask) << kCountShift | uint32_t(mss_index) << kMssShift |
                     h.mac(counter, mss_index);
  return h.h0() + v;
}

CookieResult cookie_check(const CookieSecrets& s, const FourTuple& t, uint32_t client_isn,
                          uint32_t cookie, uint32_t counter) {
  const CookieResult cur = check_with(s.current, t, client_isn, cookie, counter);
  if (cur.status == CookieStatus::kValid) return cur;
  const CookieResult prev = check_with(s.previous, t, client_isn, cookie, counter);
  if (prev.status == CookieStatus::kValid) return prev;
  return cur.status == CookieStatus::kStale ? cur : prev;
}

CookieOptions cookie_options(const wire::TcpOptions& syn, bool ecn_ok) {
  CookieOptions o;
  o.wscale_ok = syn.has_wscale;
  o.wscale = syn.has_wscale ? (syn.wscale > 14 ? 14 : syn.wscale) : 0;
  o.sack_ok = syn.sack_permitted;
  o.ecn_ok = ecn_ok;
  return o;
}

uint32_t cookie_tsval(uint32_t ts_now, const CookieOptions& o) {
  uint32_t bits = o.wscale_ok ? (o.wscale > 14 ? 14u : o.wscale) : kCookieTsWscaleNone;
  if (o.sack_ok) bits |= kCookieTsSack;
  if (o.ecn_ok) bits |= kCookieTsEcn;
  constexpr uint32_t mask = (1u << kCookieTsBits) - 1;
  uint32_t ts = (ts_now & ~mask) | bits;
  if (bits > (ts_now & mask)) ts -= 1u << kCookieTsBits;  // stay at or below ts_now (mod 2^32)
  return ts;
}

CookieOptions cookie_ts_decode(uint32_t tsecr) {
  CookieOptions o;
  const uint32_t ws = tsecr & kCookieTsWscaleNone;
  o.wscale_ok = ws != kCookieTsWscaleNone;
  o.wscale = o.wscale_ok ? uint8_t(ws) : 0;
  o.sack_ok = tsecr & kCookieTsSack;
  o.ecn_ok = tsecr & kCookieTsEcn;
  return o;
}

}  // namespace ts::tcp
