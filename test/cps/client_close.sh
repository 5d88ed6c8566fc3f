#!/usr/bin/env bash
# Stack to stack over memif: 100,000 connections at a fixed rate (HTTP GET, our FIN first), zero
# failures; both ends count the same connections, nothing is left in use at the end; the
# TIME-WAIT entries stay with the generator (which takes its own over, RFC 6191, as the 28,232
# ports of one address come round again), none with the server.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_N:-100000}
RATE=${TS_CPS_RATE:-20000}

srv_start --mode http
cps_run --rate "$RATE" --requests "$N" --request http --close client --timeout 5
srv_stop || fail "server exited with $?"
expect_clean_run "$N"
# SYN, request (+ the handshake's ACK), FIN (+ ACK of the reply), ACK of theirs; SYN-ACK,
# reply, FIN+ACK.
expect_segments "$N" 3 4
cps_expect stack.counters.enter_time_wait eq "$N"
cps_expect stack.connections.time_wait gt 0
cps_expect stack.connections.time_wait le 28232
cps_expect stack.counters.time_wait_reused eq "$((N - $(jv "$CPS_JSON" stack.connections.time_wait)))"
srv_expect counters.conn_closed eq "$N"
srv_expect counters.enter_last_ack eq "$N"
srv_expect counters.enter_time_wait eq 0
srv_expect connections.time_wait eq 0
srv_expect counters.conn_reset eq 0
t_pass
