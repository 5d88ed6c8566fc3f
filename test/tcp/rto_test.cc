// RFC 6298 estimator, Karn's rule, exponential backoff.
#include <gtest/gtest.h>

#include "timeline.h"
#include "tcp/rto.h"

namespace ts::tcp::testing {
namespace {

TEST(Rto, first_sample_sets_srtt_and_half_of_it_as_rttvar) {
  Config c;
  Tcb t;
  rto_init(t, c.rto_initial);
  EXPECT_EQ(rto_current(t, c), 1 * kSec);  // §2.1: 1 s before any sample
  rto_sample(t, c, 100 * kMsec);
  EXPECT_EQ(t.srtt_us, 100 * kMsec);
  EXPECT_EQ(t.rttvar_us, 50 * kMsec);
  EXPECT_EQ(rto_current(t, c), 300 * kMsec);  // SRTT + 4 * RTTVAR
}

TEST(Rto, later_samples_use_alpha_one_eighth_and_beta_one_quarter) {
  Config c;
  Tcb t;
  rto_init(t, c.rto_initial);
  rto_sample(t, c, 100 * kMsec);
  rto_sample(t, c, 200 * kMsec);
  EXPECT_EQ(t.rttvar_us, (3 * 50 + 100) * kMsec / 4);  // 62.5 ms, with the old SRTT
  EXPECT_EQ(t.srtt_us, (7 * 100 + 200) * kMsec / 8);    // 112.5 ms
  EXPECT_EQ(rto_current(t, c), 112500u + 4 * 62500u);
}

TEST(Rto, is_clamped_between_min_and_max) {
  Config c;
  Tcb t;
  rto_init(t, c.rto_initial);
  rto_sample(t, c, 1 * kMsec);
  EXPECT_EQ(rto_current(t, c), 200 * kMsec);
  rto_init(t, c.rto_initial);
  rto_sample(t, c, 100 * kSec);
  EXPECT_EQ(rto_current(t, c), 120 * kSec);
}

TEST(Rto, backoff_doubles_up_to_the_maximum) {
  Config c;
  Tcb t;
  rto_init(t, c.rto_initial);
  t.backoff = 3;
  EXPECT_EQ(rto_current(t, c), 8 * kSec);
  t.backoff = 10;
  EXPECT_EQ(rto_current(t, c), 120 * kSec);
  t.backoff = 30;
  EXPECT_EQ(rto_current(t, c), 120 * kSec);
}

using RtoTimeline = Timeline;

TEST_F(RtoTimeline, karn_takes_no_sample_from_a_retransmitted_segment) {
  open_active();
  advance(0);
  const uint32_t srtt = tcb.srtt_us;
  app_send("abc");
  sent.clear();
  advance(tcb.deadline - now);  // RTO: retransmitted
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  now += 30 * kMsec;
  inject(In(kAck, kPeerIss + 1, kIss + 4));  // ambiguous: which copy does it ack?
  EXPECT_EQ(tcb.srtt_us, srtt);
  EXPECT_EQ(tcb.backoff, 0);  // but the backoff ends with the new ACK
}

TEST_F(RtoTimeline, a_clean_ack_gives_a_sample_without_timestamps) {
  open_active();
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  now += 80 * kMsec;
  inject(In(kAck, kPeerIss + 1, kIss + 4));
  // The SYN sample was ~0 (srtt 1 us); this one is 80 ms: srtt = 7/8 * 1us + 1/8 * 80 ms.
  EXPECT_EQ(tcb.srtt_us, (7 * 1 + 80000) / 8);
}

TEST_F(RtoTimeline, rto_deadline_follows_the_estimate) {
  start_active();
  sent.clear();
  now = 100 * kMsec;
  inject(In(kSyn | kAck, kPeerIss, kIss + 1));
  sent.clear();
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3));
  EXPECT_EQ(tcb.deadline, now + 300 * kMsec);  // 100 ms RTT: 100 + 4 * 50
}

// Data queued in SYN-SENT leaves with the SYN-ACK's ACK: its timer is a fresh RTO from then
// (RFC 6298 §5.1), not what was left of the SYN's deadline, which fired 100 ms after the data.
TEST_F(RtoTimeline, data_queued_in_syn_sent_gets_a_fresh_rto_when_it_leaves) {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  app_send("hello");
  expect_nothing();
  now = 900 * kMsec;  // a 900 ms round trip: RTO 0.9 + 4 * 0.45 = 2.7 s
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  ASSERT_EQ(state(), State::kEstablished);
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 5));
  EXPECT_EQ(tcb.deadline, now + 2700 * kMsec);
  advance(2 * kSec);
  expect_nothing();
}

// The same after the SYN was retransmitted: no RTT sample (Karn), and the data's RTO is the 3 s
// that RFC 6298 §5.7 asks for once a SYN was lost.
TEST_F(RtoTimeline, data_queued_in_syn_sent_after_a_lost_syn_gets_three_seconds) {
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  app_send("hello");
  advance(1 * kSec);
  expect(Out(kSyn, kIss).win(65535).mss(1460));
  now = 2900 * kMsec;
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 5));
  EXPECT_EQ(tcb.deadline, now + 3 * kSec);
}

// With timestamps agreed, the handshake's own timing ends with it: an ACK without a usable
// TSecr an hour later must not time "the SYN" (an RTO of 120 s).
TEST_F(RtoTimeline, with_timestamps_an_ack_without_them_takes_no_sample_from_the_syns_timing) {
  ctx.cfg.timestamps = true;
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460).ts(tcb.ts_off, 0));
  now += 10 * kMsec;
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460).ts(100, tcb.ts_off));
  ASSERT_EQ(state(), State::kEstablished);
  expect(mine(Out(kAck, kIss + 1, kPeerIss + 1)));
  EXPECT_FALSE(tcb.has(tcbf::kRttTiming));
  const uint32_t rto = tcb.rto_us;
  now += 3600 * kSec;
  app_send("abc");
  expect(mine(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3)));
  now += 10 * kMsec;
  inject(In(kAck, kPeerIss + 1, kIss + 4));  // no timestamp option
  EXPECT_EQ(tcb.rto_us, rto);
}

}  // namespace
}  // namespace ts::tcp::testing
