// One lcore's share of the stack (l3fwd's lcore_conf, grown up): it polls one RX/TX queue pair,
// owns shard `queue` of the connection table with every connection in it, its timer wheel, its
// counters, and runs every packet to completion:
//
//   rx_burst -> parse (lib/wire) -> software RSS: another lcore's? hand it over
//     ARP (queue 0 owns the neighbour cache) | ICMP echo | TCP:
//     table.find(tuple, rss hash) -> on_segment / TIME-WAIT / listener / RST
//     -> Actions: free acked bytes, build segments, arm the timer, tell the application
//   then: hand-off ring, timer wheel (TSC time), application commands, tx_burst.
//
// Thread safety: everything here runs on the lcore that owns it, except what says otherwise.
// The app_* functions are for the AppSink, i.e. on this lcore (inline handlers, or lib/api
// draining a worker's command ring); they take effect when the current packet is done.
#pragma once
#include <array>
#include <atomic>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dpdk/app_sink.h"
#include "dpdk/arp_cache.h"
#include "dpdk/clock.h"
#include "dpdk/netif.h"
#include "dpdk/port.h"
#include "dpdk/send_queue.h"
#include "rss/port_select.h"
#include "rss/reta.h"
#include "rss/toeplitz.h"
#include "stats/counters.h"
#include "table/shard.h"
#include "tcp/context.h"
#include "tcp/isn.h"
#include "tcp/listener.h"
#include "tcp/tcb.h"
#include "tcp/time_wait.h"
#include "tcp/timer_wheel.h"
#include "wire/frame.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;

namespace ts::dpdk {

class Lcore;

// What every lcore of one stack shares, read-only once the lcores run (the ArpCache excepted:
// queue 0's lcore writes it, see arp_cache.h).
struct Shared {
  Netif netif;
  Port* port = nullptr;
  rte_mempool* pool = nullptr;
  ArpCache* arp = nullptr;
  AppSink* sink = nullptr;
  TscClock clock;                     // one time origin for every lcore (the ARP cache is shared)
  rss::Toeplitz toeplitz{rss::kSymmetricKey};
  std::optional<rss::Reta> reta;      // the port's, mirrored for software RSS
  tcp::Config tcp;
  tcp::IsnKey isn_key;                // the host's (boot_secret.h): ISNs continue across processes
  tcp::IsnKey ts_key;                 // the same, for our timestamp offsets
  rss::PortRange ports;               // the local ports of active opens
  uint64_t table_seed = 0;
  uint32_t conns_per_queue = 65536;   // connection blocks per lcore
  uint32_t time_wait_per_queue = 65536;
  uint32_t handoff_ring_size = 4096;
  uint32_t out_of_order_mbufs = 1024;  // per lcore: segments kept past a hole
  uint32_t send_buffer = 4u << 20;    // per connection: bytes queued and unacknowledged at most
  uint16_t burst = 32;
  bool rx_checksum_trusted = false;   // [port] rx_checksum = trust: received checksums not verified
  // One queue: every flow is lcore 0's, so no Toeplitz hash is computed; 0 keys every flow in
  // the table, whose digest mixes the whole tuple anyway (table/hash.h).
  bool one_queue = false;
  tcp::Time time_wait_reuse = tcp::kNever;  // see DatapathConfig
  tcp::Time probe_until = 0;          // RFC 5227 address probing before announcing (0: none)
  std::vector<Lcore*> lcores;         // by queue: where software RSS hands frames
};

class Lcore final : tcp::IsnSource, tcp::ListenerLookup, tcp::CookieKeySource {
 public:
  // nullptr and *err on failure (memory, ring).
  static std::unique_ptr<Lcore> create(Shared& sh, uint16_t queue, stats::LcoreCounters& cnt,
                                       tcp::Time now, std::string* err);
  ~Lcore();
  Lcore(const Lcore&) = delete;
  Lcore& operator=(const Lcore&) = delete;

  // Before the lcores start: accept connections on `port`, `backlog` of them queued at most on
  // this lcore (each lcore has its own accept queue, as SO_REUSEPORT sockets do). False if this
  // lcore already listens on `port` (nothing changes).
  bool listen(uint16_t port, uint32_t backlog);

