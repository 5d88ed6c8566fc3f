#!/usr/bin/env bash
# Stack to stack over memif through a faulty wire on the generator's port (5% loss, duplicates,
# reordering, both directions): every connection still completes, through retransmission, and
# both ends count the same connections.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_N:-2000}
FAULT="drop=0.05,dup=0.01,reorder=0.02,reorder_ms=2,seed=7,dir=both"

srv_start --mode http
cps_run_stop --rate 1000 --requests "$N" --request http --close client --timeout 30 --fault "$FAULT"
grep -q "^turnstile-cps: faulty wire: " "$CPS_LOG" || fail "turnstile-cps did not announce its faulty wire"
cps_expect attempted eq "$N"
cps_expect completed eq "$N"
cps_expect failures eq 0
cps_expect in_flight eq 0
srv_expect counters.conn_accepted eq "$N"
retx=$(($(jv "$CPS_JSON" stack.counters.tcp_retransmits) + $(jv "$SRV_JSON" counters.tcp_retransmits)))
((retx > 0)) || fail "no retransmission at 5% loss: the faulty wire did not act"
info "retransmissions, both ends: $retx"
t_pass
