// Ethernet II headers, with at most one 802.1Q VLAN tag.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wire/bytes.h"
#include "wire/error.h"

namespace ts::wire {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;  // 802.1Q
inline constexpr uint16_t kEtherTypeQinQ = 0x88a8;  // 802.1ad outer tag
inline constexpr size_t kEtherHeaderLen = 14;
inline constexpr size_t kVlanTagLen = 4;

struct Mac {
  uint8_t b[6] = {};

  // One 4-byte and one 2-byte compare, not six byte compares (the default ==): every frame
  // received is compared with our address.
  constexpr bool operator==(const Mac& o) const { return __builtin_memcmp(b, o.b, sizeof b) == 0; }
  constexpr bool is_broadcast() const {
    return (b[0] & b[1] & b[2] & b[3] & b[4] & b[5]) == 0xff;
  }
  // Group bit: broadcast and multicast destinations.
  constexpr bool is_multicast() const { return b[0] & 1; }
  constexpr bool is_zero() const { return (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0; }
  static constexpr Mac broadcast() { return Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
};

struct EtherHeader {
  Mac dst;
  Mac src;
  uint16_t type = 0;      // the ethertype after any VLAN tag
  bool has_vlan = false;
  uint16_t vlan_tci = 0;  // PCP, DEI and VLAN id as on the wire, when has_vlan
  uint8_t len = 0;        // 14, or 18 with a tag: where the L3 header starts

  static constexpr size_t size(bool vlan) { return kEtherHeaderLen + (vlan ? kVlanTagLen : 0); }
};

inline WireError parse_ether(const uint8_t* p, size_t len, EtherHeader& out) {
  if (len < kEtherHeaderLen) return WireError::kEthTruncated;
  std::memcpy(out.dst.b, p, 6);
  std::memcpy(out.src.b, p + 6, 6);
  uint16_t type = load_be16(p + 12);
  out.has_vlan = false;
  out.vlan_tci = 0;
  out.len = kEtherHeaderLen;
  if (type == kEtherTypeVlan) {
    if (len < kEtherHeaderLen + kVlanTagLen) return WireError::kEthTruncated;
    out.has_vlan = true;
    out.vlan_tci = load_be16(p + 14);
    out.len = kEtherHeaderLen + kVlanTagLen;
    type = load_be16(p + 16);
  }
  if (type == kEtherTypeVlan || type == kEtherTypeQinQ) return WireError::kEthVlanUnsupported;
  out.type = type;
  return WireError::kOk;
}

// Writes h (h.len is ignored: the tag decides) and returns the bytes written, 0 if cap is short.
inline size_t build_ether(uint8_t* p, size_t cap, const EtherHeader& h) {
  size_t n = EtherHeader::size(h.has_vlan);
  if (cap < n) return 0;
  std::memcpy(p, h.dst.b, 6);
  std::memcpy(p + 6, h.src.b, 6);
  if (h.has_vlan) {
    store_be16(p + 12, kEtherTypeVlan);
    store_be16(p + 14, h.vlan_tci);
  }
  store_be16(p + n - 2, h.type);
  return n;
}

// A port on one VLAN (a trunk port's frames carry one 802.1Q tag, ours): the tag comes off a
// frame received before it is parsed, and goes on a frame built untagged before it is sent, in
// place, so that the parser and the builders above never need to know the port's VLAN.
inline constexpr uint16_t kVlanIdMask = 0x0fff;  // the TCI's low 12 bits; priority and DEI above
inline constexpr size_t kMacsLen = 12;           // destination and source, before any tag

// Whether the frame p[0..len) carries an 802.1Q tag for VLAN `vid` (1..4094) right after its MACs.
inline bool vlan_tagged_with(const uint8_t* p, size_t len, uint16_t vid) {
  return len >= kEtherHeaderLen + kVlanTagLen && load_be16(p + kMacsLen) == kEtherTypeVlan &&
         (load_be16(p + kMacsLen + 2) & kVlanIdMask) == vid;
}

// Takes the tag off a tagged frame at p: the MACs move up over it. The untagged frame starts at
// the returned p + 4.
inline uint8_t* strip_vlan_tag(uint8_t* p) {
  std::memmove(p + kVlanTagLen, p, kMacsLen);
  return p + kVlanTagLen;
}

// Tags the frame at p with `tci`: the MACs move down into the 4 bytes before p, which the caller
// owns, and the tag follows them. The tagged frame starts at the returned p - 4.
inline uint8_t* insert_vlan_tag(uint8_t* p, uint16_t tci) {
  uint8_t* q = p - kVlanTagLen;
  std::memmove(q, p, kMacsLen);
  store_be16(q + kMacsLen, kEtherTypeVlan);
  store_be16(q + kMacsLen + 2, tci);
  return q;
}

}  // namespace ts::wire