  // One iteration of the poll loop. Returns the frames it received (0: idle).
  unsigned poll(tcp::Time now);
  // Polls until `stop` becomes true, reading the TSC for the time. Each iteration's cycles count
  // as busy when it received or sent a frame, as idle otherwise (poll_busy_ns, poll_idle_ns):
  // a poll-mode lcore burns its core either way, and only the busy share says how loaded it is.
  void run(const std::atomic<bool>& stop);
  // After the loop, on the thread that ran it (or the main thread once it stopped): flush, then
  // end every connection still open, with a RST to its peer: each the AppSink knows of gets
  // closed(CloseReason::kShutdown) before its slot is freed, each counts conn_shutdown (and
  // closes[kShutdown] in tcp_counters()); then publish the counters and free the frames still
  // parked. TIME-WAIT entries just go with the lcore. Idempotent; the destructor calls it.
  void shutdown();

  // --- for the AppSink, on this lcore ---
  // Queue len bytes (copied) / a chain of data mbufs (see send_queue.h) for sending.
  bool app_send(ConnRef c, const uint8_t* data, uint32_t len);
  bool app_send_chain(ConnRef c, rte_mbuf* chain);
  // FIN after the queued data (the connection stays until the close completes).
  bool app_close(ConnRef c);
  // RST now.
  bool app_abort(ConnRef c);
  // Keepalive on or off for this connection (the profile's times; RFC 1122 §4.2.3.6).
  bool app_keepalive(ConnRef c, bool on);
  // AppSink::reads_later: the application is done with `bytes` more of the data it was handed;
  // they go back to the receive window (tcp::consumed).
  bool app_consumed(ConnRef c, uint32_t bytes);
  // Bytes of c queued or unacknowledged (what app_send counts against send_buffer); 0 for a
  // stale handle.
  uint32_t app_unacked(ConnRef c) const;
  // The application took an accepted connection: it leaves its listener's accept queue.
  bool app_accepted(ConnRef c);
  // Active open from this lcore: a local port whose replies hash to this queue, an RFC 6528 ISN.
  std::optional<ConnRef> app_connect(uint32_t raddr, uint16_t rport);
  // The tuple the active open `ahead` opens from now (1: the next, up to 3) to that peer will
  // try first; nullopt past 3 or when no port hashes to this lcore.
  std::optional<tcp::FourTuple> upcoming_tuple(uint32_t raddr, uint16_t rport, int ahead) const;
  // The connection's tuple and state; nullopt for a stale handle. Per-connection user pointer.
  std::optional<tcp::FourTuple> app_tuple(ConnRef c) const;
  tcp::State app_state(ConnRef c) const;
  void* app_user(ConnRef c) const;
  void app_set_user(ConnRef c, void* p);
  // The same pointer, unchecked, for an AppSink inside one of its calls about c (or with the
  // ref app_connect just returned): such a ref names a live connection of this lcore, and the
  // checks (queue, slot, generation) were most of what the sink's lookups cost.
  void* sink_user(ConnRef c) const;
  void set_sink_user(ConnRef c, void* p);

  // --- any thread ---
  uint16_t queue() const { return queue_; }
  // Frames handed to this lcore by another's software RSS (multi-producer ring).
  bool hand_over(rte_mbuf* m);
  const table::Shard& table() const { return *table_; }
  tcp::Time now() const { return now_; }
  rte_mempool* pool() const { return sh_.pool; }
  const Shared& shared() const { return sh_; }
  // This lcore's counter block: for the AppSink to count on, on this lcore only.
  stats::LcoreCounters& counters() { return cnt_; }

  // For tests and the final summary (read on this lcore or after it stopped).
  const tcp::Counters& tcp_counters() const { return ctx_.cnt; }
  uint32_t live_connections() const { return conns_live_; }
  // The most connection blocks in use at once since the start.
  uint32_t live_connections_peak() const { return conns_peak_; }
  uint32_t time_wait_entries() const { return tw_live_; }

 private:
  struct Conn;
  struct RxInfo;
  struct Pending;
  struct DeferredAck;
  struct Held;

  Lcore(Shared& sh, uint16_t queue, stats::LcoreCounters& cnt);

  // IsnSource, ListenerLookup, CookieKeySource.
  uint32_t isn(const tcp::FourTuple& t, tcp::Time now) override;
  uint32_t ts_offset(const tcp::FourTuple& t) override;
  tcp::Listener* find(const tcp::FourTuple& t) override;
  tcp::SipKey fresh_key() override;

