// The segment writers the datapath sends every frame through (build_tcp_frame and its inline
// write_tcp_frame, write_plain_tcp_frame) against a reference written here byte by byte, with
// the textbook checksum: segments of every kind the stack sends (SYN, SYN-ACK with each set of
// handshake options, data, FIN, RST, pure ACKs with and without timestamps and SACK blocks),
// VLAN tagged or not, checksums computed or left to the NIC. The writers are tuned for
// instructions; this keeps their bytes those of the plain definition.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "frame_edit.h"
#include "reference_frames.h"
#include "wire/frame.h"
#include "wire/tcp_option_codec.h"

namespace ts::wire {
namespace {

using namespace testutil;
using namespace tcp_flags;

// RFC 1071, sixteen bits at a time, the odd byte padded as the high half.
uint32_t ref_sum(const uint8_t* p, size_t len, uint32_t s = 0) {
  for (size_t i = 0; i + 1 < len; i += 2) s += (uint32_t{p[i]} << 8) | p[i + 1];
  if (len & 1) s += uint32_t{p[len - 1]} << 8;
  return s;
}

uint16_t ref_fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

void put16(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}

void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, x >> 16);
  put16(v, x & 0xffff);
}

// Linux's option layout (tcp_options_write), as write_tcp_options documents it.
std::vector<uint8_t> ref_options(const TcpOptions& o) {
  std::vector<uint8_t> v;
  if (o.has_mss) {
    v.insert(v.end(), {kTcpOptMss, 4});
    put16(v, o.mss);
  }
  if (o.has_timestamps) {
    if (o.sack_permitted) v.insert(v.end(), {kTcpOptSackPermitted, 2});
    else v.insert(v.end(), {kTcpOptNop, kTcpOptNop});
    v.insert(v.end(), {kTcpOptTimestamps, 10});
    put32(v, o.ts_val);
    put32(v, o.ts_ecr);
  } else if (o.sack_permitted) {
    v.insert(v.end(), {kTcpOptNop, kTcpOptNop, kTcpOptSackPermitted, 2});
  }
  if (o.has_wscale) v.insert(v.end(), {kTcpOptNop, kTcpOptWscale, 3, o.wscale});
  const int fit = static_cast<int>((40 - 4 - v.size()) / 8);
  const int sacks = std::min<int>(std::min<int>(o.sack_count, TcpOptions::kMaxSack), fit);
  if (sacks) {
    v.insert(v.end(), {kTcpOptNop, kTcpOptNop, kTcpOptSack, static_cast<uint8_t>(2 + 8 * sacks)});
    for (int i = 0; i < sacks; i++) {
      put32(v, o.sack[i].left);
      put32(v, o.sack[i].right);
    }
  }
  return v;
}

std::vector<uint8_t> ref_frame(const TcpFrameSpec& s) {
  std::vector<uint8_t> f(s.dst_mac.b, s.dst_mac.b + 6);
  f.insert(f.end(), s.src_mac.b, s.src_mac.b + 6);
  if (s.has_vlan) {
    put16(f, 0x8100);
    put16(f, s.vlan_tci);
  }
  put16(f, 0x0800);
  const std::vector<uint8_t> opts = ref_options(s.opts);
  const size_t tcp_len = 20 + opts.size() + s.payload_len;
  const size_t ip = f.size();
  put16(f, 0x4500);
  put16(f, static_cast<uint32_t>(20 + tcp_len));
  put16(f, s.ip_id);
  put16(f, 0x4000);  // DF
  put16(f, uint32_t{s.ttl} << 8 | kIpProtoTcp);
  put16(f, 0);
  put32(f, s.src_ip);
  put32(f, s.dst_ip);
  const bool sw = s.checksum == ChecksumMode::kSoftware;
  const uint16_t ip_sum = sw ? static_cast<uint16_t>(~ref_fold(ref_sum(&f[ip], 20))) : 0;
  f[ip + 10] = static_cast<uint8_t>(ip_sum >> 8);
  f[ip + 11] = static_cast<uint8_t>(ip_sum);
  const size_t tcp = f.size();
  put16(f, s.sport);
  put16(f, s.dport);
  put32(f, s.seq);
  put32(f, s.ack);
  put16(f, static_cast<uint32_t>((20 + opts.size()) / 4) << 12 | s.flags);
  put16(f, s.window);
  put16(f, 0);  // checksum
  put16(f, 0);  // urgent pointer
  f.insert(f.end(), opts.begin(), opts.end());
  if (s.payload_len) f.insert(f.end(), s.payload, s.payload + s.payload_len);
  const uint32_t pseudo = (s.src_ip >> 16) + (s.src_ip & 0xffff) + (s.dst_ip >> 16) +
                          (s.dst_ip & 0xffff) + kIpProtoTcp + static_cast<uint32_t>(tcp_len);
  const uint16_t tcp_sum = sw ? static_cast<uint16_t>(~ref_fold(ref_sum(&f[tcp], tcp_len, pseudo)))
                              : ref_fold(pseudo);
  f[tcp + 16] = static_cast<uint8_t>(tcp_sum >> 8);
  f[tcp + 17] = static_cast<uint8_t>(tcp_sum);
  return f;
}

