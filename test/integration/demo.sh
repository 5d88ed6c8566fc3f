#!/usr/bin/env bash
# The README's first command, scripts/demo, runs to the end: traffic flows, the server's summary
# shows it, and nothing is left behind.
source "$(dirname "$0")/lib.sh" "$@"
need curl

out=$(TURNSTILE_SERVER=$TS_SERVER timeout 120 "$TS_ROOT/scripts/demo" 1 2>&1) || fail "demo failed: $out"
echo "$out" | tail -n 8
grep -q "64 bytes from $TS_IP" <<<"$out" || fail "no ping reply in the demo"
grep -q "Hello from Turnstile" <<<"$out" || fail "no HTTP body in the demo"
grep -q "^summary after" <<<"$out" || fail "no server summary in the demo"
accepted=$(sed -n 's/.*connections accepted \([0-9]*\).*/\1/p' <<<"$out")
((accepted >= 2)) || fail "the summary shows $accepted accepted connections"
! grep -q "request .* failed" <<<"$out" || fail "curl requests failed"
[[ -z $(ip netns list | grep ts-demo-) ]] || fail "the demo left a namespace"
[[ -z $(ls /var/run/dpdk | grep ts_demo_) ]] || fail "the demo left a runtime directory"
info "demo: $accepted connections accepted"
ts_pass
