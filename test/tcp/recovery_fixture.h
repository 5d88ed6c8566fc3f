// The fixture of the fast recovery suites (recovery_test.cc, undo_test.cc): a window of ten
// segments in flight.
#pragma once
#include "timeline.h"

namespace ts::tcp::testing {

// Ten 10-byte segments in flight, [base, base + 100); the peer lost the ones at 0, 30 and 60.
class Recovery : public Timeline {
 protected:
  static constexpr uint32_t base = kIss + 1;

  void send_window(bool sack) {
    open_active();
    if (sack) tcb.flags |= tcbf::kSackOk;
    tcb.snd_mss = 10;
    tcb.cwnd = 1000;
    app_send(std::string(100, 'x'));
    ASSERT_EQ(sent.size(), 10u);
    sent.clear();
  }
  // A duplicate ACK carrying the blocks given (the newest first, as RFC 2018 §4 has them).
  In dup() const { return In(kAck, kPeerIss + 1, base); }
  In ack(uint32_t off) const { return In(kAck, kPeerIss + 1, base + off); }
  // The segment at base + off sent again (its payload offset counts from what is unacknowledged).
  Out resent(uint32_t off) const {
    return Out(kAck, base + off, kPeerIss + 1).data(off - (tcb.snd_una.v - base), 10);
  }

  // What arrives after the losses: segments 10, 20, 40, 50, 70, 80, 90, each answered with a
  // duplicate ACK and its blocks.
  void peer_reports_the_holes() {
    inject(dup().sack(base + 10, base + 20));
    inject(dup().sack(base + 10, base + 30));
    inject(dup().sack(base + 40, base + 50).sack(base + 10, base + 30));
    expect(resent(0));  // the third: fast retransmit
    EXPECT_TRUE(tcb.has(tcbf::kRecovery));
    inject(dup().sack(base + 40, base + 60).sack(base + 10, base + 30));
  }
};

}  // namespace ts::tcp::testing
