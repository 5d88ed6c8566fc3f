// The Toeplitz hash NICs compute for receive-side scaling, in software.
//
// The NIC hashes the received packet's (src addr, dst addr, src port, dst port), all in network
// byte order, with a 40-byte secret key; the low bits of the hash index the redirection table
// (reta.h) that names the RX queue. Computing the same hash here lets the stack look connections
// up with the NIC's hash and pick source ports whose replies land on a chosen queue.
//
// Toeplitz hashing is linear over GF(2): the hash of the input is the XOR of the contribution of
// each set input bit, and the contribution of bit i is the 32-bit key window starting at key bit i.
// So a per-key table of the contribution of every value of every input byte (12 bytes x 256 values
// for an IPv4 4-tuple, 12 KiB, as DPDK's rte_thash precomputes) turns a hash into 12 loads and
// XORs.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace ts::rss {

constexpr size_t kKeyLen = 40;  // what NICs use for IPv4/IPv6 (Intel, Mellanox, virtio)
using Key = std::array<uint8_t, kKeyLen>;

// The key of Microsoft's RSS verification suite; also the default of many PMDs.
extern const Key kMicrosoftKey;
// 0x6d5a repeated. Any key with a 16-bit period gives hash(a->b) == hash(b->a) for IPv4 TCP/UDP
// (addresses are 32 bits apart, ports 16 bits apart), so both directions of a flow share a queue.
extern const Key kSymmetricKey;

// Bit-by-bit Toeplitz over `len` bytes (len <= kKeyLen - 4). The definition; slow; used by tests
// and by table construction.
uint32_t toeplitz_reference(const Key& key, const uint8_t* data, size_t len);

// Table-driven hash for IPv4: the 2-tuple (addresses) and 4-tuple (addresses and ports) types.
class Toeplitz {
 public:
  explicit Toeplitz(const Key& key);

  // Hash of a packet from src to dst as the NIC computes it. Arguments in host byte order.
  uint32_t hash_v4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) const {
    return addr_part(src, dst) ^ port_part(sport, dport);
  }
  // The L3-only hash (RSS type IPV4, for non-TCP/UDP or fragments).
  uint32_t hash_v4_addrs(uint32_t src, uint32_t dst) const { return addr_part(src, dst); }

  const Key& key() const { return key_; }

  // The two halves, exposed so a port search can hash the fixed part once.
  uint32_t addr_part(uint32_t src, uint32_t dst) const { return word(0, src) ^ word(4, dst); }
  uint32_t port_part(uint16_t sport, uint16_t dport) const {
    return t_[8][sport >> 8] ^ t_[9][sport & 0xff] ^ t_[10][dport >> 8] ^ t_[11][dport & 0xff];
  }

 private:
  static constexpr int kInputBytes = 12;  // IPv4 addresses and ports

  uint32_t word(int at, uint32_t v) const {
    return t_[at][v >> 24] ^ t_[at + 1][(v >> 16) & 0xff] ^ t_[at + 2][(v >> 8) & 0xff] ^
           t_[at + 3][v & 0xff];
  }

  uint32_t t_[kInputBytes][256];
  Key key_;
};

}  // namespace ts::rss
