#!/usr/bin/env bash
# Stack to stack over memif, the server closing first (HTTP `Connection: close`): zero failures,
# both ends agree, and the TIME-WAIT entries are the server's, none the generator's. The
# generator's ports come round again while the server still holds the old incarnation in
# TIME-WAIT: the server must reopen it (RFC 6191), or the connections would fail. Then the same
# across processes: a second generator run opens the 1,000 tuples the first left in the server's
# TIME-WAIT, and its SYNs, whose timestamps run on from the first run's, reopen every one at once.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_N:-40000}
RATE=${TS_CPS_RATE:-20000}

srv_start --mode http
cps_run_stop --rate "$RATE" --requests "$N" --request http --close server --timeout 5
expect_clean_run "$N"
# SYN, request (+ the handshake's ACK), FIN+ACK; SYN-ACK, reply+FIN, ACK.
expect_segments "$N" 3 3
cps_expect stack.counters.enter_time_wait eq 0
cps_expect stack.connections.time_wait eq 0
cps_expect stack.counters.enter_last_ack eq "$N"
srv_expect counters.conn_closed eq "$N"
srv_expect counters.enter_time_wait eq "$N"
srv_expect connections.time_wait gt 0

srv_start --mode http
for run in 1 2; do
  cps_run --port-range 50000-50999 --rate 5000 --requests 1000 --request http --close server --timeout 5
  cps_expect completed eq 1000
done
cps_expect stack.counters.tcp_retransmits eq 0
cps_expect stack.counters.tcp_rst_out eq 0
srv_stop || fail "server exited with $?"
srv_expect counters.enter_time_wait eq 2000
srv_expect counters.time_wait_reopens eq 1000
srv_expect counters.tcp_retransmits eq 0
info "a second run's 1,000 SYNs reopened the first run's TIME-WAIT tuples on the server"
t_pass
