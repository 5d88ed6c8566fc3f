// Per-lcore counters: one block per writer, written without atomics on the hot path,
// summed on demand by whoever wants a snapshot (stats thread, telemetry thread, JSON at exit).
//
// Thread safety: each LcoreCounters block has exactly one writer (its lcore). Writers use
// relaxed load + relaxed store (a plain `add` on x86, no lock prefix); readers on other threads
// use relaxed loads, so a snapshot is a consistent-per-counter, not a consistent-per-instant, view.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace ts::stats {

// X(name, help). Names are the keys of the JSON, telemetry and Prometheus output: never rename.
#define TS_COUNTERS(X)                                                                       \
  X(rx_packets, "frames received from the port")                                             \
  X(rx_bytes, "bytes received from the port")                                                \
  X(tx_packets, "frames handed to the port")                                                 \
  X(tx_bytes, "bytes handed to the port")                                                    \
  X(tx_full_drops, "frames the PMD did not take (TX queue full, or link down)")                   \
  X(handoff_out, "frames passed to another lcore by software RSS")                           \
  X(handoff_in, "frames received from another lcore by software RSS")                        \
  X(arp_requests_in, "ARP requests received")                                                \
  X(arp_replies_in, "ARP replies received")                                                  \
  X(arp_requests_out, "ARP requests sent (including gratuitous)")                            \
  X(arp_replies_out, "ARP replies sent")                                                     \
  X(arp_conflicts, "ARP packets from another host claiming our address")                     \
  X(icmp_echo_in, "ICMP echo requests received")                                             \
  X(icmp_echo_out, "ICMP echo replies sent")                                                 \
  X(drop_eth_malformed, "dropped: Ethernet frame too short")                                 \
  X(drop_eth_not_ours, "dropped: destination MAC not ours (broadcast: ARP only)")            \
  X(drop_ethertype, "dropped: EtherType not IPv4 or ARP")                                    \
  X(drop_eth_vlan, "dropped: not our VLAN: another id, or untagged with [port] vlan set")    \
  X(drop_arp_malformed, "dropped: ARP not Ethernet/IPv4 or truncated")                       \
  X(drop_arp_not_ours, "dropped: ARP for another address")                                   \
  X(drop_ip_version, "dropped: IP version not 4")                                            \
  X(drop_ip_header_length, "dropped: IPv4 header length below 20 or beyond the frame")       \
  X(drop_ip_total_length, "dropped: IPv4 total length inconsistent with the frame")          \
  X(drop_ip_checksum, "dropped: IPv4 header checksum wrong")                                 \
  X(drop_ip_fragment, "dropped: IPv4 fragment (reassembly not supported)")                   \
  X(drop_ip_not_ours, "dropped: IPv4 destination not our address")                           \
  X(drop_ip_source, "dropped: IPv4 source martian, ours, or our subnet's broadcast")         \
  X(drop_ip_protocol, "dropped: IPv4 protocol neither TCP nor ICMP")                         \
  X(drop_icmp_malformed, "dropped: ICMP truncated or bad checksum")                          \
  X(drop_icmp_other, "dropped: ICMP type other than echo request")                           \
  X(drop_tcp_malformed, "dropped: TCP header truncated or bad data offset")                  \
  X(drop_tcp_checksum, "dropped: TCP checksum wrong")                                        \
  X(drop_no_mbuf, "dropped: mempool empty when building a frame")                            \
  X(drop_no_route, "dropped: no ARP entry for the next hop in time")                         \
  X(drop_handoff_full, "dropped: software-RSS ring to another lcore full")                   \
  X(drop_tcp_syn_fin, "dropped: SYN with FIN to a listener (a scanner's probe, as Linux)")   \
  X(tcp_segs_in, "TCP segments received")                                                    \
  X(tcp_segs_out, "TCP segments sent")                                                       \
  X(tcp_syn_in, "SYNs received")                                                             \
  X(tcp_synack_out, "SYN-ACKs sent")                                                         \
  X(tcp_rst_in, "RSTs received")                                                             \
  X(tcp_rst_out, "RSTs sent")                                                                \
  X(tcp_retransmits, "segments retransmitted")                                               \
  X(tcp_fast_retransmits, "fast retransmits: recoveries begun (3 duplicate ACKs or 3 segments SACKed past a hole)") \
  X(tcp_sack_retransmits, "retransmissions of holes the peer's SACK blocks showed (RFC 6675)") \
  X(tcp_dsack_out, "ACKs telling a peer in a D-SACK block that it resent what we had (RFC 2883)") \
  X(tcp_dsack_undos, "fast recoveries undone: the peer's D-SACKs returned every copy (RFC 3708)") \
  X(tcp_keepalive_probes, "keepalive probes sent (RFC 1122 s4.2.3.6)")                       \
  X(tcp_keepalive_timeouts, "connections ended by unanswered keepalive probes")              \
  X(tcp_timeouts, "retransmission timer expirations (SYN, SYN-ACK, data or FIN; RFC 6298)")   \
  X(tcp_loss_probes, "tail loss probes: a flight's ACK two round trips late (RFC 8985 s7)")  \
  X(tcp_loss_probe_repairs, "of which repaired a loss: ACKed past, no D-SACK for the copy")   \
  X(tcp_challenge_acks, "RFC 5961 challenge ACKs sent (in-window RST or SYN, too old an ACK)") \
  X(tcp_bad_seq, "segments outside the receive window, answered by an ACK (RFC 9293)")       \
  X(tcp_bad_ack, "segments acknowledging data never sent (or too old), dropped")             \
  X(tcp_rst_ignored, "RSTs dropped: outside the window, to a listener, or in SYN-SENT")      \
  X(tcp_payload_in, "TCP payload bytes received in order")                                   \
  X(tcp_payload_out, "TCP payload bytes sent, retransmissions included")                     \
  X(tcp_window_probes, "zero-window probes sent (a peer's receive window was closed)")       \
  X(tcp_rcv_window_closed, "times data the application had not consumed closed our receive window (workers fell behind, or an echo waiting for its ACKs)") \
  X(tcp_ooo_queued, "segments kept past a hole until it was filled (the out-of-order queue)") \
  X(tcp_ooo_dropped, "segments past a hole dropped: no out-of-order entry left on the lcore") \
  X(conn_opened, "connections opened actively (connect)")                                    \
  X(conn_accepted, "connections established passively and queued for accept")               \
  X(conn_closed, "connections closed normally (FIN exchange done)")                          \
  X(conn_reset, "connections ended by a RST received")                                       \
  X(conn_aborted, "connections ended by a RST we sent")                                      \
  X(conn_timed_out, "connections ended by retransmission or keepalive timeout")              \
  X(conn_shutdown, "connections still open at shutdown (a RST to the peer, app told)")       \
  X(accept_overflow, "final ACKs ignored because the accept queue was full")                 \
  X(half_open_drops, "SYNs dropped because the half-open bound was reached")                 \
  X(syn_accept_full, "SYNs dropped because the listener's accept queue was full")           \
  X(time_wait_reopens, "SYNs that reopened a TIME-WAIT entry (RFC 6191; admitted past the half-open bound)")\
  X(syncookies_sent, "SYN cookies sent")                                                     \
  X(syncookies_ok, "SYN cookies validated")                                                  \
  X(syncookies_bad, "SYN cookies rejected")                                                  \
  X(table_full, "new connections refused because the table shard was full")                 \
  X(time_wait_overflow, "connections closed without TIME-WAIT: no TIME-WAIT entry left")     \
  X(time_wait_reused, "TIME-WAIT tuples of ours taken over by an active open (RFC 6191)")    \
  X(poll_busy_ns, "nanoseconds of poll iterations that received or sent frames (the lcore's load)")  \
  X(poll_idle_ns, "nanoseconds of poll iterations that found nothing to do")                 \
  X(app_events_deferred, "events parked on the lcore because a worker ring was full")        \
  X(app_data_refused, "segments taken without their data: the workers held all they may")   \
  X(app_send_full, "sends refused: the connection's send buffer ([stack] send_buffer) was full")\
  X(enter_syn_sent, "transitions into SYN-SENT")                                             \
  X(enter_syn_received, "transitions into SYN-RECEIVED")                                     \
  X(enter_established, "transitions into ESTABLISHED")                                       \
  X(enter_fin_wait_1, "transitions into FIN-WAIT-1")                                         \
  X(enter_fin_wait_2, "transitions into FIN-WAIT-2")                                         \
  X(enter_close_wait, "transitions into CLOSE-WAIT")                                         \
  X(enter_closing, "transitions into CLOSING")                                               \
  X(enter_last_ack, "transitions into LAST-ACK")                                             \
  X(enter_time_wait, "transitions into TIME-WAIT")                                           \
  X(enter_closed, "transitions into CLOSED")