  // Receive path (lcore.cc, lcore_l3.cc, lcore_tcp.cc).
  // A TCP frame's flow: its RSS hash and its tuple's place in the table, each worked out once
  // (by prefetch_flow(), or in input() for a frame it did not read), for the lookup, the insert
  // of a passive open and the block's later erase.
  struct Flow {
    uint32_t hash;
    table::Shard::Place place;
  };
  [[gnu::noinline, gnu::cold]] uint16_t untag_burst(uint16_t n);
  static constexpr uint64_t kNoHash = ~uint64_t{0};
  uint64_t prefetch_flow(const rte_mbuf* m, table::Shard::Place& place) const;
  // The hash that keys a received frame's flow (source = the peer): its symmetric Toeplitz hash,
  // or 0 with one queue (Shared::one_queue). Active opens key theirs the same way.
  uint32_t flow_hash(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) const {
    return sh_.one_queue ? 0 : sh_.toeplitz.hash_v4(src, dst, sport, dport);
  }
  void input(rte_mbuf* m, bool from_wire, uint64_t pre_hash = kNoHash,
             table::Shard::Place pre_place = {});
  void count_parse_error(wire::WireError e);
  void arp_input(rte_mbuf* m, const wire::Frame& f);
  void icmp_input(rte_mbuf* m, const wire::Frame& f);
  rte_mbuf* writable(rte_mbuf* m);
  void tcp_input(rte_mbuf* m, const wire::Frame& f, const Flow& flow);
  void time_wait_input(rte_mbuf* m, const wire::Frame& f, uint64_t tw, const tcp::Segment& seg,
                       const Flow& flow);
  void listen_input(rte_mbuf* m, const wire::Frame& f, const tcp::Segment& seg, const Flow& flow,
                    const tcp::Seq* reopen_isn);
  std::optional<uint32_t> new_conn(const tcp::FourTuple& t, const Flow& flow, const wire::Frame& f);
  void send_rst_for(const wire::Frame& f, const tcp::Segment& seg);

  // Connections.
  Conn* conn_of(ConnRef c);
  const Conn* conn_of(ConnRef c) const;
  ConnRef ref_of(uint32_t slot) const;
  std::optional<uint32_t> alloc_conn(const tcp::FourTuple& t);
  void free_conn(uint32_t slot);
  void finish(uint32_t slot, tcp::State before, const tcp::Actions& first, const RxInfo* rx);
  bool apply(uint32_t slot, tcp::State before, const tcp::Actions& a, const RxInfo* rx);
  void close_all();  // shutdown(): every connection, the application told
  void enter_time_wait(uint32_t slot);
  bool reuse_time_wait(uint64_t v, tcp::Seq* isn);  // lcore_connect.cc
  void prefetch_next_connect(uint32_t raddr, uint16_t rport) const;
  uint32_t return_addr_part(uint32_t a, uint32_t raddr) const;
  struct Candidate;
  // Three calls an open (its own, and two for the prefetch after it), the first two answered
  // from ahead_: those inline, the search out of line.
  const Candidate* candidate(uint32_t i, uint32_t raddr, uint16_t rport) const {
    if (i < ahead_n_ && ahead_raddr_ == raddr && ahead_rport_ == rport) return &ahead_[i];
    return search_candidate(i, raddr, rport);
  }
  const Candidate* search_candidate(uint32_t i, uint32_t raddr, uint16_t rport) const;
  uint16_t next_local_port(uint16_t p) const {
    return p < sh_.ports.hi ? static_cast<uint16_t>(p + 1) : sh_.ports.lo;
  }
  // Called on every apply() (ten times a connection), half of them with no change: the test
  // inline, the counting out of line.
  void note_state(tcp::State from, tcp::State to) {
    if (from != to) note_state_change(from, to);
  }
  void note_state_change(tcp::State from, tcp::State to);
  void init_state_gauges();  // Lcore(): fills state_gauge_
  void mark_dirty(uint32_t slot);
  void flush_app();
  void flush_deferred_acks();
  bool room_for_data(const Conn& c, uint32_t slot);
  // The out-of-order queue (lcore_ooo.cc).
  void keep_ahead(Conn& c, const RxInfo& rx);
  void take_held(uint32_t slot);
  void retake_held();
  void drop_held(Conn& c);
  void keep_last_deferred_ack(uint32_t slot, uint32_t gen);
  void add_sack_blocks(const Conn& c, wire::TcpOptions& o);

  // Timers.
  void run_timers();
  void timer_fired(uint32_t id);

