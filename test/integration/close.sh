#!/usr/bin/env bash
# Both ways to close, seen in the server's counters:
#   client first: the server passes CLOSE-WAIT and LAST-ACK;
#   server first (HTTP `Connection: close`): the server passes FIN-WAIT-1/2 and TIME-WAIT.
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
ts_stop || fail "server exited with $?"
expect counters.enter_close_wait eq 3
expect counters.enter_last_ack eq 3
expect counters.enter_fin_wait_1 eq 2
expect counters.enter_time_wait eq 2
expect counters.conn_closed eq 5
expect connections.time_wait eq 2
expect connections.established eq 0
ts_pass
