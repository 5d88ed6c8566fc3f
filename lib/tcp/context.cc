#include "tcp/context.h"

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

bool take_challenge_ack(Context& ctx, Time now) {
  if (now - ctx.challenge_epoch >= kSec || now < ctx.challenge_epoch) {
    ctx.challenge_epoch = now;
    ctx.challenge_sent = 0;
  }
  if (ctx.challenge_sent >= ctx.cfg.challenge_ack_limit) {
    ++ctx.cnt.challenge_acks_limited;
    return false;
  }
  ++ctx.challenge_sent;
  return true;
}

}  // namespace ts::tcp
