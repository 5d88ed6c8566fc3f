#!/usr/bin/env bash
# Keepalive with the Linux kernel as the peer ([stack] keepalive = true, short times): an idle
# connection gets a probe each interval after its idle time, which the kernel answers, so that
# it stays open and serves a second request; once the peer's link is down the probes go
# unanswered and the connection is reset after keepalive_probes of them (RFC 1122 §4.2.3.6).
source "$(dirname "$0")/lib.sh" "$@"

cfg="$TS_DIR/keepalive.ini"
sed 's/^\[stack\]$/[stack]\nkeepalive = true\nkeepalive_idle_ms = 500\nkeepalive_interval_ms = 500\nkeepalive_probes = 3/' \
  "$TS_ROOT/drivers-config/tap.ini" >"$cfg"
grep -q "^keepalive_probes = 3$" "$cfg" || fail "tap.ini has no [stack] section"
ts_start --mode http --config "$cfg"
in_ns $PY - "$TS_IP" "$TS_DIR/served" >"$TS_DIR/client.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=10)
for i in range(2):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
    if i == 0:
        time.sleep(3)  # six idle times: probes come, the kernel answers them
print("# a second request after 3 s idle: served")
open(sys.argv[2], "w").close()
time.sleep(30)  # held open (no FIN) while the link goes down; killed below
PY
CLIENT=$!
for ((i = 0; i < 200; i++)); do [[ -e $TS_DIR/served ]] && break; sleep 0.05; done
[[ -e $TS_DIR/served ]] || fail "the idle connection did not stay open: $(cat "$TS_DIR/client.out")"
cat "$TS_DIR/client.out"
in_ns ip link set "$TS_IF" down
# Unanswered now: idle 0.5 s, then 3 probes 0.5 s apart, then the reset (2 s on an idle machine).
wait_counter tcp_keepalive_timeouts 1 60 || fail "no keepalive timeout 60 s after the link went down"
kill "$CLIENT" 2>/dev/null
wait "$CLIENT" 2>/dev/null
ts_stop || fail "server exited with $?"
info "$(json counters.tcp_keepalive_probes) probes sent"
expect counters.tcp_keepalive_probes ge 4
expect counters.tcp_keepalive_timeouts eq 1
expect counters.conn_timed_out eq 1
expect connections.established eq 0
ts_pass
