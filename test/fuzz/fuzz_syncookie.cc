// libFuzzer target for the SYN cookie module: for arbitrary keys, tuple, client ISN, ACK and time,
// cookie_check() calls a cookie valid exactly when cookie_make() produced it for that tuple and
// client ISN under one of the two keys within the accepted age, and stale exactly when it was
// produced a little earlier than that; genuine cookies round-trip with their MSS; the timestamp
// encoding round-trips and never runs ahead of the clock.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "tcp/syncookie.h"

namespace {

using namespace ts::tcp;

struct Reader {
  const uint8_t* p;
  size_t left;
  uint64_t take(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) {
      v = v << 8 | (left ? (left--, *p++) : 0);
    }
    return v;
  }
};

void require(bool ok) {
  if (!ok) abort();
}

// What the oracle says about `cookie`: the status cookie_check() must return.
CookieStatus oracle(const CookieSecrets& s, const FourTuple& t, uint32_t isn, uint32_t cookie,
                    uint32_t counter, uint8_t* mss_index) {
  CookieStatus best = CookieStatus::kForged;
  for (const SipKey* key : {&s.current, &s.previous}) {
    for (uint32_t age = 0; age < kCookieStaleHorizon; age++) {
      for (uint8_t m = 0; m < kCookieMssCount; m++) {
        if (cookie_make(*key, t, isn, m, counter - age) != cookie) continue;
        if (age <= kCookieMaxAge) {
          *mss_index = m;
          return CookieStatus::kValid;
        }
        best = CookieStatus::kStale;
      }
    }
  }
  return best;
}

// Returns cookie_check()'s result, once it has been held to the oracle's; *oracle_mss is the
// oracle's MSS index when it says valid (0xff otherwise).
CookieResult check_against_oracle(const CookieSecrets& s, const FourTuple& t, uint32_t isn, uint32_t cookie,
                                  uint32_t counter, uint8_t* oracle_mss = nullptr) {
  uint8_t mss_index = 0xff;
  const CookieStatus want = oracle(s, t, isn, cookie, counter, &mss_index);
  const CookieResult got = cookie_check(s, t, isn, cookie, counter);
  require(got.status == want);
  if (want == CookieStatus::kValid) {
    require(got.mss_index == mss_index && got.mss == kCookieMss[mss_index]);
  }
  if (oracle_mss) *oracle_mss = mss_index;
  return got;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  CookieSecrets s;
  s.current = {in.take(8), in.take(8)};
  s.previous = {in.take(8), in.take(8)};
  FourTuple t;
  t.laddr = uint32_t(in.take(4));
  t.raddr = uint32_t(in.take(4));
  t.lport = uint16_t(in.take(2));
  t.rport = uint16_t(in.take(2));
  const uint32_t isn = uint32_t(in.take(4));
  const uint8_t mss = uint8_t(in.take(1) % kCookieMssCount);
  const uint32_t made = uint32_t(in.take(4));
  const uint32_t age = uint32_t(in.take(1));
  const uint32_t ack = uint32_t(in.take(4));
  const uint32_t ts_now = uint32_t(in.take(4));
  const uint8_t opts = uint8_t(in.take(1));
  const uint8_t wscale = uint8_t(in.take(1));

  // A genuine cookie under either key, checked `age` ticks later. A 32-bit cookie can also match
  // another (key, tick, MSS) by chance, one in some 2^29: the oracle, which tries the current key
  // first as cookie_check() does, then names another MSS, or valid where this one is stale.
  for (const SipKey* key : {&s.current, &s.previous}) {
    const uint32_t cookie = cookie_make(*key, t, isn, mss, made);
    uint8_t first = 0xff;
    const CookieResult r = check_against_oracle(s, t, isn, cookie, made + age, &first);
    if (age <= kCookieMaxAge) require(r.status == CookieStatus::kValid && (r.mss_index == mss || first != mss));
    if (age > kCookieMaxAge && age < kCookieStaleHorizon) require(r.status != CookieStatus::kValid || first != 0xff);
  }
  // An arbitrary ACK.
  check_against_oracle(s, t, isn, ack, made + age);

  // Options through the timestamp.
  const CookieOptions o = cookie_ts_decode(opts);
  const uint32_t tsval = cookie_tsval(ts_now, o);
  require(ts_now - tsval < 64);
  require(cookie_ts_decode(tsval) == o);
  const CookieOptions wide{(opts & 0x40) != 0, wscale, (opts & 0x10) != 0, (opts & 0x20) != 0};
  const CookieOptions back = cookie_ts_decode(cookie_tsval(ts_now, wide));
  require(back.wscale_ok == wide.wscale_ok && back.sack_ok == wide.sack_ok &&
          back.ecn_ok == wide.ecn_ok);
  if (wide.wscale_ok) require(back.wscale == (wscale > 14 ? 14 : wscale));
  return 0;
}
