// Options negotiated on SYN / SYN-ACK (RFC 9293 §3.7.1, RFC 7323, RFC 2018) and their effects.
#include "timeline.h"

namespace ts::tcp::testing {
namespace {

class Options : public Timeline {
 protected:
  Options() {
    ctx.cfg.timestamps = true;
    ctx.cfg.sack_permitted = true;
    ctx.cfg.window_scaling = true;
    ctx.cfg.rcv_wnd = 256 * 1024;  // needs a shift of 3
  }
};

TEST_F(Options, syn_offers_mss_window_scale_sack_permitted_and_timestamps) {
  now = 5 * kMsec;
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460).ws(3).sack_ok().ts(kIss + 5, 0));
}

// The shift a SYN offers is the least that fits the receive window in 16 bits, at most 14
// (RFC 7323 §2.3), at each edge where it steps.
TEST_F(Options, syn_offers_the_least_shift_that_fits_the_receive_window) {
  const std::pair<uint32_t, uint8_t> cases[] = {
      {1000, 0},     {65535, 0},          {65536, 1},    {131071, 1},
      {131072, 2},   {256 * 1024, 3},     {(1u << 24) - 1, 8}, {1u << 24, 9},
      {(1u << 30) - 1, 14}, {1u << 30, 14}, {0xffffffffu, 14}};
  for (const auto& [wnd, shift] : cases) {
    ctx.cfg.rcv_wnd = wnd;
    restart();
    start_active();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent.front().opts.has_wscale);
    EXPECT_EQ(sent.front().opts.wscale, shift) << "receive window " << wnd;
    sent.clear();
  }
}

TEST_F(Options, active_open_takes_its_timestamp_offset_from_the_source_per_address_pair) {
  // The source's offset, not the ISN, so that a peer holding TIME-WAIT from an earlier
  // connection of the pair sees a newer TSval (RFC 6191). The passive side keeps the ISN.
  struct PerPair : IsnSource {
    uint32_t isn(const FourTuple&, Time) override { return kIss; }
    uint32_t ts_offset(const FourTuple& t) override { return t.laddr ^ t.raddr; }
  } src;
  ctx.isn_source = &src;
  now = 5 * kMsec;
  start_active();
  expect(Out(kSyn, kIss).win(65535).mss(1460).ws(3).sack_ok().ts((kTuple.laddr ^ kTuple.raddr) + 5, 0));
  ctx.isn_source = nullptr;
}

TEST_F(Options, synack_answers_every_option_the_syn_offered) {
  start_passive(In(kSyn, kPeerIss).mss(1400).ws(7).sack_ok().ts(777, 0));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460).ws(3).sack_ok().ts(kIss, 777));
  EXPECT_TRUE(tcb.has(tcbf::kTimestamps));
  EXPECT_TRUE(tcb.has(tcbf::kSackOk));
  EXPECT_EQ(tcb.snd_wscale, 7);
  EXPECT_EQ(tcb.rcv_wscale, 3);
  EXPECT_EQ(tcb.snd_mss, 1400 - 12);  // timestamps take 12 bytes of each segment
}

TEST_F(Options, synack_leaves_out_what_the_syn_did_not_offer) {
  start_passive(In(kSyn, kPeerIss));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_FALSE(tcb.has(tcbf::kTimestamps));
  EXPECT_EQ(tcb.snd_mss, 536);  // RFC 9293 §3.7.1 default
  EXPECT_EQ(tcb.rcv_wscale, 0);
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(1000));
  EXPECT_EQ(tcb.snd_wnd, 1000u);
  app_send("x");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 1).win(65535));  // no scale: capped
}

TEST_F(Options, window_scale_applies_to_both_directions_after_the_handshake) {
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460).ws(2).win(5000));
  EXPECT_EQ(tcb.snd_wnd, 5000u);  // a SYN's window is never scaled
  inject(In(kAck, kPeerIss + 1, kIss + 1).win(5000));
  EXPECT_EQ(tcb.snd_wnd, 20000u);  // afterwards the peer's shift of 2 applies
  sent.clear();
  app_send("x");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 1).win(32768));  // 256 KiB >> 3
}

TEST_F(Options, window_scale_is_off_unless_both_sides_send_it) {
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  EXPECT_EQ(tcb.rcv_wscale, 0);
  EXPECT_EQ(tcb.snd_wscale, 0);
  expect(Out(kAck, kIss + 1, kPeerIss + 1).win(65535));
}

TEST_F(Options, timestamps_are_echoed_and_give_rtt_samples) {
  start_active();
  sent.clear();
  now = 40 * kMsec;
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).ts(9000, kIss));  // echoes our SYN's TSval (t=0)
  expect(Out(kAck, kIss + 1, kPeerIss + 1).ts(kIss + 40, 9000));
  EXPECT_EQ(tcb.srtt_us, 40 * kMsec);  // 40 ms from the echoed timestamp
  now += 10 * kMsec;
  app_send("abc");
  expect(Out(kAck | kPsh, kIss + 1, kPeerIss + 1).data(0, 3).ts(kIss + 50, 9000));
  now += 20 * kMsec;
  inject(In(kAck, kPeerIss + 1, kIss + 4).ts(9020, kIss + 50));
  // RFC 6298: srtt = 7/8 * 40 + 1/8 * 20 = 37.5 ms
  EXPECT_EQ(tcb.srtt_us, 37500u);
}

TEST_F(Options, timestamps_off_when_the_peer_does_not_send_them) {
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).mss(1460));
  expect(Out(kAck, kIss + 1, kPeerIss + 1).win(65535));
  EXPECT_FALSE(tcb.has(tcbf::kTimestamps));
  EXPECT_EQ(tcb.snd_mss, 1460);
}

TEST_F(Options, tiny_or_huge_peer_mss_is_clamped) {
  start_passive(In(kSyn, kPeerIss).mss(1));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));  // ours, whatever theirs
  EXPECT_EQ(tcb.snd_mss, 64);
  restart();
  start_passive(In(kSyn, kPeerIss).mss(9000));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460));
  EXPECT_EQ(tcb.snd_mss, 1460);  // our own MTU bounds it too
}

TEST_F(Options, sack_blocks_received_are_ignored) {
  start_active();
  sent.clear();
  inject(In(kSyn | kAck, kPeerIss, kIss + 1).sack_ok());
  sent.clear();
  app_send("abcdef");
  sent.clear();
  In dup = In(kAck, kPeerIss + 1, kIss + 1);
  dup.s.opts.sack_count = 1;
  dup.s.opts.sack[0] = {kIss + 4, kIss + 7};
  inject(dup);
  expect_nothing();  // one duplicate ACK: nothing to do, SACK info or not
  EXPECT_EQ(tcb.dupacks, 1);
}

TEST_F(Options, wscale_above_14_is_used_as_14) {
  start_passive(In(kSyn, kPeerIss).ws(20));
  expect(Out(kSyn | kAck, kIss, kPeerIss + 1).win(65535).mss(1460).ws(3));  // our shift, unclamped
  EXPECT_EQ(tcb.snd_wscale, 14);
}

}  // namespace
}  // namespace ts::tcp::testing
