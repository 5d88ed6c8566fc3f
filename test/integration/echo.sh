#!/usr/bin/env bash
# 1 MiB of random bytes through echo comes back intact, with the kernel as the peer.
source "$(dirname "$0")/lib.sh" "$@"

ts_start --mode echo --port 7
in_ns $PY "$(dirname "$0")/clients.py" echo "$TS_IP" 7 1048576 || fail "echo transfer failed"
ts_stop || fail "server exited with $?"
expect counters.tcp_payload_in ge 1048576
expect counters.tcp_payload_out ge 1048576
expect counters.conn_reset eq 0
ts_pass
