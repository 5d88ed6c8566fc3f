// The datapath's pure parts, no EAL needed: driver profiles, the neighbour cache, addresses,
// EAL argument helpers, the TSC-to-microseconds scale, the server's HTTP parsing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpdk/arp_cache.h"
#include "dpdk/boot_secret.h"
#include "dpdk/eal.h"
#include "dpdk/mempool.h"
#include "dpdk/netif.h"
#include "dpdk/port_conf.h"
#include "dpdk/profile.h"
#include "dpdk/signals.h"
#include "dpdk/tsc_scale.h"
#include "http.h"
#include "stats/hints.h"

namespace ts {
namespace {

using dpdk::ArpCache;
using tcp::kSec;

// ---------------------------------------------------------------- boot secret

class BootSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ts-boot-secret.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/turnstile/boot-secret";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(BootSecretTest, first_process_makes_it_private_and_the_next_reads_the_same) {
  const dpdk::BootSecret a = dpdk::boot_secret(path_);
  EXPECT_EQ(a.note, "");
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(stat((dir_ + "/turnstile").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const dpdk::BootSecret b = dpdk::boot_secret(path_);
  EXPECT_EQ(b.note, "");
  EXPECT_EQ(a.isn, b.isn);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_FALSE(a.isn == a.ts);
  EXPECT_FALSE(a.isn == tcp::SipKey{});
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_ + "/turnstile"), std::filesystem::directory_iterator()), 1);
}

TEST_F(BootSecretTest, processes_that_start_together_agree_on_one) {
  // Each makes a file of its own and links it in: one link wins, the others read the winner's.
  constexpr int kN = 8;
  std::vector<dpdk::BootSecret> got(kN);
  std::vector<std::thread> ts;
  for (int i = 0; i < kN; i++) ts.emplace_back([&, i] { got[i] = dpdk::boot_secret(path_); });
  for (auto& t : ts) t.join();
  for (const auto& g : got) {
    EXPECT_EQ(g.note, "");
    EXPECT_EQ(g.isn, got[0].isn);
    EXPECT_EQ(g.ts, got[0].ts);
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_ + "/turnstile"), std::filesystem::directory_iterator()), 1);
}

TEST_F(BootSecretTest, a_path_without_a_directory_is_made_where_we_are) {
  const auto back = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  const dpdk::BootSecret a = dpdk::boot_secret("bs");
  const dpdk::BootSecret b = dpdk::boot_secret("bs");
  const bool regular = std::filesystem::is_regular_file(dir_ + "/bs");
  std::filesystem::current_path(back);
  EXPECT_EQ(a.note, "");
  EXPECT_TRUE(regular);
  EXPECT_EQ(a.isn, b.isn);
}

