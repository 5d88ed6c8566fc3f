#!/usr/bin/env bash
# turnstile-server --fault on a tap, the kernel as the client: with loss, duplicates, reordering,
# delay and corruption in both directions, every fetch still works (both TCPs retransmit), and
# every frame the faulty wire damaged on the way in is dropped by a checksum and counted.
source "$(dirname "$0")/../integration/lib.sh" "$@"
TS_ID="rob${TS_NAME:0:4}$$" TS_IF="t${TS_ID:0:14}" TS_NS="tsi-$TS_ID" TS_PREFIX="tsi_$TS_ID"
command -v curl >/dev/null || skip "no curl"

SPEC="drop=0.05,dup=0.05,reorder=0.1,delay_ms=1,corrupt=0.03,seed=11"
ts_start --mode http --fault "$SPEC"
in_ns ping -c 1 -W 5 "$TS_IP" >/dev/null || in_ns ping -c 3 -W 5 "$TS_IP" >/dev/null || fail "no ping"
N=40
ok=0
for ((i = 0; i < N; i++)); do
  code=$(in_ns curl -sS -m 30 -o /dev/null -w '%{http_code}' "http://$TS_IP/") && [[ $code == 200 ]] && ok=$((ok + 1))
done
info "$ok of $N fetches answered 200 over the faulty wire"
[[ $ok -eq $N ]] || fail "$((N - ok)) fetches failed"
grep -q "faulty wire: drop=0.05,dup=0.05,reorder=0.1,corrupt=0.03,delay_ms=1,reorder_ms=3,seed=11,dir=both" "$TS_LOG" ||
  fail "the server did not announce its faulty wire"
# The last closes may still be retransmitting over the lossy wire: stop once the server holds
# no connection but in TIME-WAIT (read over telemetry), so that no frame is left held.
$PY - "/var/run/dpdk/$TS_PREFIX/dpdk_telemetry.v2" <<'EOF' || fail "connections still open 60 s after the last fetch"
import json, socket, sys, time
OPEN = ["conns_" + k for k in ("syn_sent", "syn_received", "established", "fin_wait_1",
                                "fin_wait_2", "close_wait", "closing", "last_ack")]
def gauges():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.recv(16384)
    s.send(b"/turnstile/stats")
    r = json.loads(s.recv(1 << 20).decode())["/turnstile/stats"]
    s.close()
    return r
end = time.time() + 60
while sum(gauges()[k] for k in OPEN) > 0:
    if time.time() > end:
        sys.exit(1)
    time.sleep(0.1)
EOF
sleep 0.2  # a frame held (1 ms delay) after the last ACK reaches the stack before it stops
ts_stop || fail "server exited with $?"

expect fault.held eq 0
for d in rx tx; do
  expect "fault.$d.dropped" gt 0
  expect "fault.$d.duplicated" gt 0
  expect "fault.$d.reordered" gt 0
  expect "fault.$d.corrupted" gt 0
done
# Every frame damaged on the way in failed a check of the IPv4 or TCP header: one drop each.
parse_drops=$($PY -c 'import json,sys
c=json.load(open(sys.argv[1]))["counters"]
print(sum(v for k,v in c.items() if k.startswith(("drop_ip_","drop_tcp_")) and k not in ("drop_ip_not_ours","drop_tcp_syn_fin")))' "$TS_JSON")
corrupted=$(json fault.rx.corrupted)
[[ $parse_drops -eq $corrupted ]] || fail "$corrupted frames corrupted on the way in, $parse_drops dropped by the header checks"
info "$corrupted corrupted frames in, $parse_drops dropped by the IPv4/TCP checks"
expect counters.tcp_retransmits gt 0
expect counters.conn_accepted ge $N
expect_nothing_left
ts_pass
