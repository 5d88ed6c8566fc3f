#include "tcp/context.h"

#include "tcp/siphash.h"

namespace ts::tcp {

Seq choose_isn(Context& ctx, const FourTuple& t, Time now) {
  if (ctx.isn_source) return Seq(ctx.isn_source->isn(t, now));
  // Deterministic for tests; far enough apart that two test connections never overlap.
  uint32_t isn = ctx.next_test_isn;
  ctx.next_test_isn += 0x01000000;
  return Seq(isn);
}

uint32_t choose_ts_offset(Context& ctx, const FourTuple& t, Seq isn) {
  return ctx.isn_source ? ctx.isn_source->ts_offset(t) : isn.v;
}

// A fixed budget is a side channel (CVE-2016-5696): an off-path attacker who uses it up and
// counts the challenge ACKs left learns whether its guessed RSTs hit a live connection. So each
// second's budget is drawn from [limit / 2, limit * 3 / 2), as Linux's is, keyed by the cookie
// secret (random in the datapath, fixed in tests).
bool take_challenge_ack(Context& ctx, Time now) {
  if (now - ctx.challenge_epoch >= kSec || now < ctx.challenge_epoch || ctx.challenge_budget == 0) {
    ctx.challenge_epoch = now;
    ctx.challenge_sent = 0;
    const uint32_t limit = ctx.cfg.challenge_ack_limit;
    const uint64_t draw = siphash24(ctx.cookie_secrets.current, &now, sizeof now);
    ctx.challenge_budget = limit ? (limit + 1) / 2 + uint32_t(draw % limit) : 0;
  }
  if (ctx.challenge_sent >= ctx.challenge_budget) {
    ++ctx.cnt.challenge_acks_limited;
    return false;
  }
  ++ctx.challenge_sent;
  return true;
}

}  // namespace ts::tcp
