// 802.1Q tags of a port on one VLAN ([port] vlan): taken off every frame received before the
// stack parses it, put on every frame it sends, by the NIC where the PMD offers it
// (PortCaps::rx_vlan_strip, tx_vlan_insert), in software otherwise (wire/ether.h's bytes, here
// the mbuf's bounds). So lib/wire's parser and builders and lib/tcp only ever see untagged
// frames, and every frame sent is tagged where all of them pass (Lcore::flush_tx), whatever
// built it: segments, RSTs, ARP, echo replies, replies written in place.
//
// Thread safety: none needed; each call touches only the mbuf it is given.
#pragma once
#include <rte_mbuf.h>

#include "wire/ether.h"

namespace ts::dpdk {

// Whether m, as received, is on VLAN `vid`; if so, its tag is gone when this returns. Untagged
// frames (priority-tagged ones too: id 0) and other ids are not ours. `hw_strip`: the PMD was
// asked to strip tags, and says so per frame; a frame it left tagged is read here all the same.
inline bool vlan_untag(rte_mbuf* m, uint16_t vid, bool hw_strip) {
  if (hw_strip && (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)) return (m->vlan_tci & wire::kVlanIdMask) == vid;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  if (!wire::vlan_tagged_with(p, m->data_len, vid)) return false;
  wire::strip_vlan_tag(p);
  rte_pktmbuf_adj(m, wire::kVlanTagLen);
  return true;
}

// Tags m (to be sent) with `vid`, priority 0. False, m untouched, when it has no headroom for
// the tag (never a frame of our pools: 128 bytes of headroom). `hw_insert`: the NIC does it.
inline bool vlan_tag(rte_mbuf* m, uint16_t vid, bool hw_insert) {
  if (hw_insert) {
    m->ol_flags |= RTE_MBUF_F_TX_VLAN;
    m->vlan_tci = vid;
    return true;
  }
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  if (!rte_pktmbuf_prepend(m, wire::kVlanTagLen)) return false;
  wire::insert_vlan_tag(p, vid);
  // Checksum offloads find the IPv4 header past the tag.
  if (m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)) m->l2_len += wire::kVlanTagLen;
  return true;
}

}  // namespace ts::dpdk
