#!/usr/bin/env bash
# Worker mode: handlers on two application threads fed through rings. HTTP keep-alive and
# close, 1 MiB through echo, 1,000 short connections: the same results as inline mode.
source "$(dirname "$0")/lib.sh" "$@"
need curl
CLIENTS="$(dirname "$0")/clients.py"

ts_start --mode http --workers 2
body=$(in_ns curl -sS --max-time 10 "http://$TS_IP/" "http://$TS_IP/") || fail "curl failed"
[[ $body == $'Hello from Turnstile\nHello from Turnstile' ]] || fail "unexpected bodies: $body"
in_ns $PY "$CLIENTS" short "$TS_IP" 80 1000 || fail "short connections failed"
ts_stop_closed 1001 || fail "server exited with $?"
expect counters.conn_accepted eq 1001
expect counters.conn_closed eq 1001
expect counters.conn_reset eq 0

ts_start --mode echo --port 7 --workers 2
in_ns $PY "$CLIENTS" echo "$TS_IP" 7 1048576 || fail "echo through workers failed"
ts_stop || fail "server exited with $?"
expect config.workers eq 2
expect counters.tcp_payload_out ge 1048576
expect counters.conn_reset eq 0
ts_pass