TEST_F(BootSecretTest, a_file_others_can_read_is_not_used) {
  const dpdk::BootSecret a = dpdk::boot_secret(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  const dpdk::BootSecret b = dpdk::boot_secret(path_);
  EXPECT_NE(b.note.find("is not a file that only its owner, this user, can read"), std::string::npos) << b.note;
  EXPECT_NE(b.note.find("may refuse some new SYNs"), std::string::npos) << b.note;
  EXPECT_FALSE(a.isn == b.isn);
  EXPECT_FALSE(a.ts == b.ts);
}

TEST_F(BootSecretTest, a_short_file_or_an_unmakeable_one_gives_the_process_its_own_keys) {
  std::filesystem::create_directories(dir_ + "/turnstile");
  { std::ofstream(path_) << "short"; }
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  const dpdk::BootSecret a = dpdk::boot_secret(path_);
  EXPECT_NE(a.note.find("does not hold 32 bytes"), std::string::npos) << a.note;
  const dpdk::BootSecret b = dpdk::boot_secret(dir_ + "/not-a-dir/x/boot-secret");
  EXPECT_NE(b.note.find("No such file or directory"), std::string::npos) << b.note;
  EXPECT_FALSE(a.isn == b.isn);
}

// ---------------------------------------------------------------- hints

TEST(DropHint, names_partial_checksums_on_kernel_socket_pmds_only) {
  stats::Snapshot s;
  EXPECT_EQ(stats::drop_hint("net_af_packet0", s), "");  // no drop: nothing to say
  s.c[static_cast<size_t>(stats::Counter::drop_tcp_checksum)] = 3;
  for (const char* dev : {"net_af_packet0", "net_af_xdp1"}) {
    const std::string h = stats::drop_hint(dev, s);
    EXPECT_NE(h.find("3 TCP segment(s) dropped for their checksum on " + std::string(dev)), std::string::npos) << h;
    EXPECT_NE(h.find("ethtool -K PEER tx off"), std::string::npos) << h;
  }
  // Where the kernel fills its checksums (tap) or there is no kernel peer (memif), a bad
  // checksum is damage, not this: no hint.
  EXPECT_EQ(stats::drop_hint("net_tap0", s), "");
  EXPECT_EQ(stats::drop_hint("net_memif0", s), "");
}

TEST(DropHint, is_said_once) {
  stats::Snapshot s;
  s.c[static_cast<size_t>(stats::Counter::drop_tcp_checksum)] = 1;
  stats::HintOnce once;
  once.check("net_tap0", s);
  EXPECT_FALSE(once.said());
  testing::internal::CaptureStderr();
  once.check("net_af_packet0", s);
  once.check("net_af_packet0", s);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(once.said());
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// ---------------------------------------------------------------- profiles

TEST(Profile, every_shipped_profile_parses) {
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(TS_DRIVERS_CONFIG)) {
    if (f.path().extension() != ".ini") continue;
    dpdk::Profile p;
    std::string err;
    EXPECT_TRUE(dpdk::load_profile(f.path(), &p, &err)) << err;
    EXPECT_EQ(p.name, f.path().stem().string());
    n++;
  }
  EXPECT_GE(n, 10);  // tap memif ring af_packet af_xdp virtio-user mlx5 ice i40e ixgbe
}

TEST(Profile, embedded_default_is_the_tap_profile) {
  dpdk::Profile file;
  std::string err;
  ASSERT_TRUE(dpdk::load_profile(std::string(TS_DRIVERS_CONFIG) + "/tap.ini", &file, &err)) << err;
  const dpdk::Profile d = dpdk::default_profile();
  EXPECT_EQ(d.name, "tap");
  EXPECT_EQ(d.eal_always, file.eal_always);
  EXPECT_EQ(d.eal_devices, (std::vector<std::string>{"--vdev=net_tap0,iface=dtap0"}));
  EXPECT_EQ(d.port.rx_descriptors, file.port.rx_descriptors);
  EXPECT_EQ(d.stack.msl_ms, 30000u);
}

TEST(Profile, values_with_trailing_comments_and_every_key) {
  dpdk::Profile p;
  std::string err;
  ASSERT_TRUE(dpdk::parse_profile("[eal]\nalways = --no-pci -m 64 ; two words\n"
                                  "[port]\nqueues = 4 ; comment\nrss = software\ntx_checksum = hardware\n"
                                  "promiscuous = yes\nmtu = 2030\n[stack]\nmsl_ms = 500\n",
                                  "t.ini", &p, &err))
      << err;
  EXPECT_EQ(p.eal_always, (std::vector<std::string>{"--no-pci", "-m", "64"}));
  EXPECT_EQ(p.port.queues, 4);
  EXPECT_EQ(p.port.rss, dpdk::Offload::kSoftware);
  EXPECT_EQ(p.port.tx_checksum, dpdk::Offload::kHardware);
  EXPECT_TRUE(p.port.promiscuous);
  EXPECT_EQ(p.port.mtu, 2030);
  EXPECT_EQ(p.stack.msl_ms, 500u);
  EXPECT_EQ(p.stack.time_wait_per_queue, dpdk::StackProfile::kAsConnections);  // not given
  ASSERT_TRUE(dpdk::parse_profile("[stack]\ntime_wait_per_queue = 0\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.stack.time_wait_per_queue, 0u);
  EXPECT_EQ(p.stack.receive_window, 256u * 1024);  // not given: Config::rcv_wnd's default
  ASSERT_TRUE(dpdk::parse_profile("[stack]\nreceive_window = 1073725440\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.stack.receive_window, 0xffffu << 14);
  EXPECT_EQ(p.stack.out_of_order_mbufs, 1024u);
  ASSERT_TRUE(dpdk::parse_profile("[stack]\nout_of_order_mbufs = 0\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.stack.out_of_order_mbufs, 0u);
  EXPECT_TRUE(p.stack.sack);  // not given: offered and used, as Linux's tcp_sack = 1
  ASSERT_TRUE(dpdk::parse_profile("[stack]\nsack = false\n", "t.ini", &p, &err)) << err;
  EXPECT_FALSE(p.stack.sack);
  EXPECT_TRUE(p.stack.tail_loss_probe);  // not given: on, as Linux's tcp_early_retrans = 3
  ASSERT_TRUE(dpdk::parse_profile("[stack]\ntail_loss_probe = false\n", "t.ini", &p, &err)) << err;
  EXPECT_FALSE(p.stack.tail_loss_probe);
}

// Keepalive and the retry settings BEHAVIOUR.md calls configurable: Linux's defaults when not
// given, the values given otherwise, and nonsense refused.
TEST(Profile, keepalive_and_retries) {
  dpdk::Profile p;
  std::string err;
  ASSERT_TRUE(dpdk::parse_profile("[stack]\n", "t.ini", &p, &err)) << err;
  EXPECT_FALSE(p.stack.keepalive);
  EXPECT_EQ(p.stack.keepalive_idle_ms, 7200000u);
  EXPECT_EQ(p.stack.keepalive_interval_ms, 75000u);
  EXPECT_EQ(p.stack.keepalive_probes, 9u);
  EXPECT_EQ(p.stack.fin_timeout_ms, 60000u);
  EXPECT_EQ(p.stack.syn_retries, 6u);
  EXPECT_EQ(p.stack.synack_retries, 5u);
  ASSERT_TRUE(dpdk::parse_profile("[stack]\nkeepalive = true\nkeepalive_idle_ms = 500\nkeepalive_interval_ms = 250\n"
                                  "keepalive_probes = 3\nfin_timeout_ms = 1000\nsyn_retries = 2\nsyn_rto_ms = 100\n"
                                  "synack_retries = 3\nsynack_rto_ms = 3000\n",
                                  "t.ini", &p, &err))
      << err;
  EXPECT_TRUE(p.stack.keepalive);
  EXPECT_EQ(p.stack.keepalive_idle_ms, 500u);
  EXPECT_EQ(p.stack.keepalive_interval_ms, 250u);
  EXPECT_EQ(p.stack.keepalive_probes, 3u);
  EXPECT_EQ(p.stack.fin_timeout_ms, 1000u);
  EXPECT_EQ(p.stack.syn_retries, 2u);
  EXPECT_EQ(p.stack.syn_rto_ms, 100u);
  EXPECT_EQ(p.stack.synack_retries, 3u);
  EXPECT_EQ(p.stack.synack_rto_ms, 3000u);
  EXPECT_FALSE(dpdk::parse_profile("[stack]\nkeepalive_probes = 0\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("keepalive_probes 1 to 255"), std::string::npos) << err;
  EXPECT_FALSE(dpdk::parse_profile("[stack]\nsyn_retries = 256\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("syn_retries and synack_retries must be 1 to 255"), std::string::npos) << err;
  EXPECT_FALSE(dpdk::parse_profile("[stack]\nfin_timeout_ms = 0\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("fin_timeout_ms must be at least 1"), std::string::npos) << err;
}

TEST(Profile, send_buffer_is_linux_largest_wmem_by_default_and_bounded) {
  dpdk::Profile p;
  std::string err;
  ASSERT_TRUE(dpdk::parse_profile("[stack]\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.stack.send_buffer, 4u << 20);
  ASSERT_TRUE(dpdk::parse_profile("[stack]\nsend_buffer = 65536\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.stack.send_buffer, 65536u);
  for (const char* bad : {"[stack]\nsend_buffer = 1023\n", "[stack]\nsend_buffer = 1073741824\n"}) {
    EXPECT_FALSE(dpdk::parse_profile(bad, "x.ini", &p, &err)) << bad;
    EXPECT_NE(err.find("send_buffer must be 1024 to 1073741823 bytes"), std::string::npos) << err;
  }
}

TEST(Profile, typos_are_errors_that_name_the_file_and_key) {
  dpdk::Profile p;
  std::string err;
  EXPECT_FALSE(dpdk::parse_profile("[port]\nrx_descriptorz = 5\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:2: [port]: unknown key 'rx_descriptorz'");
  EXPECT_FALSE(dpdk::parse_profile("[prot]\nqueues = 1\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:1: unknown section [prot]");
  EXPECT_FALSE(dpdk::parse_profile("[port]\nqueues = many\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("queues = 'many'"), std::string::npos) << err;
  EXPECT_FALSE(dpdk::parse_profile("[port]\nrss = maybe\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("auto, hardware or software"), std::string::npos) << err;
  for (const char* r : {"rx_ring_size = 1000", "rx_ring_size = 32", "rx_ring_size = 2147483648",
                        "app_ring_size = 33554432"}) {
    EXPECT_FALSE(dpdk::parse_profile(std::string("[stack]\n") + r + "\n", "x.ini", &p, &err)) << r;
    EXPECT_EQ(err, "x.ini: [stack] rx_ring_size and app_ring_size must be powers of two, 64 to 16777216") << r;
  }
  EXPECT_TRUE(dpdk::parse_profile("[stack]\napp_ring_size = 16777216\n", "x.ini", &p, &err)) << err;
  // Past 2^24 blocks the table's count (blocks + as many TIME-WAIT entries) could wrap a 32-bit
  // sum and the blocks' allocation end the process: refused here, with the key's name.
  for (const char* n : {"15", "16777217", "2147483656", "4294967295"}) {
    EXPECT_FALSE(dpdk::parse_profile(std::string("[stack]\nconnections_per_queue = ") + n + "\n", "x.ini", &p, &err)) << n;
    EXPECT_EQ(err, "x.ini: [stack] connections_per_queue must be 16 to 16777216") << n;
  }
  EXPECT_TRUE(dpdk::parse_profile("[stack]\nconnections_per_queue = 16777216\n", "x.ini", &p, &err)) << err;
  EXPECT_FALSE(dpdk::parse_profile("[stack]\ntime_wait_per_queue = 20000000\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("time_wait_per_queue must be 0 to 16777216"), std::string::npos) << err;
  for (const char* w : {"1023", "1073725441"}) {  // past a 16-bit field shifted by 14
    EXPECT_FALSE(dpdk::parse_profile(std::string("[stack]\nreceive_window = ") + w + "\n", "x.ini", &p, &err));
    EXPECT_NE(err.find("receive_window must be 1024 to 1073725440 bytes"), std::string::npos) << err;
  }
  EXPECT_FALSE(dpdk::parse_profile("[stack]\nout_of_order_mbufs = 1048577\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("out_of_order_mbufs must be 0 to 1048576"), std::string::npos) << err;
  EXPECT_FALSE(dpdk::parse_profile("[stack]\nsack = maybe\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("sack = 'maybe'"), std::string::npos) << err;
  EXPECT_NE(err.find("true or false"), std::string::npos) << err;
  // A jumbo frame would not fit one mbuf, and the stack takes no chained frame in.
  EXPECT_FALSE(dpdk::parse_profile("[port]\nmtu = 9000\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("[port] mtu must be 576..2030 (a frame fits one mbuf; no jumbo frames)"), std::string::npos) << err;
  EXPECT_FALSE(dpdk::load_profile("/nonexistent/x.ini", &p, &err));
  EXPECT_EQ(err, "cannot read config file /nonexistent/x.ini");
}

// A key's error names its line, as an INI syntax error does (property_tree keeps none), and a key
// before any section is said to be one, with or without a value.
TEST(Profile, errors_name_the_line_of_the_key) {
  dpdk::Profile p;
  std::string err;
  EXPECT_FALSE(dpdk::parse_profile("; a profile\n[port]\nqueues = 2\n\n  mtu = 9000x ; jumbo\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:5: [port] mtu = '9000x': expected a number 0..65535");
  EXPECT_FALSE(dpdk::parse_profile("[port]\nqueues = 1\n[stack]\n# c\nsack = maybe\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:5: [stack] sack = 'maybe': expected true or false");
  EXPECT_FALSE(dpdk::parse_profile("[port]\nqueues = 1\n[stak]\nsack = true\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:3: unknown section [stak]");
  EXPECT_FALSE(dpdk::parse_profile("queues =\n[port]\nmtu = 1500\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:1: key 'queues' outside any section");
  EXPECT_FALSE(dpdk::parse_profile("; c\nqueues = 2\n[port]\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini:2: key 'queues' outside any section");
  EXPECT_TRUE(dpdk::parse_profile("[port]\n[stack]\nsack = true\n", "x.ini", &p, &err)) << err;  // an empty section
  // A rule between keys names no line.
  EXPECT_FALSE(dpdk::parse_profile("[stack]\narp_timeout_s = 0\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini: [stack] arp_timeout_s must be at least 1");
}

// Values that would parse but leave the stack unable to work are refused with their names; the
// zeros that mean something (the shortest TIME-WAIT, a cookie for every SYN) are taken.
TEST(Profile, an_arp_timeout_of_zero_and_a_cache_past_dpdks_bound_are_errors) {
  dpdk::Profile p;
  std::string err;
  EXPECT_FALSE(dpdk::parse_profile("[stack]\narp_timeout_s = 0\n", "x.ini", &p, &err));
  EXPECT_EQ(err, "x.ini: [stack] arp_timeout_s must be at least 1");
  EXPECT_TRUE(dpdk::parse_profile("[stack]\narp_timeout_s = 1\nmsl_ms = 0\nmax_half_open = 0\n", "x.ini", &p, &err)) << err;
  EXPECT_FALSE(dpdk::parse_profile("[port]\nmbuf_cache = 513\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("mbuf_cache must be 0..512"), std::string::npos) << err;
  EXPECT_TRUE(dpdk::parse_profile("[port]\nmbuf_cache = 512\n", "x.ini", &p, &err)) << err;
}

// ---------------------------------------------------------------- port configuration

// What a NIC with symmetric-capable RSS reports (mlx5, ixgbe: 40-byte key, TCP/IPv4 hashing, a
// RETA of 512) and full checksum offload.
rte_eth_dev_info rss_nic() {
  rte_eth_dev_info info{};
  info.flow_type_rss_offloads = RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4;
  info.hash_key_size = 40;
  info.reta_size = 512;
  info.rx_offload_capa = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
  info.tx_offload_capa = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
  return info;
}

// The mlx5 and ixgbe profiles ask rss = hardware with a queue per lcore: on one lcore (one
// queue) there is nothing to spread, and the port must start, not be refused as unable to do RSS.
TEST(PortConf, rss_hardware_on_one_queue_starts_without_rss) {
  for (const char* name : {"mlx5", "ixgbe"}) {
    dpdk::Profile p;
    std::string err;
    ASSERT_TRUE(dpdk::load_profile(std::string(TS_DRIVERS_CONFIG) + "/" + name + ".ini", &p, &err)) << err;
    ASSERT_EQ(p.port.rss, dpdk::Offload::kHardware) << name;
    const rte_eth_dev_info info = rss_nic();
    rte_eth_conf conf{};
    bool rss = true, rx = false, tx = false;
    EXPECT_EQ(dpdk::port_conf(p.port, info, 1, name, &conf, &rss, &rx, &tx), "") << name;
    EXPECT_FALSE(rss);
    EXPECT_EQ(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_NONE);
    EXPECT_TRUE(rx && tx);
    conf = {};
    EXPECT_EQ(dpdk::port_conf(p.port, info, 4, name, &conf, &rss, &rx, &tx), "") << name;
    EXPECT_TRUE(rss);
    EXPECT_EQ(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_RSS);
  }
  // Several queues on a PMD without RSS: hardware is refused, in one line that says what to set.
  dpdk::PortProfile hw;
  hw.rss = dpdk::Offload::kHardware;
  rte_eth_dev_info plain{};
  rte_eth_conf conf{};
  bool rss = false, rx = false, tx = false;
  EXPECT_EQ(dpdk::port_conf(hw, plain, 2, "net_x", &conf, &rss, &rx, &tx),
            "net_x cannot do symmetric Toeplitz RSS over 2 queues; set [port] rss = auto or software");
}

// rx_checksum = trust: nothing verified, so the NIC's RX checksum offload is not turned on
// either; only rx_checksum takes it (a sent frame always carries its checksums).
TEST(Profile, rx_checksum_trust_is_for_receiving_only_and_asks_no_offload) {
  dpdk::Profile p;
  std::string err;
  ASSERT_TRUE(dpdk::parse_profile("[port]\nrx_checksum = trust ; memif\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.port.rx_checksum, dpdk::Offload::kTrust);
  EXPECT_STREQ(dpdk::offload_name(p.port.rx_checksum), "trust");
  EXPECT_FALSE(dpdk::parse_profile("[port]\nrx_checksum = none\n", "x.ini", &p, &err));
  EXPECT_NE(err.find("expected auto, hardware, software or trust"), std::string::npos) << err;
  for (const char* key : {"tx_checksum", "rss"}) {
    EXPECT_FALSE(dpdk::parse_profile(std::string("[port]\n") + key + " = trust\n", "x.ini", &p, &err)) << key;
    EXPECT_NE(err.find("expected auto, hardware or software"), std::string::npos) << err;
  }
  rte_eth_dev_info nic{};
  nic.rx_offload_capa = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
  for (auto [o, want] : {std::pair{dpdk::Offload::kAuto, true}, {dpdk::Offload::kHardware, true},
                         {dpdk::Offload::kSoftware, false}, {dpdk::Offload::kTrust, false}}) {
    dpdk::PortProfile q;
    q.rx_checksum = o;
    rte_eth_conf conf{};
    bool rss = false, rx = false, tx = false;
    ASSERT_EQ(dpdk::port_conf(q, nic, 1, "net_x", &conf, &rss, &rx, &tx), "") << dpdk::offload_name(o);
    EXPECT_EQ(rx, want) << dpdk::offload_name(o);
    EXPECT_EQ((conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) != 0, want) << dpdk::offload_name(o);
  }
}

// The pool holds every ring full. A worker may hold a ring's worth of data mbufs per lcore it
// serves; inline handlers hold none past their call, so the app ring size adds nothing there.
TEST(Mempool, inline_mode_reserves_no_worker_data_and_workers_reserve_a_ring_each) {
  dpdk::Profile p;
  p.port.rx_descriptors = p.port.tx_descriptors = 1024;
  p.port.burst = 32;
  p.port.mbuf_cache = 256;
  p.stack.rx_ring_size = 1024;
  p.stack.out_of_order_mbufs = 0;
  // 2 queues: 2 * (2048 + 128 + 1024) = 6400; 3 caches = 768; 8192 send buffers: 15360.
  p.stack.app_ring_size = 4096;
  EXPECT_EQ(dpdk::mbufs_needed(p, 2, 0, 8192, 2), 16383u);
  p.stack.app_ring_size = 1u << 20;  // unused inline: the pool is the same
  EXPECT_EQ(dpdk::mbufs_needed(p, 2, 0, 8192, 2), 16383u);
  p.stack.app_ring_size = 4096;  // 2 queues x 3 workers x 4096 more: 39936
  EXPECT_EQ(dpdk::mbufs_needed(p, 2, 3, 8192, 2), 65535u);
  p.port.mbufs = 5000;  // the profile's own figure wins
  EXPECT_EQ(dpdk::mbufs_needed(p, 2, 3, 8192, 2), 5000u);
}

// One VLAN a port: an 802.1Q id, 1..4094 (4095 is reserved); 0 or no key is untagged.
TEST(Profile, vlan_is_an_8021q_id_or_zero_for_untagged) {
  dpdk::Profile p;
  std::string err;
  ASSERT_TRUE(dpdk::parse_profile("[port]\n", "t.ini", &p, &err)) << err;
  EXPECT_EQ(p.port.vlan, 0);
  for (uint16_t v : {0, 1, 100, 4094}) {
    ASSERT_TRUE(dpdk::parse_profile("[port]\nvlan = " + std::to_string(v) + " ; trunk\n", "t.ini", &p, &err)) << err;
    EXPECT_EQ(p.port.vlan, v);
  }
  for (const char* bad : {"4095", "65535"}) {
    EXPECT_FALSE(dpdk::parse_profile(std::string("[port]\nvlan = ") + bad + "\n", "x.ini", &p, &err)) << bad;
    EXPECT_EQ(err, "x.ini: [port] vlan must be 1..4094 (0 or absent: untagged)");
  }
  for (const char* bad : {"-1", "65536", "0x64", "ten"}) {
    EXPECT_FALSE(dpdk::parse_profile(std::string("[port]\nvlan = ") + bad + "\n", "x.ini", &p, &err)) << bad;
    EXPECT_NE(err.find("vlan = '"), std::string::npos) << err;
  }
}

// ---------------------------------------------------------------- neighbour cache

constexpr wire::Mac kMacA{{2, 0, 0, 0, 0, 0xa}};
constexpr wire::Mac kMacB{{2, 0, 0, 0, 0, 0xb}};

TEST(ArpCache, learned_entry_is_valid_then_stale_then_gone) {
  ArpCache c(64, 60 * kSec);
  wire::Mac m;
  EXPECT_EQ(c.lookup(0xc6120001, 0, &m), ArpCache::Result::kMiss);
  ASSERT_TRUE(c.update(0xc6120001, kMacA, 10 * kSec));
  EXPECT_EQ(c.lookup(0xc6120001, 69 * kSec, &m), ArpCache::Result::kHit);
  EXPECT_EQ(m, kMacA);
  EXPECT_EQ(c.lookup(0xc6120001, 70 * kSec, &m), ArpCache::Result::kStale);  // use it, ask again
  EXPECT_EQ(c.lookup(0xc6120001, 130 * kSec, &m), ArpCache::Result::kMiss);
  EXPECT_EQ(c.lookup(0xc6120002, 11 * kSec, &m), ArpCache::Result::kMiss);
}

TEST(ArpCache, update_refreshes_and_changes_the_mac) {
  ArpCache c(64, 60 * kSec);
  wire::Mac m;
  c.update(7, kMacA, 0);
  c.update(7, kMacB, 50 * kSec);
  EXPECT_EQ(c.lookup(7, 100 * kSec, &m), ArpCache::Result::kHit);
  EXPECT_EQ(m, kMacB);
  EXPECT_TRUE(c.contains(7));
  EXPECT_FALSE(c.contains(8));
}

TEST(ArpCache, full_of_live_entries_refuses_then_reuses_long_expired_ones) {
  ArpCache c(16, 60 * kSec);  // 16 slots: every probe sequence covers the whole table
  for (uint32_t ip = 1; ip <= 16; ip++) ASSERT_TRUE(c.update(ip, kMacA, 0));
  EXPECT_FALSE(c.update(100, kMacB, 1 * kSec));
  EXPECT_TRUE(c.update(100, kMacB, 121 * kSec));  // the others expired over a timeout ago
  wire::Mac m;
  EXPECT_EQ(c.lookup(100, 121 * kSec, &m), ArpCache::Result::kHit);
  int n = 0;
  c.for_each([&](uint32_t, const wire::Mac&, tcp::Time) { n++; });
  EXPECT_EQ(n, 16);
}

// ---------------------------------------------------------------- addresses, EAL arguments

TEST(Netif, cidr_and_next_hop) {
  auto c = dpdk::parse_cidr("198.18.0.2/24");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ip, 0xc6120002u);
  EXPECT_EQ(c->prefix_len, 24);
  EXPECT_FALSE(dpdk::parse_cidr("198.18.0.2/33"));
  EXPECT_FALSE(dpdk::parse_cidr("198.18.0/24"));
  EXPECT_FALSE(dpdk::parse_cidr("198.18.0.2/x"));
  EXPECT_EQ(dpdk::parse_cidr("198.19.0.1")->prefix_len, 24);
  dpdk::Netif n;
  n.ip = 0xc6120002;
  n.prefix_len = 24;
  EXPECT_EQ(n.next_hop(0xc6120063), 0xc6120063u);
  EXPECT_EQ(n.next_hop(0xc6130001), 0u);  // off-link, no gateway
  n.gateway = 0xc6120001;
  EXPECT_EQ(n.next_hop(0xc6130001), 0xc6120001u);
  EXPECT_EQ(dpdk::ipv4_str(0xc6120002), "198.18.0.2");
  EXPECT_EQ(dpdk::mac_str(kMacA), "02:00:00:00:00:0a");
}

TEST(EalArgs, split_prefix_devices_and_taps) {
  const char* argv[] = {"srv", "-l", "1", "--vdev=net_tap0,iface=ts0,persist", "--file-prefix", "p1", "--", "--ip", "x"};
  auto s = dpdk::split_args(9, const_cast<char**>(argv));
  EXPECT_EQ(s.eal, (std::vector<std::string>{"-l", "1", "--vdev=net_tap0,iface=ts0,persist", "--file-prefix", "p1"}));
  EXPECT_EQ(s.app, (std::vector<std::string>{"--ip", "x"}));
  EXPECT_EQ(dpdk::eal_file_prefix(s.eal), "p1");
  EXPECT_EQ(dpdk::eal_file_prefix({"--file-prefix=q"}), "q");
  EXPECT_EQ(dpdk::eal_file_prefix({}), "rte");
  EXPECT_TRUE(dpdk::eal_names_device(s.eal));
  EXPECT_TRUE(dpdk::eal_names_device({"-a", "0000:01:00.0"}));
  EXPECT_FALSE(dpdk::eal_names_device({"-l", "1", "--no-huge"}));
  EXPECT_EQ(dpdk::eal_tap_ifaces(s.eal), (std::vector<std::string>{"ts0"}));
  const char* noddash[] = {"srv", "--ip", "x"};
  auto t = dpdk::split_args(3, const_cast<char**>(noddash));
  EXPECT_TRUE(t.eal.empty());
  EXPECT_EQ(t.app.size(), 2u);
}

// EAL logs as the PMDs of DPDK 22.11 write them when a device fails to probe.
TEST(EalArgs, probe_error_names_the_device_and_the_drivers_first_complaint) {
  EXPECT_EQ(dpdk::probe_error("EAL: Multi-process socket /tmp/dpdk/p/mp_socket\n"
                              "EAL: Physical addresses are unavailable, selecting IOVA as VA mode.\n"
                              "tun_alloc(): Unable to set TUNSETIFF for dtap0: Operation not permitted\n"
                              "eth_dev_tap_create(): Unable to create TAP interface\n"
                              "vdev_probe(): failed to initialize net_tap0 device\n"
                              "EAL: Bus (vdev) probe failed.\n"),
            "net_tap0 did not start: tun_alloc(): Unable to set TUNSETIFF for dtap0: Operation not permitted");
  // libbpf's and libxdp's warnings come first on af_xdp: not the cause.
  EXPECT_EQ(dpdk::probe_error("libbpf: elf: skipping unrecognized data section(7) xdp_metadata\n"
                              "libxdp: Can't use dispatcher without a working bpffs\n"
                              "init_internals(): Failed to get channel info of interface: nosuch0\n"
                              "rte_pmd_af_xdp_probe(): Failed to init internals\n"
                              "vdev_probe(): failed to initialize net_af_xdp0 device\n"),
            "net_af_xdp0 did not start: init_internals(): Failed to get channel info of interface: nosuch0");
  EXPECT_EQ(dpdk::probe_error("vdev_probe(): failed to initialize net_null0 device\n"), "net_null0 did not start");
  EXPECT_EQ(dpdk::probe_error("EAL: Requested device 0000:01:00.0 cannot be used\n"),
            "Requested device 0000:01:00.0 cannot be used");
  // A start whose devices all came up, warnings and all.
  EXPECT_EQ(dpdk::probe_error("EAL: Physical addresses are unavailable, selecting IOVA as VA mode.\n"
                              "libxdp: Falling back to loading single prog without dispatcher\n"
                              "TELEMETRY: No legacy callbacks, legacy socket not created\n"),
            "");
}

// ---------------------------------------------------------------- HTTP

using server::HttpParse;
using server::HttpRequest;

TEST(Http, a_request_arriving_in_pieces) {
  const std::string r = "GET /index HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpRequest q;
  for (size_t i = 0; i < r.size(); i++) EXPECT_EQ(server::parse_http_request(r.substr(0, i), &q), HttpParse::kIncomplete);
  ASSERT_EQ(server::parse_http_request(r, &q), HttpParse::kOk);
  EXPECT_EQ(q.method, "GET");
  EXPECT_EQ(q.target, "/index");
  EXPECT_TRUE(q.keep_alive);
  EXPECT_EQ(q.length, r.size());
}

TEST(Http, pipelined_requests_and_bodies_are_delimited) {
  const std::string r = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpRequest q;
  ASSERT_EQ(server::parse_http_request(r, &q), HttpParse::kOk);
  EXPECT_EQ(q.length, r.find("GET"));
  ASSERT_EQ(server::parse_http_request(std::string_view(r).substr(q.length), &q), HttpParse::kOk);
  EXPECT_EQ(q.target, "/b");
}

TEST(Http, keep_alive_follows_version_and_connection_header) {
  HttpRequest q;
  ASSERT_EQ(server::parse_http_request("GET / HTTP/1.0\r\n\r\n", &q), HttpParse::kOk);
  EXPECT_FALSE(q.keep_alive);
  ASSERT_EQ(server::parse_http_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &q), HttpParse::kOk);
  EXPECT_TRUE(q.keep_alive);
  ASSERT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\r\nconnection: upgrade, close\r\n\r\n", &q), HttpParse::kOk);
  EXPECT_FALSE(q.keep_alive);
  bool close = false;
  const std::string resp = server::http_response(q, "hi", "Sun, 06 Nov 1994 08:49:37 GMT", &close);
  EXPECT_TRUE(close);
  EXPECT_EQ(resp, "HTTP/1.1 200 OK\r\nServer: turnstile\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                  "Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  // RFC 9112 §9.6: "close" in any Connection field line wins over a keep-alive in another.
  ASSERT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n", &q),
            HttpParse::kOk);
  EXPECT_FALSE(q.keep_alive);
}

TEST(Http, head_has_no_body_and_other_methods_get_405) {
  HttpRequest q;
  bool close = true;
  ASSERT_EQ(server::parse_http_request("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", &q), HttpParse::kOk);
  const std::string_view date = "Sun, 06 Nov 1994 08:49:37 GMT";
  std::string r = server::http_response(q, "body", date, &close);
  EXPECT_FALSE(close);
  EXPECT_NE(r.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
  ASSERT_EQ(server::parse_http_request("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", &q), HttpParse::kOk);
  r = server::http_response(q, "body", date, &close);
  EXPECT_EQ(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
  EXPECT_NE(r.find("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), std::string::npos);
  EXPECT_EQ(server::http_bad_request(date),
            "HTTP/1.1 400 Bad Request\r\nServer: turnstile\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_NE(r.find("Allow: GET, HEAD\r\n"), std::string::npos);
}

TEST(Http, malformed_requests_are_bad) {
  HttpRequest q;
  EXPECT_EQ(server::parse_http_request("GET /\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/2.0\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request(std::string(20000, 'a'), &q), HttpParse::kBad);
}

// RFC 9112's musts for a server, each refused with a 400 rather than taken one way or another.
TEST(Http, requests_rfc_9112_says_to_refuse_are_bad) {
  HttpRequest q;
  // §3.2: an HTTP/1.1 request without Host, or with two.
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.0\r\n\r\n", &q), HttpParse::kOk);  // 1.0 needs none
  // §5.1: whitespace between a field name and its colon; §5.2: a folded line.
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost : x\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\r\n X-A: b\r\n\r\n", &q), HttpParse::kBad);
  // §3: a request-target with a space in it.
  EXPECT_EQ(server::parse_http_request("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", &q), HttpParse::kBad);
  // §2.2: lines ended by a bare LF, refused at once, not waited on until the head's size limit.
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\nHost: x\n\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("GET / HTTP/1.1\r\nHost: x\n\r\n\r\n", &q), HttpParse::kBad);
}

// §6.3: two Content-Lengths that differ. Taking either would read the pipelined GET's first
// bytes as the POST's body, or the body as a request (request smuggling); the same value twice is
// one length.
TEST(Http, content_lengths_that_differ_are_bad) {
  HttpRequest q;
  const std::string pipelined = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(server::parse_http_request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n" + pipelined, &q),
            HttpParse::kBad);
  ASSERT_EQ(server::parse_http_request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n" + pipelined, &q),
            HttpParse::kOk);
  EXPECT_EQ(q.content_length, 0u);
}

// A head over 16 KiB is refused whether it came whole or in pieces (the prefix past 16 KiB with
// no end of head is already refused; the whole must not then be accepted).
TEST(Http, a_head_over_the_bound_is_bad_whole_or_in_pieces) {
  const std::string r = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(17000, 'a') + "\r\n\r\n";
  HttpRequest q;
  EXPECT_EQ(server::parse_http_request(std::string_view(r).substr(0, 16 * 1024 + 1), &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request(r, &q), HttpParse::kBad);
  const std::string fits = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(16000, 'a') + "\r\n\r\n";
  EXPECT_EQ(server::parse_http_request(fits, &q), HttpParse::kOk);
  // Empty lines before the request line count too: a peer sending only CRLFs is refused once
  // they pass the bound, not kept on waiting for ever.
  std::string crlfs;
  for (int i = 0; i < 8 * 1024; i++) crlfs += "\r\n";
  EXPECT_EQ(server::parse_http_request(crlfs, &q), HttpParse::kIncomplete);  // 16 KiB: at the bound
  EXPECT_EQ(server::parse_http_request(crlfs + "\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request(crlfs + "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", &q), HttpParse::kOk);
}

// Found by fuzz_http: a Content-Length of 2^64 - 1 wrapped the request's length around, and a
// request announcing a body of many GB was "complete" at a few bytes. Bodies are bounded (1 MiB):
// the handler keeps a request until it is whole.
TEST(Http, a_content_length_that_would_wrap_or_exceed_the_bound_is_bad) {
  HttpRequest q;
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ";
  EXPECT_EQ(server::parse_http_request(head + "18446744073709551615\r\n\r\nxy", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request(head + "1048577\r\n\r\nxy", &q), HttpParse::kBad);
  EXPECT_EQ(server::parse_http_request(head + "1048576\r\n\r\nxy", &q), HttpParse::kIncomplete);
}

// ---------------------------------------------------------------- TSC scale

// The division TscClock::to_us() used to make on every call.
uint64_t divided(uint64_t cycles, uint64_t hz) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(cycles) * 1000000u / hz);
}

// Cycle counts from 0 to 2^64 - 1: small ones, whole seconds and their neighbours (where the
// quotient's fraction is 0 or nearly 1), and a log-uniform spread.
std::vector<uint64_t> cycle_samples(uint64_t hz) {
  std::vector<uint64_t> v;
  for (uint64_t c = 0; c < 5000; c++) v.push_back(c);
  for (uint64_t s = 1; s < 100000; s = s * 3 / 2 + 1)
    for (int64_t d = -2; d <= 2; d++) v.push_back(s * hz + d);
  std::mt19937_64 g(hz);
  for (int i = 0; i < 200000; i++) {
    const int bits = 1 + static_cast<int>(g() % 64);
    v.push_back(bits == 64 ? g() : g() & ((uint64_t(1) << bits) - 1));
  }
  v.push_back(~uint64_t(0));
  std::sort(v.begin(), v.end());
  return v;
}

TEST(TscScale, equals_the_division_while_exact_then_at_most_one_microsecond_above) {
  // Round, odd and prime-ish rates, this machine's kind (a calibrated 2,994,374,000), a 2^32, and
  // the slow counters of other architectures (25 MHz, 100 MHz).
  for (const uint64_t hz : {1000000000ull, 2100000000ull, 2994374000ull, 3000000000ull, 3700123457ull,
                            1234567891ull, 4294967296ull, 5000000000ull, 25000000ull, 100000000ull}) {
    const dpdk::TscScale sc(hz);
    SCOPED_TRACE("hz " + std::to_string(hz) + " mult " + std::to_string(sc.mult()) + " shift " +
                 std::to_string(sc.shift()) + " exact below " + std::to_string(sc.exact_below()));
    EXPECT_GE(sc.shift(), 64u);
    // Exact for at least 2^63 / 10^6 cycles (the bound tsc_scale.h states): 40 minutes at 3.7 GHz.
    EXPECT_GE(sc.exact_below(), (uint64_t(1) << 63) / 1000000);
    uint64_t prev = 0, above = 0;
    for (const uint64_t c : cycle_samples(hz)) {
      const uint64_t want = divided(c, hz), got = sc.convert(c);
      if (c < sc.exact_below()) {
        ASSERT_EQ(got, want) << "cycles " << c;
      }
      ASSERT_GE(got, want) << "cycles " << c;
      ASSERT_LE(got, want + 1) << "cycles " << c;
      ASSERT_GE(got, prev) << "cycles " << c;  // never backwards
      prev = got;
      above += got != want;
    }
    EXPECT_LT(above, 1000u);  // the +1 is rare even past exact_below()
  }
}

TEST(TscScale, exact_for_hours_at_odd_rates_and_for_ever_at_round_ones) {
  EXPECT_GE(dpdk::TscScale(3700123457ull).exact_below() / 3700123457ull, 86400u);      // 1.4 days
  EXPECT_GE(dpdk::TscScale(1234567891ull).exact_below() / 1234567891ull, 4u * 3600);   // 4.2 hours
  EXPECT_GE(dpdk::TscScale(2994374000ull).exact_below() / 2994374000ull, 100u * 86400);  // 110 days
  for (const uint64_t hz : {2100000000ull, 3000000000ull, 4294967296ull, 5000000000ull})
    EXPECT_EQ(dpdk::TscScale(hz).exact_below(), ~uint64_t(0)) << hz;  // every 64-bit count
  EXPECT_EQ(dpdk::TscScale(0).convert(123456789), 0u);  // no frequency: no division by zero
}

// ---------------------------------------------------------------- signals

// The program setting the stop flag itself (--duration reached, teardown) is no first signal: a
// SIGTERM then still asks for a clean stop (summary, JSON, EAL cleaned up); only a second one
// exits at once. Each case runs in a child process.
TEST(Signals, a_stop_the_program_set_itself_is_no_first_signal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::atomic<bool>& stop = dpdk::install_stop_signals();
        stop = true;  // as --duration does
        raise(SIGTERM);
        if (dpdk::stop_signal() != SIGTERM) _exit(3);
        _exit(0);  // still here: the clean stop goes on
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        dpdk::install_stop_signals();
        raise(SIGINT);
        raise(SIGTERM);  // the user insisting
        _exit(0);
      },
      ::testing::ExitedWithCode(128 + SIGTERM), "");
}

}  // namespace
}  // namespace ts
