#!/usr/bin/env bash
# Stack to stack over memif: 100,000 connections at a fixed rate (HTTP GET, our FIN first), zero
# failures; both ends count the same connections, nothing is left in use at the end (and the
# first, whose SYN waited for ARP, is no connect-time sample); the TIME-WAIT entries stay with
# the generator (which takes its own over, RFC 6191, as the 28,232 ports of one address come
# round again), none with the server. Then the same with a generator
# profile of time_wait_per_queue = 0 (Linux's tcp_max_tw_buckets = 0): the same 7 segments, and
# every closed connection leaves at once, counted as time_wait_overflow. First, each end alone:
# the frames no peer takes are drops, with no bytes counted as sent; a generator that no server
# answers exits 1; a server waiting for its client says its link is down, then up.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_N:-100000}
RATE=${TS_CPS_RATE:-20000}

# A server alone: its ARP announcements find no memif peer to take them. Dropped, not sent, and
# no bytes counted as out for them.
srv_start --mode http
# Its link-down line comes once the link has been down a second: the start's announcement has
# been tried by then.
for ((i = 0; i < 300; i++)); do grep -q "link down" "$SRV_LOG" && break; sleep 0.1; done
srv_stop || fail "server exited with $?"
srv_expect counters.tx_full_drops gt 0
srv_expect counters.tx_packets eq 0
srv_expect counters.tx_bytes eq 0
# A generator alone on a loopback ring: its ARP requests come back unanswered. The run did not
# happen, and says so in its exit status (1) and one line, after its summary and JSON. The answer
# has its own 5 s, whatever --link-wait (which bounded it: with 0, no run could ever begin).
start=$SECONDS
timeout 60 "$CPS_BIN" -l "$CPS_CORE" --no-huge -m 512 --file-prefix "$CPS_PREFIX" --vdev=net_ring0 -- \
  --ip 198.18.0.3/24 --server 198.18.0.2:80 --link-wait 0 --timeout 1 --json "$CPS_JSON" >"$CPS_LOG" 2>"$T_DIR/err"
rc=$?
[[ $rc -eq 1 ]] || fail "a generator with no server exited with $rc, not 1"
grep -qx "turnstile-cps: error: 198.18.0.2 never answered ARP in 5 s: no connection could open (is the --server right?)" "$T_DIR/err" ||
  fail "stderr: $(cat "$T_DIR/err")"
((SECONDS - start >= 4)) || fail "the ARP answer was waited for $((SECONDS - start)) s, not 5"
[[ $(jv "$CPS_JSON" stopped_by) == "no ARP answer from the server" ]] || fail "stopped by $(jv "$CPS_JSON" stopped_by)"
cps_expect completed eq 0

# A server whose memif client has not come says so once its link has been down a second, and
# says when the link comes up.
srv_start --mode http
for ((i = 0; i < 100; i++)); do grep -q "link down" "$SRV_LOG" && break; sleep 0.1; done
grep -qx "turnstile-server: link down on net_memif0: nothing arrives or leaves until it is up (a memif server waits for its client; a NIC for its cable and its peer)" "$SRV_LOG" ||
  fail "no link-down line from a server without its client: $(cat "$SRV_LOG")"
cps_run_stop --rate "$RATE" --requests "$N" --request http --close client --timeout 5
expect_clean_run "$N"
grep -qx "turnstile-server: link up on net_memif0" "$SRV_LOG" || fail "no link-up line once the client came: $(cat "$SRV_LOG")"
# SYN, request (+ the handshake's ACK), FIN (+ ACK of the reply), ACK of theirs; SYN-ACK,
# reply, FIN+ACK.
expect_segments "$N" 3 4
cps_expect stack.counters.enter_time_wait eq "$N"
# The first connection's SYN waited for the server's MAC: no connect-time sample.
[[ $(cps_samples) -eq $((N - 1)) ]] || fail "$(cps_samples) connect-time samples of $N connections, not $((N - 1)) (the warm-up left out)"
cps_expect stack.connections.time_wait gt 0
cps_expect stack.connections.time_wait le 28232
cps_expect stack.counters.time_wait_reused eq "$((N - $(jv "$CPS_JSON" stack.connections.time_wait)))"
srv_expect counters.conn_closed eq "$N"
srv_expect counters.enter_last_ack eq "$N"
srv_expect counters.enter_time_wait eq 0
srv_expect connections.time_wait eq 0
srv_expect counters.conn_reset eq 0
# Busy time: both lcores did work and idled (the rate is far below what either sustains), and a
# single lcore's busy + idle time cannot exceed the server's run.
srv_expect counters.poll_busy_ns gt 0
srv_expect counters.poll_idle_ns gt "$(jv "$SRV_JSON" counters.poll_busy_ns)"
loop_ns=$(($(jv "$SRV_JSON" counters.poll_busy_ns) + $(jv "$SRV_JSON" counters.poll_idle_ns)))
elapsed_ns=$($PY -c "import sys; print(int(float(sys.argv[1]) * 1e9))" "$(jv "$SRV_JSON" elapsed_s)")
((loop_ns <= elapsed_ns + 100000000)) || fail "server busy + idle $loop_ns ns, beyond its run of $elapsed_ns ns"
((loop_ns * 2 >= elapsed_ns)) || fail "server busy + idle $loop_ns ns, under half its run of $elapsed_ns ns"
cps_expect stack.counters.poll_busy_ns gt 0
cps_expect stack.counters.poll_idle_ns gt 0
$PY -c "import json,sys; j=json.load(open(sys.argv[1])); v=j['busy_ns_per_conn']
assert abs(v - j['stack']['counters']['poll_busy_ns'] / j['completed']) < 1, v" "$CPS_JSON" ||
  fail "busy_ns_per_conn is not the generator's busy time per completed connection"
grep -q 'lcores       busy' "$CPS_LOG" || fail "no busy line in turnstile-cps's summary"

NOTW=$T_DIR/memif-no-time-wait.ini
sed 's/^\[stack\]$/[stack]\ntime_wait_per_queue = 0/' "$TS_ROOT/drivers-config/memif.ini" >"$NOTW"
grep -q '^time_wait_per_queue = 0$' "$NOTW" || fail "could not write $NOTW"
M=$((N / 5))
srv_start --mode http
cps_run_stop --config "$NOTW" --rate "$RATE" --requests "$M" --request http --close client --timeout 5
expect_clean_run "$M"
expect_segments "$M" 3 4
cps_expect stack.counters.enter_time_wait eq "$M"
cps_expect stack.counters.time_wait_overflow eq "$M"
cps_expect stack.connections.time_wait eq 0
cps_expect stack.counters.time_wait_reused eq 0
srv_expect counters.conn_closed eq "$M"
t_pass