// One segment of each kind, its values drawn from rng.
struct Kind {
  const char* name;
  uint8_t flags;
  bool mss, wscale, sack_permitted, timestamps;
  int sacks;         // SACK blocks asked for (write_tcp_options keeps those that fit)
  bool payload;
};

constexpr Kind kKinds[] = {
    {"SYN", kSyn, true, true, true, true, 0, false},
    {"SYN, no timestamps", kSyn, true, true, true, false, 0, false},
    {"SYN, MSS only", kSyn, true, false, false, false, 0, false},
    {"SYN, no options", kSyn, false, false, false, false, 0, false},
    {"SYN-ACK", kSyn | kAck, true, true, true, true, 0, false},
    {"SYN-ACK, no SACK-permitted", kSyn | kAck, true, true, false, true, 0, false},
    {"SYN-ACK, no window scale", kSyn | kAck, true, false, true, true, 0, false},
    {"SYN-ACK, timestamps only", kSyn | kAck, false, false, false, true, 0, false},
    {"SYN-ACK, SACK-permitted and window scale", kSyn | kAck, true, true, true, false, 0, false},
    {"data", kAck | kPsh, false, false, false, true, 0, true},
    {"data, no timestamps", kAck | kPsh, false, false, false, false, 0, true},
    {"data and FIN", kAck | kPsh | kFin, false, false, false, true, 0, true},
    {"FIN", kAck | kFin, false, false, false, true, 0, false},
    {"RST", kRst, false, false, false, false, 0, false},
    {"RST-ACK", kRst | kAck, false, false, false, false, 0, false},
    {"ACK", kAck, false, false, false, true, 0, false},
    {"ACK, no timestamps", kAck, false, false, false, false, 0, false},
    {"ACK, 1 SACK block", kAck, false, false, false, true, 1, false},
    {"ACK, 3 SACK blocks", kAck, false, false, false, true, 3, false},
    {"ACK, 4 SACK blocks asked, 3 fit", kAck, false, false, false, true, 4, false},
    {"ACK, 4 SACK blocks, no timestamps", kAck, false, false, false, false, 4, false},
};

TcpFrameSpec draw(const Kind& k, std::mt19937& rng, std::vector<uint8_t>& payload) {
  TcpFrameSpec s;
  s.src_mac = kServerMac;
  s.dst_mac = kClientMac;
  // Any address of 198.18.0.0/15, the tests' own: every bit of its low 17 moves the sums.
  s.src_ip = 0xc6120000 | (rng() & 0x1ffff);
  s.dst_ip = 0xc6120000 | (rng() & 0x1ffff);
  s.sport = static_cast<uint16_t>(rng());
  s.dport = static_cast<uint16_t>(rng());
  s.seq = rng();
  s.ack = k.flags & kAck ? rng() : 0;
  s.flags = k.flags;
  s.window = static_cast<uint16_t>(rng());
  s.opts.has_mss = k.mss;
  s.opts.mss = static_cast<uint16_t>(rng());
  s.opts.has_wscale = k.wscale;
  s.opts.wscale = static_cast<uint8_t>(rng() % 15);
  s.opts.sack_permitted = k.sack_permitted;
  s.opts.has_timestamps = k.timestamps;
  s.opts.ts_val = rng();
  s.opts.ts_ecr = rng();
  s.opts.sack_count = static_cast<uint8_t>(k.sacks);
  for (SackBlock& b : s.opts.sack) b = {static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng())};
  // Lengths around the checksum's 8- and 16-byte strides, odd and even, and a full segment.
  constexpr size_t kLens[] = {1, 2, 7, 8, 15, 16, 17, 31, 33, 64, 127, 300, 1460};
  payload.resize(k.payload ? kLens[rng() % std::size(kLens)] : 0);
  for (uint8_t& b : payload) b = static_cast<uint8_t>(rng());
  s.payload = payload.data();
  s.payload_len = payload.size();
  return s;
}

std::string hex_diff(const uint8_t* got, const std::vector<uint8_t>& want) {
  for (size_t i = 0; i < want.size(); i++)
    if (got[i] != want[i])
      return "first difference at byte " + std::to_string(i) + ": " + std::to_string(got[i]) +
             ", want " + std::to_string(want[i]);
  return "same bytes";
}

