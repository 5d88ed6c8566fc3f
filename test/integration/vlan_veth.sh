#!/usr/bin/env bash
# The NIC's VLAN path: turnstile-server --vlan 100 on net_af_packet over a veth pair, whose PMD
# strips tags on receipt (vlan_tci, RTE_MBUF_F_RX_VLAN_STRIPPED) and inserts them on send
# (RTE_MBUF_F_TX_VLAN), and says so in the port's debug line. The namespace's end of the veth is
# VLAN 100's (lib.sh: vlan_peer), so ARP, ping and an HTTP exchange (a 36 KB body: full-size
# frames, 1518 bytes with the tag) working say both directions are tagged right, and no drop
# counter may move. Then two frames sent past the namespace's
# tagging (a packet socket with PACKET_QDISC_BYPASS skips tc's egress), an ARP request for the
# server's address on VLAN 200 and one untagged: both dropped and counted (drop_eth_vlan),
# neither answered.
source "$(dirname "$0")/lib.sh" "$@"
need curl
PEER_IF="${TS_IF}p"   # scripts/netns veth names the namespace's end so
BODY=$(printf 'tagged by the PMD %05d\n' {1..1500})

"$TS_ROOT/scripts/netns" veth "$TS_NS" "$TS_IF" "$TS_PEER/24" || fail "scripts/netns veth failed"
vlan_peer "$PEER_IF" 100
"$TS_SERVER" -l 1 --no-huge -m 512 --file-prefix "$TS_PREFIX" --log-level=lib.turnstile.port:debug \
  --vdev="net_af_packet0,iface=$TS_IF,qpairs=1,blocksz=4096,framesz=2048,framecnt=512" -- \
  --ip "$TS_IP/24" --config "$TS_ROOT/drivers-config/af_packet.ini" --vlan 100 \
  --mode http --body "$BODY" --json "$TS_JSON" --stats-interval 0 >"$TS_LOG" 2>&1 &
TS_PID=$!
NETNS_WAIT=30 "$TS_ROOT/scripts/netns" ready "$TS_LOG" || fail "the server's port did not start"
grep -q "net_af_packet0 (net_af_packet): .*, VLAN 100 tag rx offloaded tx offloaded" "$TS_LOG" ||
  fail "the port does not say it uses the PMD's VLAN strip and insert: $(grep -i vlan "$TS_LOG")"
info "port: VLAN 100 tag rx offloaded tx offloaded (af_packet's strip and insert)"
drops_before=$(telemetry /turnstile/stats) || fail "no answer to /turnstile/stats"

ping_and_get 100 "$BODY"

arp_before=$(counter arp_replies_out) || fail "no answer to /turnstile/stats"
vlan_before=$(counter drop_eth_vlan) || fail "no answer to /turnstile/stats"
in_ns "$PY" - "$PEER_IF" "$(cat "/sys/class/net/$TS_IF/address")" "$TS_PEER" "$TS_IP" <<'PYEOF' || fail "could not send the foreign frames"
import socket, struct, sys
ifc, dst, spa, tpa = sys.argv[1:5]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS: past tc's egress program
s.bind((ifc, 0))
src = open(f"/sys/class/net/{ifc}/address").read().strip()
mac = lambda a: bytes.fromhex(a.replace(":", ""))
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(src), socket.inet_aton(spa),
                  b"\0" * 6, socket.inet_aton(tpa))
for tag in (struct.pack("!HH", 0x8100, 200), b""):  # VLAN 200, then untagged
    s.send((mac(dst) + mac(src) + tag + b"\x08\x06" + arp).ljust(60, b"\0"))
PYEOF
wait_counter drop_eth_vlan $((vlan_before + 2)) 5 || fail "drop_eth_vlan $(counter drop_eth_vlan), expected $((vlan_before + 2))"
sleep 0.2  # an answer, were there one, would be out by now
[[ $(counter arp_replies_out) == "$arp_before" ]] || fail "an ARP request on VLAN 200 or untagged was answered"
info "ARP requests on VLAN 200 and untagged: dropped (drop_eth_vlan +2), not answered"

ts_stop || fail "server exited with $?"
expect counters.icmp_echo_out ge 3
expect counters.arp_replies_out ge 1
dropped=$(drops_since "$drops_before") || fail "no counters in the server's JSON"
[[ $dropped == "drop_eth_vlan=2" ]] || fail "expected only the 2 foreign frames dropped, got: ${dropped:-none}"
info "drops since VLAN 100 was up: $dropped (the 2 foreign frames, nothing else)"
[[ ! -e /var/run/dpdk/$TS_PREFIX ]] || fail "runtime directory left behind"
ts_pass
