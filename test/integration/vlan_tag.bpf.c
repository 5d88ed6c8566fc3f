// The kernel's side of tests `vlan` and `vlan_veth` on a kernel without 802.1Q devices
// (CONFIG_VLAN_8021Q unset, as on this project's VMs): tc programs on the tap or veth that do a
// VLAN device's work, so that the kernel's stack still sees only VLAN VID's frames and tags all it
// sends. Built by lib.sh's vlan_peer:
//   clang -O2 -target bpf -DVID=100 -c vlan_tag.bpf.c; tc filter add ... bpf da obj ... sec ingress
// No libbpf headers: the two helpers are named by their numbers in linux/bpf.h.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#define SEC(name) __attribute__((section(name), used))

static long (*skb_vlan_push)(struct __sk_buff*, __be16, __u16) = (void*)BPF_FUNC_skb_vlan_push;
static long (*skb_vlan_pop)(struct __sk_buff*) = (void*)BPF_FUNC_skb_vlan_pop;

// Frames from the stack: tagged VID, they lose the tag (the kernel took it into the skb before
// tc runs); untagged or another VLAN's, they are dropped, as no VLAN device would take them.
SEC("ingress") int untag(struct __sk_buff* skb) {
  if (!skb->vlan_present || (skb->vlan_tci & 0x0fff) != VID) return TC_ACT_SHOT;
  return skb_vlan_pop(skb) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

// Frames to the stack: every one tagged VID (a tap writes the tag into the frame's bytes; a veth
// hands it on beside them, to af_packet as tp_vlan_tci).
SEC("egress") int tag(struct __sk_buff* skb) {
  return skb_vlan_push(skb, __builtin_bswap16(ETH_P_8021Q), VID) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";