TEST(FrameWriters, GeneralWriterGivesTheReferenceBytesForEveryKind) {
  std::mt19937 rng(9293);
  for (const Kind& k : kKinds) {
    for (int i = 0; i < 200; i++) {
      std::vector<uint8_t> payload;
      TcpFrameSpec s = draw(k, rng, payload);
      s.has_vlan = i % 4 == 1;
      s.vlan_tci = static_cast<uint16_t>(rng());
      s.checksum = i % 2 ? ChecksumMode::kOffload : ChecksumMode::kSoftware;
      s.ip_id = i % 3 ? 0 : static_cast<uint16_t>(rng());
      s.ttl = i % 5 ? kIpv4DefaultTtl : static_cast<uint8_t>(rng());
      const std::vector<uint8_t> want = ref_frame(s);
      uint8_t buf[1600];
      ASSERT_EQ(build_tcp_frame(buf, sizeof buf, s), want.size()) << k.name;
      ASSERT_EQ(0, memcmp(buf, want.data(), want.size()))
          << k.name << " #" << i << (s.has_vlan ? " VLAN" : "")
          << (s.checksum == ChecksumMode::kOffload ? " offload" : "") << ": " << hex_diff(buf, want);
    }
  }
}

// write_plain_tcp_frame as build_plain calls it: payload already in place, destination MAC the
// caller's, sized with tcp_options_length_before_sack.
size_t write_plain(uint8_t* buf, const TcpFrameSpec& s) {
  std::memcpy(buf, s.dst_mac.b, 6);
  const size_t olen = tcp_options_length_before_sack(s.opts);
  if (s.payload_len) std::memcpy(buf + kPlainTcpHeadersLen + olen, s.payload, s.payload_len);
  PlainTcp f;
  f.src_ip = s.src_ip;
  f.dst_ip = s.dst_ip;
  f.addr_sum = ipv4_addr_sum(s.src_ip, s.dst_ip);
  f.h = {s.sport, s.dport, s.seq, s.ack, s.flags, s.window, 0};
  f.ip_id = s.ip_id;
  f.ttl = s.ttl;
  return write_plain_tcp_frame(buf, s.src_mac, f, s.opts, olen, s.payload_len);
}

// Every kind but those with SACK blocks.
TEST(FrameWriters, PlainWriterGivesTheReferenceBytesForEveryKind) {
  std::mt19937 rng(2018);
  for (const Kind& k : kKinds) {
    if (k.sacks) continue;
    for (int i = 0; i < 200; i++) {
      std::vector<uint8_t> payload;
      const TcpFrameSpec s = draw(k, rng, payload);
      ASSERT_TRUE(plain_options(s.opts));
      const std::vector<uint8_t> want = ref_frame(s);
      uint8_t buf[1600] = {};
      ASSERT_EQ(write_plain(buf, s), want.size()) << k.name;
      ASSERT_EQ(0, memcmp(buf, want.data(), want.size())) << k.name << " #" << i << ": " << hex_diff(buf, want);
    }
  }
}

// A checksum whose value is zero goes out as 0x0000, never as its other form 0xffff: RFC 1071
// arithmetic gives 0x0000 (RFC 1624), and Wireshark flags 0xffff as bad. Random values reach
// zero once in 65,536 frames, so each frame here is steered there: moving a 16-bit field (the
// window, the IP id) by the checksum it had makes the sum all ones. Both writers, every kind.
uint16_t ones_add(uint16_t a, uint16_t b) { return ref_fold(uint32_t{a} + b); }

TEST(FrameWriters, AZeroChecksumIsWrittenAs0x0000ByBothWriters) {
  std::mt19937 rng(1624);
  for (const Kind& k : kKinds) {
    for (int i = 0; i < 20; i++) {
      std::vector<uint8_t> payload;
      TcpFrameSpec s = draw(k, rng, payload);
      s.has_vlan = i % 2;
      s.checksum = ChecksumMode::kSoftware;
      const size_t ip = EtherHeader::size(s.has_vlan), tcp = ip + kIpv4HeaderLen;
      uint8_t buf[1600];
      ASSERT_GT(build_tcp_frame(buf, sizeof buf, s), 0u);
      s.window = ones_add(s.window, load_be16(buf + tcp + 16));
      s.ip_id = ones_add(s.ip_id, load_be16(buf + ip + 10));
      const std::vector<uint8_t> want = ref_frame(s);
      ASSERT_EQ(build_tcp_frame(buf, sizeof buf, s), want.size()) << k.name;
      EXPECT_EQ(load_be16(buf + tcp + 16), 0) << k.name << " #" << i << ": TCP";
      EXPECT_EQ(load_be16(buf + ip + 10), 0) << k.name << " #" << i << ": IPv4";
      ASSERT_EQ(0, memcmp(buf, want.data(), want.size())) << k.name << " #" << i << ": " << hex_diff(buf, want);
      if (k.sacks || s.has_vlan) continue;
      uint8_t plain[1600] = {};
      ASSERT_EQ(write_plain(plain, s), want.size());
      ASSERT_EQ(0, memcmp(plain, want.data(), want.size())) << k.name << " #" << i << " plain: " << hex_diff(plain, want);
    }
  }
}

}  // namespace
}  // namespace ts::wire
