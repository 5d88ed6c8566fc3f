// Lcore's private types, shared by lcore*.cc only.
#pragma once
#include "dpdk/lcore.h"

namespace ts::dpdk {

inline constexpr uint32_t kNoHeld = UINT32_MAX;  // end of a chain of Lcore::Held

// A connection block plus what the datapath keeps beside it: three cache lines.
struct Lcore::Conn {
  tcp::Tcb tcb;
  SendQueue sq;
  void* user = nullptr;       // the application's pointer (inline handlers)
  uint32_t gen = 0;           // bumped when the slot is freed: stale ConnRefs miss
  uint32_t hash = 0;          // the RSS hash the table knows the tuple by
  uint32_t app_bytes = 0;     // queued by the application, not yet told to the state machine
  uint32_t app_read = 0;      // read by the application (reads_later), not yet told either
  tcp::Seq last_ack;          // ack field of the last segment sent (see defer_ack)
  wire::Mac peer_mac;         // from the SYN: used while ARP has no entry for the peer
  uint8_t flags = 0;          // cf:: below
  uint8_t acks_sent = 0;      // segments with ACK sent, modulo 256 (see defer_ack)
  uint32_t held = kNoHeld;    // its out-of-order queue: first of a chain in Lcore::held_
  uint32_t sack_recent = 0;   // sequence number of the segment kept last (its SACK block first)
  uint16_t held_count = 0;    // segments in `held`: at most Lcore::held_cap_
  uint16_t addr_sum = 0;      // wire::ipv4_addr_sum of the tuple: each segment's headers add it
};

// A segment kept past a hole (tcp::ev::kAhead), its mbuf referenced until it is taken.
struct Lcore::Held {
  rte_mbuf* m = nullptr;
  const uint8_t* payload = nullptr;
  uint32_t seq = 0;
  uint32_t len = 0;
  uint32_t next = kNoHeld;    // in sequence order; or the next free one
  bool fin = false;
};

namespace cf {
inline constexpr uint8_t kLive = 1;      // slot in use
inline constexpr uint8_t kDirty = 2;     // in dirty_
inline constexpr uint8_t kClose = 4;     // application asked for close()
inline constexpr uint8_t kAbort = 8;     // application asked for abort()
inline constexpr uint8_t kQueued = 16;   // counted in its listener's accept queue
inline constexpr uint8_t kKnown = 32;    // the application has been told about it
inline constexpr uint8_t kRead = 64;     // app_read holds bytes for tcp::consumed
inline constexpr uint8_t kKeepFlip = 128; // application wants keepalive the other way from the block's
}  // namespace cf

// What the segment being processed came with, for events that hand out its payload.
struct Lcore::RxInfo {
  rte_mbuf* m;
  const wire::Frame* f;
};

// A pure ACK held until the end of the poll iteration: if the application answers meanwhile,
// the answer carries the acknowledgment and the ACK is never sent.
// Only the fields a pure ACK of the state machine's sets are kept, not the whole OutSegment (76
// bytes, four SACK blocks): most are dropped unsent, and the copy was half of what one cost.
struct Lcore::DeferredAck {
  uint32_t slot;
  uint32_t gen;
  uint8_t acks_sent;  // the connection's count when the ACK was held back
  bool has_timestamps;
  uint8_t sack_count;  // 0, or 1: the D-SACK block of an old segment's ACK
  uint16_t window;
  tcp::Seq seq;
  tcp::Seq ack;
  uint32_t ts_val;
  uint32_t ts_ecr;
  wire::SackBlock sack;

  // A pure ACK the record holds whole: no SYN options, at most one SACK block.
  static bool fits(const tcp::OutSegment& s) {
    const wire::TcpOptions& o = s.opts;
    return s.flags == tcp::kAck && s.len == 0 && s.payload_off == 0 && !o.has_mss &&
           !o.has_wscale && !o.sack_permitted && o.sack_count <= 1;
  }
  static DeferredAck of(uint32_t slot, uint32_t gen, uint8_t acks_sent, const tcp::OutSegment& s) {
    const wire::TcpOptions& o = s.opts;
    return {slot, gen, acks_sent, o.has_timestamps, o.sack_count, s.window,
            s.seq, s.ack, o.ts_val, o.ts_ecr, o.sack[0]};
  }
  tcp::OutSegment segment() const {
    tcp::OutSegment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = tcp::kAck;
    s.window = window;
    s.opts.has_timestamps = has_timestamps;
    s.opts.ts_val = ts_val;
    s.opts.ts_ecr = ts_ecr;
    s.opts.sack_count = sack_count;
    s.opts.sack[0] = sack;
    return s;
  }
};

// A frame waiting for ARP to resolve its next hop.
struct Lcore::Pending {
  rte_mbuf* m;
  uint32_t next_hop;
  tcp::Time give_up;
};

inline constexpr tcp::Time kTick = tcp::kMsec;            // housekeeping period
inline constexpr tcp::Time kArpRetry = 1 * tcp::kSec;     // between our requests for one address
inline constexpr tcp::Time kArpGiveUp = 3 * tcp::kSec;    // a parked frame is dropped after this
inline constexpr size_t kMaxPending = 256;
inline constexpr tcp::Time kAnnounceInterval = 2 * tcp::kSec;  // RFC 5227 ANNOUNCE_INTERVAL
inline constexpr uint8_t kAnnounceNum = 2;                     // RFC 5227 ANNOUNCE_NUM
inline constexpr tcp::Time kProbeInterval = 250 * tcp::kMsec;  // between our address probes
inline constexpr uint32_t kTimersPerAdvance = 256;

}  // namespace ts::dpdk