  // Transmit path.
  bool emit(Conn& c, const tcp::OutSegment& s);
  bool emit_reply(const wire::Frame& in, const tcp::OutSegment& s);
  rte_mbuf* build_segment(const wire::TcpFrameSpec& spec, const Conn* c, const tcp::OutSegment& s);
  // An mbuf for a segment we send, from the stash (drop_no_mbuf counted when the pool is dry).
  rte_mbuf* alloc_segment() {
    if (stash_n_) [[likely]] return stash_[--stash_n_];
    return refill_stash();
  }
  [[gnu::noinline]] rte_mbuf* refill_stash();
  void drain_stash();
  // Inline: called once a segment sent, its call and return were a third of what it cost.
  [[gnu::always_inline]] inline void count_segment_out(uint8_t flags);
  bool plain_segment(const tcp::OutSegment& s) const;
  rte_mbuf* build_plain(Conn& c, const tcp::OutSegment& s);
  void send_frame(rte_mbuf* m, uint32_t next_hop_ip, const wire::Mac* fallback);
  [[gnu::noinline]] void send_frame_resolving(rte_mbuf* m, uint32_t next_hop_ip, const wire::Mac* fallback);
  ArpCache::Result resolve(uint32_t next_hop, wire::Mac* mac);
  // resolve()'s last answer for next_hop's slot is still good for it (0, no next hop, never is).
  bool memo_holds(uint32_t next_hop) const {
    const ArpMemo& e = memo_slot(next_hop);
    return next_hop == e.ip && next_hop != 0 && now_ < e.until && sh_.arp->version() == e.version;
  }
  void tx(rte_mbuf* m);
  [[gnu::noinline, gnu::cold]] void tag_burst();
  void flush_tx();
  void retire(rte_mbuf* m);
  void free_retired();
  enum class ArpKind : uint8_t { kRequest, kGratuitous, kProbe };
  void arp_request(uint32_t ip, ArpKind kind = ArpKind::kRequest);
  void retry_pending();
  void announce();
  void publish_tcp_counters();
  void publish_poll_time();

  Shared& sh_;
  const uint16_t queue_;
  const uint16_t vlan_;  // Netif::vlan: 0, or the 802.1Q id of every frame in and out (vlan.h)
  // The port's, copied by create(): set before the lcores start (port.h), and read for every
  // frame in and out, where a virtual call each time was a dozen instructions a segment.
  PortCaps caps_{};
  uint32_t rx_flags_ = 0;  // wire::kRx* bits every received frame starts with (rx_checksum = trust)
  stats::LcoreCounters& cnt_;
  // Per state, the gauge note_state_change() moves: one of cnt_'s, or no_gauge_ for the states
  // that have none (CLOSED, LISTEN), so that a change adds to two gauges without a test.
  std::array<int64_t*, tcp::kStateCount> state_gauge_{};
  int64_t no_gauge_ = 0;
  tcp::Time now_ = 0;
  tcp::Context ctx_;

  std::unique_ptr<table::Shard> table_;
  std::unique_ptr<tcp::TimerWheel> wheel_;
  std::vector<Conn> conns_;
  // conns_.size(), which conn_of() checks every handle against (about ten times a connection):
  // the vector's own works it out by a division by sizeof(Conn), 192.
  uint32_t conns_n_ = 0;
  std::vector<Held> held_;  // out-of-order segments kept; the free ones chained from held_free_
  uint32_t held_free_;
  uint32_t held_cap_;  // of them, one connection's at most
  uint16_t echo_ip_id_ = 0;  // IPv4 id of our echo replies, the only datagrams we send without DF
  tcp::Time next_conflict_log_ = 0;  // address conflicts: one warning a second at most
  struct Starved {
    uint32_t slot, gen;
    auto operator<=>(const Starved&) const = default;
  };
  std::vector<Starved> starved_;  // connections whose kept segments wait for a worker's room
  // A copy of a kept segment, named by the next ACK of `dsack_conn_` in a D-SACK block (RFC 2883
  // §4); set by keep_ahead, for the length of one tcp_input.
  const Conn* dsack_conn_ = nullptr;
  wire::SackBlock dsack_{};
  std::vector<uint32_t> free_conns_;
  std::vector<tcp::TimeWait> tws_;
  std::vector<uint32_t> tw_hash_;
  std::vector<uint32_t> free_tws_;
  uint32_t conns_live_ = 0;
  uint32_t conns_peak_ = 0;
  uint32_t tw_live_ = 0;
  std::vector<uint32_t> dirty_;  // connections with application requests to apply

