#!/usr/bin/env bash
# 10,000 short connections in a row, each a GET with `Connection: close`, zero failures; every one
# of them accepted once and closed normally by the server (which keeps the TIME-WAIT entries).
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_MANY:-10000}

ts_start --mode http
in_ns $PY "$(dirname "$0")/clients.py" short "$TS_IP" 80 "$N" $'Hello from Turnstile\n' || fail "short connections failed"
ts_stop_closed "$N" || fail "server exited with $?"
expect counters.conn_accepted eq "$N"
expect counters.conn_closed eq "$N"
expect counters.conn_reset eq 0
expect counters.conn_aborted eq 0
expect counters.tcp_rst_out eq 0
expect counters.enter_time_wait eq "$N"
ts_pass
