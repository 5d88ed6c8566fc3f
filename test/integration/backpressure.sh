#!/usr/bin/env bash
# Back-pressure with the Linux kernel as the peer: a worker that reads slowly (--read-delay-us)
# behind an echo server, and a kernel client that sends faster than it reads. The receive window
# (the profile's receive_window) must close and reopen, the worker's share of mbufs must hold
# (app_ring_size: past it the data is refused and the kernel resends it), and every byte must
# come back intact, with no reset.
source "$(dirname "$0")/lib.sh" "$@"
CLIENTS="$(dirname "$0")/clients.py"

# profile KEY=VALUE...: the embedded default (tap.ini) with [stack] keys changed.
profile() {
  local f="$TS_DIR/profile-$#.ini" kv
  cp "$TS_ROOT/drivers-config/tap.ini" "$f"
  for kv in "$@"; do
    grep -q "^${kv%%=*} = " "$f" || fail "tap.ini has no ${kv%%=*}"
    sed -i "s/^${kv%%=*} = .*/${kv%%=*} = ${kv#*=}/" "$f"
  done
  echo "$f"
}

# upload BYTES KEY=VALUE...: a kernel client echoes BYTES through a worker that takes 3 ms a
# segment, on a server with those profile keys.
upload() {
  local bytes=$1
  shift
  ts_start --mode echo --port 7 --workers 1 --read-delay-us 3000 --config "$(profile "$@")"
  in_ns $PY "$CLIENTS" echo "$TS_IP" 7 "$bytes" || fail "$bytes bytes through a slow worker ($*) failed"
  ts_stop || fail "server exited with $?"
  expect config.read_delay_us eq 3000
  expect counters.tcp_payload_in eq "$bytes"
  expect counters.conn_reset eq 0
}

# A 16 KiB window: the kernel fills it at once, then waits on it.
upload 262144 receive_window=16384
expect counters.tcp_rcv_window_closed ge 1
expect counters.app_data_refused eq 0

# The default 256 KiB window, but 64 data mbufs for the worker (about 92 KiB): the mbufs run out
# before the window does, so segments are refused and the kernel sends them again.
upload 524288 app_ring_size=64
expect counters.app_data_refused ge 1
ts_pass