  struct ListenerSlot {
    uint16_t port;
    tcp::Listener l;
  };
  std::vector<ListenerSlot> listeners_;

  rte_ring* handoff_ = nullptr;
  std::vector<rte_mbuf*> rx_;
  std::vector<uint64_t> rx_hash_;  // prefetch_flow()'s hash for rx_[i]
  std::vector<table::Shard::Place> rx_place_;  // and its place, when the hash is not kNoHash
  // What input() parses each frame into: a member, not a local, so that no frame pays for zeroing
  // its 150 bytes first (a local Frame is value-initialised). parse_frame writes every field that
  // the frame's kind names, all that input() and its callees read; input() is never re-entered.
  wire::Frame rx_frame_;
  std::vector<rte_mbuf*> retired_;  // received segments done with (retire())
  uint32_t retired_n_ = 0;
  std::vector<rte_mbuf*> txq_;
  uint16_t tx_n_ = 0;
  // The mbufs of segments to send (alloc_segment), taken from the pool kStash at a time: a
  // connection sends four to six segments, and one bulk get for 32 costs half of what 32
  // rte_pktmbuf_alloc did. Back to the pool when the lcore stops, and on a tick that received
  // nothing, so that a quiet stack holds none (the tests count the mbufs in use).
  static constexpr uint32_t kStash = 32;
  std::array<rte_mbuf*, kStash> stash_{};
  uint32_t stash_n_ = 0;

  std::vector<DeferredAck> deferred_;         // pure ACKs that may ride on an answer
  std::vector<Pending> pending_;              // frames waiting for ARP
  std::array<std::pair<uint32_t, tcp::Time>, 64> arp_asked_{};  // rate limit of our requests
  tcp::Time next_tick_ = 0;                   // counters, pending ARP, announcements
  tcp::Time announce_at_ = 0;
  uint8_t announcements_left_ = 0;
  std::vector<uint16_t> next_port_;           // per local address: where the port search starts
  uint32_t next_addr_ = 0;                    // local address of the next active open
  struct AddrPart {
    uint32_t raddr = 0;
    uint32_t part = 0;
    uint32_t ts_off = 0;  // ts_offset() of the pair
    bool known = false;
  };
  mutable std::vector<AddrPart> addr_parts_;  // per local address: return_addr_part()'s memo
  struct Candidate {  // a tuple an active open will try: local address index, port, reply hash
    uint32_t a = 0;
    uint16_t lport = 0;
    uint32_t hash = 0;
    // The tuple's place in the table, worked out once for the two prefetches, the lookup and
    // the insert that each open makes of it.
    table::Shard::Place place{};
  };
  // The next active opens' candidates to (ahead_raddr_, ahead_rport_), in order: each port
  // searched for once, not once for its open and again for each prefetch ahead of it.
  mutable std::array<Candidate, 3> ahead_{};
  mutable uint8_t ahead_n_ = 0;
  mutable uint32_t ahead_raddr_ = 0;
  mutable uint16_t ahead_rport_ = 0;
  tcp::Counters published_{};
  std::vector<uint32_t> expired_;
  struct ArpMemo {
    uint32_t ip = 0;  // 0: none
    uint32_t version = 0;
    wire::Mac mac{};
    tcp::Time until = 0;
  };
  // resolve()'s last answers, by the next hop's low bits: behind a router every frame goes to
  // one next hop, but peers on the link (a generator's --ip-range, clients of a LAN) are many,
  // and a single memo missed on nearly every frame there (the seqlock read of the shared cache
  // then cost the server about 45 ns a connection with 8 peer addresses; perf on 16 vCPUs).
  static constexpr uint32_t kArpMemos = 8;
  std::array<ArpMemo, kArpMemos> arp_memo_{};
  const ArpMemo& memo_slot(uint32_t ip) const { return arp_memo_[ip & (kArpMemos - 1)]; }
  ArpMemo& memo_slot(uint32_t ip) { return arp_memo_[ip & (kArpMemos - 1)]; }
  struct PollTime {
    uint64_t cycles[2] = {};     // [0] idle, [1] busy: run()'s iterations
    uint64_t published[2] = {};  // nanoseconds already in the counters
  } poll_time_;
};

}  // namespace ts::dpdk
