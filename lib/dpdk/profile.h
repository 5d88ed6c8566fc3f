// Driver profiles (drivers-config/*.ini): how to start EAL and set up the port for one PMD.
// The format is INI (boost::property_tree), documented in drivers-config/README.md; unknown
// sections or keys are errors, so a typo never silently falls back to a default.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tcp/config.h"

namespace ts::dpdk {

// auto: use the NIC's feature when the PMD offers it, software otherwise. trust (rx_checksum
// only): received checksums are not verified at all, as Linux trusts its loopback and veth
// frames: for a link that cannot damage a frame (memif between processes on one host).
enum class Offload : uint8_t { kAuto, kHardware, kSoftware, kTrust };
const char* offload_name(Offload o);

// The largest [port] mtu: a frame with a VLAN tag (18 bytes of Ethernet header) in the 2,048
// data bytes of one mbuf of the pool (RTE_MBUF_DEFAULT_DATAROOM).
inline constexpr uint16_t kMaxMtu = 2048 - 18;
// The largest [port] vlan: 4095 is reserved (IEEE 802.1Q §9.6), 0 means no tag.
inline constexpr uint16_t kMaxVlan = 4094;

struct PortProfile {
  uint16_t queues = 0;           // RX/TX queue pairs; 0: one per EAL lcore
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint32_t mbufs = 0;            // mbufs in the pool; 0: computed from queues and descriptors
  uint16_t mbuf_cache = 256;     // per-lcore mempool cache
  uint16_t mtu = 1500;
  uint16_t burst = 32;           // rx_burst / tx_burst size
  Offload rss = Offload::kAuto;
  Offload rx_checksum = Offload::kAuto;
  Offload tx_checksum = Offload::kAuto;
  bool promiscuous = false;
  uint16_t port_id = 0;          // which ethdev port (after EAL probing) to use
  // 802.1Q VLAN id of every frame we send and take (a trunk port); 0: untagged frames only.
  uint16_t vlan = 0;
};

struct StackProfile {
  uint32_t connections_per_queue = 65536;  // connection table shard capacity
  uint32_t arp_timeout_s = 60;             // how long a learned neighbour stays valid
  uint32_t msl_ms = 30000;                 // TIME-WAIT lasts 2 * MSL
  // TIME-WAIT entries per lcore (Linux's tcp_max_tw_buckets); past them a closing connection
  // ends at once (time_wait_overflow). kAsConnections: as many as connections_per_queue.
  static constexpr uint32_t kAsConnections = UINT32_MAX;
  uint32_t time_wait_per_queue = kAsConnections;
  uint32_t rx_ring_size = 4096;            // per lcore: software-RSS hand-off ring
  uint32_t app_ring_size = 4096;           // per lcore-worker pair: events and commands
  // The receive window a connection offers, in bytes (Linux's tcp_rmem). With workers it is
  // also the most unread data one connection can leave waiting for its worker.
  uint32_t receive_window = 256 * 1024;
  // The most a connection may hold queued for sending, unacknowledged data included (Linux's
  // tcp_wmem at its largest): past it Connection::send refuses until the peer acknowledges, so a
  // peer that never reads cannot empty the mempool that every connection draws on.
  uint32_t send_buffer = 4 * 1024 * 1024;
  // Segments kept per lcore past a hole in the sequence space until it is filled (an
  // out-of-order queue: one retransmission repairs one loss); 0: dropped, as before.
  uint32_t out_of_order_mbufs = 1024;
  // SACK (RFC 2018): offered and accepted, our blocks sent, the peer's used in recovery
  // (Linux's tcp_sack); false: neither offered nor accepted.
  bool sack = true;
  // Tail loss probe (RFC 8985 §7; with SACK only): two round trips without the ACK of a flight's
  // end send one segment instead of waiting for the timeout (Linux's tcp_early_retrans >= 3).
  bool tail_loss_probe = true;
  tcp::CookieMode syncookies = tcp::CookieMode::kAuto;  // off | auto | always (tcp_syncookies)
  uint32_t max_half_open = 1024;           // SYN-RECEIVED blocks per listener and lcore
  bool abort_on_overflow = false;          // RST when the accept queue is full (Linux's option)
  // Keepalive (RFC 1122 §4.2.3.6) on every connection, and its times (Linux's tcp_keepalive_*).
  bool keepalive = false;
  uint32_t keepalive_idle_ms = 7200000;
  uint32_t keepalive_interval_ms = 75000;
  uint32_t keepalive_probes = 9;
  uint32_t fin_timeout_ms = 60000;         // FIN-WAIT-2 without the peer's FIN (tcp_fin_timeout)
  uint32_t syn_retries = 6;                // tcp_syn_retries, from an initial RTO of syn_rto_ms
  uint32_t syn_rto_ms = 1000;
  uint32_t synack_retries = 5;             // tcp_synack_retries, from synack_rto_ms
  uint32_t synack_rto_ms = 1000;
};

struct Profile {
  std::string name;
  std::string description;
  std::vector<std::string> eal_always;   // added before the user's EAL options
  std::vector<std::string> eal_devices;  // added only when the user names no device
  PortProfile port;
  StackProfile stack;
};

// Parses INI text. On error returns false and a one-line reason in *err ("file:line: ...", or
// "file: ..." for a rule between keys, such as a bound on their sum).
bool parse_profile(const std::string& text, const std::string& origin, Profile* out, std::string* err);
bool load_profile(const std::string& path, Profile* out, std::string* err);

// The embedded default: drivers-config/tap.ini, compiled in.
Profile default_profile();
const char* default_profile_text();

}  // namespace ts::dpdk
