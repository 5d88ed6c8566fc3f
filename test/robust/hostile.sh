#!/usr/bin/env bash
# Hostile input through the real datapath: turnstile-server on a tap, the kernel in a namespace,
# and hostile.py (scapy) crafting malformed frames and attacks on connections from a host that
# does not exist. Each case must get the reply the RFCs ask for (or none, sniffed on the wire)
# and move the matching counter (read over telemetry before and after; the JSON at the end has
# the totals). Meanwhile curl, through the kernel, keeps fetching pages: every fetch must work.
source "$(dirname "$0")/../integration/lib.sh" "$@"
# Names of our own ("rob"), so that runs beside other helpers' tests never meet.
TS_ID="rob${TS_NAME:0:4}$$" TS_IF="t${TS_ID:0:14}" TS_NS="tsi-rob${TS_NAME:0:4}-$$" TS_PREFIX="tsi_$TS_ID"

$PY -c 'import scapy' 2>/dev/null || fail "no scapy for $PY: install python3-scapy (scripts/setup installs it)"
need curl

ts_start --mode http
sock=/var/run/dpdk/$TS_PREFIX/dpdk_telemetry.v2
for ((i = 0; i < 200; i++)); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "no telemetry socket $sock"
in_ns ping -c 1 -W 5 "$TS_IP" >/dev/null || fail "the server does not answer ping"

# The real client: one fetch after another until told to stop; one status line per fetch.
codes=$TS_DIR/codes
in_ns bash -c "while [[ ! -e $TS_DIR/stop ]]; do
  curl -sS -m 5 -o /dev/null -w '%{http_code}\n' http://$TS_IP/ 2>>$TS_DIR/curl.err || echo failed
done" >"$codes" &
TS_EXTRA_PIDS+=($!)
CURL=$!

in_ns timeout 180 "$PY" "$(dirname "$0")/hostile.py" "$TS_IF" "$TS_IP" 80 "$sock" | tee "$TS_DIR/hostile.out"
rc=${PIPESTATUS[0]}
touch "$TS_DIR/stop"
wait $CURL
[[ $rc -eq 0 ]] || fail "hostile.py: $(grep -c ^FAIL "$TS_DIR/hostile.out") case(s) failed (exit $rc)"

total=$(wc -l <"$codes")
good=$(grep -cx 200 "$codes")
info "curl during the barrage: $good of $total fetches answered 200"
[[ $total -ge 10 ]] || fail "only $total fetches ran during the barrage"
[[ $good -eq $total ]] || fail "$((total - good)) fetches failed during the barrage: $(sort "$codes" | uniq -c | tr '\n' ' ') $(head -3 "$TS_DIR/curl.err")"

ts_stop || fail "server exited with $?"
# The totals in the JSON: each crafted defect counted where it belongs.
expect counters.drop_eth_malformed eq 1
expect counters.drop_ip_header_length eq 2
expect counters.drop_ip_total_length eq 1
expect counters.drop_tcp_malformed eq 4
expect counters.drop_ip_checksum eq 1
expect counters.drop_tcp_checksum eq 1
expect counters.drop_ip_fragment eq 2
expect counters.drop_ip_source eq 7
expect counters.drop_eth_not_ours ge 1
expect counters.drop_tcp_syn_fin eq 1
expect counters.tcp_challenge_acks ge 2
expect counters.tcp_bad_ack ge 1
expect counters.tcp_bad_seq ge 1
expect counters.tcp_rst_ignored ge 2
expect counters.conn_accepted ge "$good"
expect_nothing_left
ts_pass
