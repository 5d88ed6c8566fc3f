#!/usr/bin/env bash
# The README's first command, scripts/demo, runs to the end: traffic flows, the server's summary
# shows it, and nothing is left behind.
source "$(dirname "$0")/lib.sh" "$@"
need curl

# The server through a wrapper that records its arguments: the command line the demo shows must be
# the one it runs (it showed one without --stats-interval 1 --json FILE, which it passed).
cat >"$TS_DIR/server" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$0" "\$@" >"$TS_DIR/argv"
exec "$TS_SERVER" "\$@"
EOF
chmod +x "$TS_DIR/server"
out=$(TURNSTILE_SERVER=$TS_DIR/server timeout 120 "$TS_ROOT/scripts/demo" 1 2>&1) || fail "demo failed: $out"
shown=$(grep -m 1 "^$TS_DIR/server " <<<"$out")
eval "words=($shown)"
[[ $(printf '%s\n' "${words[@]}") == "$(cat "$TS_DIR/argv")" ]] ||
  fail "the demo shows '$shown' but runs '$(tr '\n' ' ' <"$TS_DIR/argv")'"
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
