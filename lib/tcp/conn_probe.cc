// Tail loss probe (RFC 8985 §7). When the last segments of a flight are lost, no duplicate ACK
// comes back to start a fast recovery, and the timeout (200 ms at least) was all that was left.
// Two round trips of silence instead send one segment -- new data, or the last segment again --
// whose ACK shows the loss: its SACK block starts a recovery, or it acknowledges everything.
// Needs SACK, as Linux's does: without blocks the probe's ACK cannot tell of a hole.
#include <algorithm>

#include "tcp/conn_internal.h"
#include "tcp/rto.h"

namespace ts::tcp::detail {

// When a probe may stand in for the timeout: one an episode, none during a recovery or a
// timeout's backoff and go-back, and none for a single segment. The peer may be delaying the
// ACK of that one (RFC 8985 §7.2's WCDelAckT); Linux pads its probe by rto_min, which puts it at
// the timeout's time on most paths. The flight's size comes first: a connection of one request
// and one response, which CPS is made of, never gets past it.
bool probe_allowed(const Tcb& t, const Config& c) {
  return in_flight(t) > t.snd_mss && t.snd_nxt == t.snd_max && c.tail_loss_probe &&
         t.has(tcbf::kSackOk) && t.srtt_us && !(t.flags & (tcbf::kRecovery | tcbf::kTlpOut)) &&
         !t.backoff && in_state(t.state, kSendingStates);
}

// Two round trips, and Linux's 2 ms (TCP_TIMEOUT_MIN) for a peer's scheduling.
Time probe_timeout(const Tcb& t) { return 2 * Time(t.srtt_us) + 2 * kMsec; }

// RFC 8985 §7.3: new data if the peer's window lets a segment of it go (cwnd does not count:
// the probe replaces an ACK that did not come), else the last segment sent, FIN included.
void send_probe(Context& ctx, Tcb& t, Actions& a, Time now) {
  ++ctx.cnt.tail_loss_probes;
  const Seq end = data_end(t);
  const uint32_t unsent = t.snd_nxt < end ? uint32_t(end - t.snd_nxt) : 0;
  const uint32_t len = std::min<uint32_t>(unsent, t.snd_mss);
  const uint32_t room = t.snd_wnd > in_flight(t) ? t.snd_wnd - in_flight(t) : 0;
  if (len && room >= len) {
    t.flags &= ~tcbf::kTlpResent;
    t.snd_nxt += emit_range(ctx, t, a, t.snd_nxt, len, now);
  } else {
    const Seq sent_end = t.snd_max - (t.has(tcbf::kFinSent) ? 1u : 0u);
    const uint32_t n = std::min<uint32_t>(t.snd_mss, uint32_t(sent_end - t.snd_una));
    t.flags |= tcbf::kTlpResent;
    emit_range(ctx, t, a, sent_end - n, n, now);
  }
  t.flags |= tcbf::kTlpOut;
  t.flags &= ~tcbf::kAfterRto;  // `recover` is the probe's now
  t.recover = t.snd_max;
  t.timer = TimerKind::kRetransmit;
  t.deadline = now + rto_current(t, ctx.cfg);
}

// RFC 8985 §7.4.2, the ACK that ends the episode. A copy the peer did not need comes back in a
// D-SACK block: nothing was lost. An ACK past the probe without that block says the copy
// repaired a loss, which costs the window what a fast recovery would. An ACK that reaches the
// probe's end and no further waits for the D-SACK that may follow it; a second one, from a peer
// that sends no D-SACK, says both copies arrived.
void settle_probe(Context& ctx, Tcb& t, const Segment& s, bool advanced) {
  if (!t.has(tcbf::kTlpOut) || s.ack < t.recover) return;
  if (t.has(tcbf::kTlpResent)) {
    const bool dsack = s.opts.sack_count && Seq(s.opts.sack[0].left) < s.ack &&
                       Seq(s.opts.sack[0].right) == t.recover;
    if (!dsack && (advanced || s.opts.sack_count)) {
      if (s.ack == t.recover) return;
      ++ctx.cnt.tlp_recoveries;
      t.ssthresh = std::max<uint32_t>(t.cwnd / 2, 2u * t.snd_mss);
      t.cwnd = t.ssthresh;
    }
  }
  t.flags &= ~(tcbf::kTlpOut | tcbf::kTlpResent);
}

}  // namespace ts::tcp::detail
