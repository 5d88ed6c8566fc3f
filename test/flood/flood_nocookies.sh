#!/usr/bin/env bash
# The same SYN flood with cookies `off`: the defence matters. The spoofed SYNs fill the half-open
# bound (64) with blocks that never complete (each lives through its SYN-ACK retransmissions,
# about a minute); every later SYN, real clients' included, is dropped and counted. Asserts: the
# counters show the half-open population at its bound and half-open drops, no cookie sent, and
# real clients (curl, short --max-time) time out while the flood runs.
source "$(dirname "$0")/lib.sh" "$@"

FLOOD_COUNT=${FLOOD_COUNT:-30000}
CURLS=${FLOOD_CURLS:-20}

flood_start off --mode http
code=$(in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://$TS_IP/") || fail "no answer before the flood"
[[ $code == 200 ]] || fail "GET before the flood answered $code"

flood_begin "$FLOOD_COUNT" 100 60
wait_half_open_full 15 || fail "the flood did not fill the half-open bound ($FLOOD_HALF_OPEN) within 15 s"
info "half-open at its bound of $FLOOD_HALF_OPEN, cookies off"

# Real clients in parallel, each allowed 2 s (its SYN and one retransmission).
pids=()
for ((i = 0; i < CURLS; i++)); do
  in_ns curl -s --max-time 2 -o /dev/null -H 'Connection: close' "http://$TS_IP/" &
  pids+=($!)
done
ok=0 timeouts=0 other=0
for p in "${pids[@]}"; do
  wait "$p"
  case $? in 0) ok=$((ok + 1)) ;; 28) timeouts=$((timeouts + 1)) ;; *) other=$((other + 1)) ;; esac
done
flood_running && flood_during=yes || flood_during=no
info "curl under flood, cookies off: $ok succeeded, $timeouts timed out, $other other failures (flood still running: $flood_during)"

flood_wait "$FLOOD_COUNT"
half_open_max=$(max_gauge syn-rcvd)
ts_stop || fail "server exited with $?"

# Real clients failing: the half-open blocks of the flood outlive the test, so no real SYN can get
# one; at least half of them must have timed out (in practice all).
((timeouts >= 1 && timeouts * 2 >= CURLS)) || fail "only $timeouts of $CURLS real clients timed out with cookies off"
expect counters.half_open_drops ge "$CURLS"
expect counters.syncookies_sent eq 0
expect counters.syncookies_ok eq 0
((half_open_max == FLOOD_HALF_OPEN)) || fail "half-open peaked at $half_open_max, expected the bound $FLOOD_HALF_OPEN"
expect counters.enter_syn_received le $((FLOOD_HALF_OPEN + 1))
expect counters.conn_accepted eq $((1 + ok))
expect counters.arp_requests_out le 10
ts_pass