enum class Counter : uint16_t {
#define TS_ENUM(name, help) name,
  TS_COUNTERS(TS_ENUM)
#undef TS_ENUM
  kCount
};
constexpr size_t kNumCounters = static_cast<size_t>(Counter::kCount);

const char* counter_name(Counter c);
const char* counter_help(Counter c);

// Gauges: connections currently in each state on this lcore. Written only by the owning lcore
// (a connection lives on one lcore from SYN to the end of TIME-WAIT, so per-lcore values are exact).
#define TS_GAUGES(X)                                                                         \
  X(syn_sent) X(syn_received) X(established) X(fin_wait_1) X(fin_wait_2) X(close_wait)      \
  X(closing) X(last_ack) X(time_wait)

enum class Gauge : uint16_t {
#define TS_ENUM(name) name,
  TS_GAUGES(TS_ENUM)
#undef TS_ENUM
  kCount
};
constexpr size_t kNumGauges = static_cast<size_t>(Gauge::kCount);
const char* gauge_name(Gauge g);

struct alignas(64) LcoreCounters {
  uint64_t c[kNumCounters];
  int64_t g[kNumGauges];

  // Inline always: a clone out of line (LTO made one) costs a call for a three-instruction add.
  [[gnu::always_inline]] void add(Counter k, uint64_t n = 1) {
    uint64_t* p = &c[static_cast<size_t>(k)];
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  }
  [[gnu::always_inline]] void gauge_add(Gauge k, int64_t n) { gauge_add(&g[static_cast<size_t>(k)], n); }
  // The same through a pointer to one of g[] (kept by a caller that picks its gauge by table).
  [[gnu::always_inline]] static void gauge_add(int64_t* p, int64_t n) {
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  }
  uint64_t read(Counter k) const { return __atomic_load_n(&c[static_cast<size_t>(k)], __ATOMIC_RELAXED); }
  int64_t read(Gauge k) const { return __atomic_load_n(&g[static_cast<size_t>(k)], __ATOMIC_RELAXED); }
};

// A summed (or single-lcore) copy, plain values, safe to keep and compare.
struct Snapshot {
  std::array<uint64_t, kNumCounters> c{};
  std::array<int64_t, kNumGauges> g{};

  uint64_t operator[](Counter k) const { return c[static_cast<size_t>(k)]; }
  int64_t operator[](Gauge k) const { return g[static_cast<size_t>(k)]; }
  void accumulate(const LcoreCounters& l);
  uint64_t drops() const;  // every drop_* counter summed
};

}  // namespace ts::stats
