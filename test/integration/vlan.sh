#!/usr/bin/env bash
# A trunk port: turnstile-server on VLAN 100 (--vlan), the kernel's side an 802.1Q subinterface
# (id 100) of the tap carrying the address, the tap itself none. The kernel's VLAN device takes
# only frames tagged 100 and tags all it sends, so ARP, ping and an HTTP exchange working at all
# say that both directions are tagged right; the counters say nothing was dropped. A kernel
# built without 802.1Q devices gets tc programs on the tap that do the same (vlan_tag.bpf.c).
source "$(dirname "$0")/lib.sh" "$@"
need curl

# vlan_device: VLAN 100 as a device of the tap's, the address moved onto it.
vlan_device() {
  in_ns ip link add link "$TS_IF" name "$PEER_IF" type vlan id 100 2>"$TS_DIR/vlan.err" || return 1
  in_ns ip addr flush dev "$TS_IF" || fail "could not take the address off $TS_IF"
  in_ns sysctl -qw "net.ipv6.conf.$PEER_IF.disable_ipv6=1" 2>/dev/null
  in_ns ip addr add "$TS_PEER/24" dev "$PEER_IF" || fail "could not address $PEER_IF"
  in_ns ip link set "$PEER_IF" up || fail "could not bring $PEER_IF up"
  info "kernel: $TS_PEER on $PEER_IF, VLAN 100 over $TS_IF"
}

# vlan_programs: the tap keeps its address; tc programs on it take tag 100 off and put it on.
vlan_programs() {
  grep -q "Unknown device type" "$TS_DIR/vlan.err" || fail "ip link add ... type vlan: $(cat "$TS_DIR/vlan.err")"
  need clang-14
  need tc iproute2
  clang-14 -O2 -target bpf -DVID=100 -I"/usr/include/$(gcc -print-multiarch)" \
    -c "$TS_ROOT/test/integration/vlan_tag.bpf.c" -o "$TS_DIR/vlan_tag.o" || fail "could not build vlan_tag.bpf.c"
  local hook
  in_ns tc qdisc add dev "$TS_IF" clsact || fail "could not add a clsact qdisc to $TS_IF"
  for hook in ingress egress; do
    in_ns tc filter add dev "$TS_IF" "$hook" bpf da obj "$TS_DIR/vlan_tag.o" sec "$hook" ||
      fail "could not attach vlan_tag.bpf.c's $hook program to $TS_IF"
  done
  PEER_IF=$TS_IF
  info "kernel: no 802.1Q devices (CONFIG_VLAN_8021Q); tc programs on $TS_IF tag and untag VLAN 100"
}

ts_start --vlan 100 --mode http --body "tagged hello"
PEER_IF="v${TS_ID:0:12}"
vlan_device || vlan_programs
# What the kernel sent before (IPv6 noise of the tap's start in the host's namespace, untagged)
# is dropped and counted; from here on nothing may be.
drops_before=$(telemetry /turnstile/stats) || fail "no answer to /turnstile/stats"

out=$(in_ns ping -c 3 -i 0.2 -W 2 "$TS_IP") || fail "ping over VLAN 100 failed: $out"
echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets: $out"
info "ping over VLAN 100: 3 of 3 answered"

body=$(in_ns curl -sS --max-time 10 -o - -w '|%{http_code}' "http://$TS_IP/") || fail "curl failed: $body"
[[ $body == "tagged hello|200" ]] || fail "expected the body and 200, got '$body'"
info "GET / over VLAN 100 -> 200, body intact"


ts_stop || fail "server exited with $?"
expect counters.icmp_echo_out ge 3
expect counters.arp_replies_out ge 1
dropped=$($PY - "$drops_before" "$TS_JSON" <<'EOF'
import json, sys
before = json.loads(sys.argv[1])["/turnstile/stats"]
after = json.load(open(sys.argv[2]))["counters"]
print(" ".join(f"{k}={after[k] - before.get(k, 0)}" for k in sorted(after)
               if k.startswith("drop_") and after[k] != before.get(k, 0)))
EOF
) || fail "no counters in the server's JSON"
[[ -z $dropped ]] || fail "frames dropped over VLAN 100: $dropped"
info "no drop counter moved once VLAN 100 was up (drop_eth_vlan $(json counters.drop_eth_vlan) before)"
expect_nothing_left
ts_pass
