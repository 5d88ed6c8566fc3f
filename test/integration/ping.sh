#!/usr/bin/env bash
# ping from the kernel's namespace gets echo replies; both sides learn each other by ARP; the
# counters reach DPDK telemetry, /turnstile/prometheus as valid exposition text (its lines joined).
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

# /turnstile/prometheus: every family typed once, by a TYPE line before its samples; counters
# counter, the connection gauges gauge; the echo replies counted there too.
prom=$(telemetry /turnstile/prometheus) || fail "no answer to /turnstile/prometheus"
$PY - "$prom" <<'EOF' || fail "/turnstile/prometheus is not valid exposition text: $prom"
import json, re, sys
lines = json.loads(sys.argv[1])["/turnstile/prometheus"]
assert isinstance(lines, list) and lines, lines
text = "\n".join(lines) + "\n"
types, current, values = {}, None, {}
for l in text.splitlines():
    m = re.fullmatch(r"# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)", l)
    if m:
        assert m[1] not in types, f"a second TYPE line for {m[1]}"
        types[m[1]], current = m[2], m[1]
        continue
    assert not l.startswith("#"), l
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="[a-z_0-9]+"\})? (-?[0-9]+)', l)
    assert m, f"not a sample line: {l!r}"
    assert m[1] == current, f"{m[1]} outside its TYPE line's block (in {current})"
    values[m[1] + (m[2] or "")] = int(m[3])
counters = [n for n, t in types.items() if t == "counter"]
assert all(n.endswith("_total") for n in counters), counters
assert types.pop("turnstile_connections") == "gauge"
assert set(types.values()) == {"counter"} and len(counters) > 90, types
assert values["turnstile_icmp_echo_out_total"] >= 5, values
assert values['turnstile_connections{state="established"}'] == 0, values
print(f"# /turnstile/prometheus: {len(lines)} lines, {len(counters)} counters, one gauge family")
EOF

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
