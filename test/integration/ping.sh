#!/usr/bin/env bash
# ping from the kernel's namespace gets echo replies; both sides learn each other by ARP; the
# counters reach DPDK telemetry.
source "$(dirname "$0")/lib.sh" "$@"
need dpdk-telemetry.py dpdk-dev

ts_start
out=$(in_ns ping -c 5 -i 0.2 -W 2 "$TS_IP") || fail "ping failed: $out"
echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets: $out"
mac=$(in_ns ip neigh show "$TS_IP" | awk '{print $5}')
[[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || fail "kernel has no ARP entry for $TS_IP: $(in_ns ip neigh)"
info "kernel learned $TS_IP at $mac"

# DPDK's own telemetry client finds the counters too.
tel=$(echo /turnstile/stats | timeout 10 dpdk-telemetry.py -f "$TS_PREFIX" 2>&1)
echo "$tel" | $PY -c 'import json,sys
t=sys.stdin.read(); j=json.loads(t[t.index("{", t.index("/turnstile/stats")-2):t.rindex("}")+1])
s=j["/turnstile/stats"]; assert s["icmp_echo_out"] >= 5, s' || fail "telemetry did not show the echo replies: $tel"
info "dpdk-telemetry.py /turnstile/stats: icmp_echo_out >= 5"

kernel_mac=$(in_ns cat "/sys/class/net/$TS_IF/address")
ts_stop || fail "server exited with $?"
expect counters.icmp_echo_in ge 5
expect counters.icmp_echo_out ge 5
expect counters.arp_replies_out ge 1
learned=$($PY -c 'import json,sys
print(" ".join(n["ip"]+"="+n["mac"] for n in json.load(open(sys.argv[1]))["neighbours"]))' "$TS_JSON")
[[ $learned == *"$TS_PEER=$kernel_mac"* ]] || fail "stack's ARP cache [$learned] lacks $TS_PEER=$kernel_mac"
info "stack learned $TS_PEER at $kernel_mac"
expect_nothing_left
ts_pass
