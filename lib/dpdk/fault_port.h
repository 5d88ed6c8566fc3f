// A faulty wire as a Port decorator: wraps any Port (the ethdev one in turnstile-server, a
// MemPort in stack-to-stack tests) and, frame by frame, drops, duplicates, corrupts a byte,
// delays or holds back for reordering, with rates and a seed from a spec string:
//
//   drop=0.1,dup=0.02,reorder=0.05,delay_ms=5,corrupt=0.01,seed=42
//
// What each fault does, per frame and direction, in this order:
//   drop     the frame is freed.
//   dup      a copy follows it (the copy then meets corrupt and reorder on its own).
//   corrupt  one byte of the IPv4 packet (header or payload) is XORed with a non-zero value.
//            Only IPv4 frames: Ethernet's FCS catches a damaged L2 header or ARP packet, and
//            what slips past the FCS is what the IP and TCP checksums are for. Received frames
//            lose the NIC's "checksum good" flags; with corrupt > 0 caps() hides TX checksum
//            offload, so that the damage lands after the checksum, as on a real wire.
//   reorder  the frame waits reorder_ms (default 3) more than the others: later frames pass it.
//   delay_ms every frame waits this long (a fixed latency; order kept).
// dir=tx|rx|both (default both) picks the directions; seed makes a run repeatable (same frames in
// the same order meet the same faults). Held frames leave on a later rx_burst or tx_burst of
// their queue once due; at most kHoldMax wait per queue and direction, more are dropped (counted).
//
// Thread safety: as Port, with one more rule: rx_burst(q) also transmits queue q's delayed
// frames, so RX queue q and TX queue q must be polled by the same thread (Turnstile's lcores do).
// counters() may be read from any thread (relaxed, per counter). Frames that the inner port
// refuses are freed and counted (tx_burst always takes everything).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dpdk/port.h"
#include "dpdk/profile.h"
#include "tcp/time.h"

namespace ts::dpdk {

struct FaultSpec {
  double drop = 0, dup = 0, reorder = 0, corrupt = 0;  // probabilities per frame
  tcp::Time delay = 0;                                 // delay_ms
  tcp::Time reorder_hold = 3 * tcp::kMsec;             // reorder_ms
  uint64_t seed = 1;
  bool rx = true, tx = true;                           // dir

  bool any() const { return drop > 0 || dup > 0 || reorder > 0 || corrupt > 0 || delay > 0; }
};

// Parses "key=value,key=value". False with a one-line reason in *err naming the bad part.
bool parse_fault_spec(std::string_view text, FaultSpec* out, std::string* err);
// The spec in the same syntax, every key given (for logs and --json).
std::string to_string(const FaultSpec& s);

struct FaultCounters {
  uint64_t frames = 0;      // frames that met the faults (copies not included)
  uint64_t dropped = 0;
  uint64_t duplicated = 0;  // copies made
  uint64_t corrupted = 0;   // frames (originals or copies) handed on with a damaged byte
  uint64_t reordered = 0;   // frames held back to be overtaken
  uint64_t delayed = 0;     // frames that waited delay_ms
  uint64_t overflow = 0;    // frames dropped because too many were held
  uint64_t refused = 0;     // frames the inner port did not take (freed)
  uint64_t no_mbuf = 0;     // copies not made: mempool empty

  FaultCounters& operator+=(const FaultCounters& o);
};

class FaultPort final : public Port {
 public:
  static constexpr uint32_t kHoldMax = 8192;
  enum Dir : uint8_t { kRx = 0, kTx = 1 };
  using Clock = std::function<tcp::Time()>;

  // Wraps `inner`. `now` tells the time for delay and reorder; empty: the TSC (EAL must run).
  static std::unique_ptr<FaultPort> wrap(std::unique_ptr<Port> inner, const FaultSpec& spec, Clock now = {});
  ~FaultPort() override;  // frees the frames it still holds, then the inner port

  const char* name() const override { return inner_->name(); }
  uint16_t queues() const override { return inner_->queues(); }
  wire::Mac mac() const override { return inner_->mac(); }
  const PortCaps& caps() const override { return caps_; }
  uint16_t mtu() const override { return inner_->mtu(); }
  const uint16_t* reta() const override { return inner_->reta(); }
  uint32_t reta_size() const override { return inner_->reta_size(); }

  uint16_t rx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;
  uint16_t tx_burst(uint16_t q, rte_mbuf** pkts, uint16_t n) override;
  void reclaim_tx() override { inner_->reclaim_tx(); }

  const FaultSpec& spec() const { return spec_; }
  Port& inner() { return *inner_; }
  FaultCounters counters() const;  // both directions, every queue
  FaultCounters counters(Dir d) const;
  // Frames waiting now (delayed or held back), every queue and direction.
  uint32_t held() const;

 private:
  struct Held {
    rte_mbuf* m;
    tcp::Time due;
  };
  // A FIFO of held frames; due times only grow along it (one fixed wait per FIFO).
  struct Fifo {
    std::vector<Held> slot;
    uint32_t head = 0, count = 0;
    bool push(rte_mbuf* m, tcp::Time due);
    rte_mbuf* pop_due(tcp::Time now);
  };
  struct alignas(64) Lane {  // one queue, one direction
    uint64_t rng = 0;
    Fifo delayed, reordered;
    FaultCounters cnt;
    uint32_t held = 0;
  };
  struct Thresholds {  // probabilities scaled to 2^64 - 1, for one compare per decision
    uint64_t drop, dup, reorder, corrupt;
  };

  FaultPort(std::unique_ptr<Port> inner, const FaultSpec& spec, Clock now);
  Lane& lane(uint16_t q, Dir d) { return lanes_[size_t(q) * 2 + d]; }
  bool roll(Lane& l, uint64_t threshold);
  // Runs one frame through the faults; what goes on now lands in out[*n], the rest is held.
  void apply(Lane& l, rte_mbuf* m, tcp::Time now, rte_mbuf** out, uint16_t* n);
  void pass(Lane& l, rte_mbuf* m, tcp::Time now, rte_mbuf** out, uint16_t* n);
  void corrupt(Lane& l, rte_mbuf* m);
  // Held frames of a lane that are due, at most `room` of them.
  uint16_t release(Lane& l, tcp::Time now, rte_mbuf** out, uint16_t room);
  uint16_t send(uint16_t q, Lane& l, rte_mbuf** pkts, uint16_t n);
  uint16_t flush_tx(uint16_t q, tcp::Time now);
  static void add(uint64_t& c, uint64_t n = 1) {
    __atomic_store_n(&c, __atomic_load_n(&c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  }

  std::unique_ptr<Port> inner_;
  FaultSpec spec_;
  Thresholds th_{};
  Clock now_;
  PortCaps caps_;
  std::vector<Lane> lanes_;
};

// A DatapathConfig::make_port that opens the profile's ethdev port and wraps it in a FaultPort:
// how turnstile-server and turnstile-cps apply --fault SPEC.
std::function<std::unique_ptr<Port>(rte_mempool*, uint16_t, std::string*)> faulty_ethdev(
    const PortProfile& profile, const FaultSpec& spec);

}  // namespace ts::dpdk
