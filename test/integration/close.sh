#!/usr/bin/env bash
# Both ways to close, seen in the server's counters:
#   client first: the server passes CLOSE-WAIT and LAST-ACK;
#   server first (HTTP `Connection: close`): the server passes FIN-WAIT-1/2 and TIME-WAIT;
#   the server stopping with connections open: a RST to each.
source "$(dirname "$0")/lib.sh" "$@"

ts_start --mode http
in_ns $PY - "$TS_IP" <<'PY' || fail "client-first close failed"
import socket, sys
for _ in range(3):
    s = socket.create_connection((sys.argv[1], 80), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 200"), reply
    s.shutdown(socket.SHUT_WR)          # our FIN first
    assert s.recv(4096) == b"", "expected the server's FIN"
    s.close()
print("# 3 client-first closes")
PY
in_ns $PY - "$TS_IP" <<'PY' || fail "server-first close failed"
import socket, sys
for _ in range(2):
    s = socket.create_connection((sys.argv[1], 80), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break                       # the server's FIN came first
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
    s.close()
print("# 2 server-first closes")
PY
wait_counter conn_closed 5 20 || fail "the server saw $(counter conn_closed) of the 5 closes end"
# Three more left open (a keep-alive client between requests) when the server stops: each is
# reset, not left to the client's own timers.
in_ns $PY - "$TS_IP" "$TS_DIR/held" >"$TS_DIR/held.out" 2>&1 <<'PY' &
import socket, sys
conns = [socket.create_connection((sys.argv[1], 80), timeout=20) for _ in range(3)]
for s in conns:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
open(sys.argv[2], "w").close()
reset = 0
for s in conns:
    try:
        print("# unexpected:", s.recv(4096))
    except ConnectionResetError:
        reset += 1
print("# %d of 3 held connections reset at the server's stop" % reset)
sys.exit(0 if reset == 3 else 1)
PY
HELD=$!
for ((i = 0; i < 200; i++)); do [[ -e $TS_DIR/held ]] && break; sleep 0.05; done
[[ -e $TS_DIR/held ]] || fail "the held connections did not open: $(cat "$TS_DIR/held.out")"
ts_stop || fail "server exited with $?"
wait $HELD || fail "held connections: $(cat "$TS_DIR/held.out")"
cat "$TS_DIR/held.out"
expect counters.conn_shutdown eq 3
expect counters.tcp_rst_out eq 3
expect counters.enter_close_wait eq 3
expect counters.enter_last_ack eq 3
expect counters.enter_fin_wait_1 eq 2
expect counters.enter_time_wait eq 2
expect counters.conn_closed eq 5
expect connections.time_wait eq 2
expect connections.established eq 0
ts_pass
