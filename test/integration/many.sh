#!/usr/bin/env bash
# 10,000 short connections in a row, each a GET with `Connection: close`, zero failures; every one
# of them accepted once and closed normally by the server (which keeps the TIME-WAIT entries).
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_MANY:-10000}

ts_start --mode http
in_ns $PY - "$TS_IP" "$N" <<'PY' || fail "short connections failed"
import socket, sys, time
ip, n = sys.argv[1], int(sys.argv[2])
req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
failures = []
t0 = time.time()
for i in range(n):
    try:
        s = socket.create_connection((ip, 80), timeout=5)
        s.sendall(req)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        if not data.startswith(b"HTTP/1.1 200 OK") or not data.endswith(b"Hello from Turnstile\n"):
            failures.append((i, data[:60]))
    except OSError as e:
        failures.append((i, repr(e)))
    if len(failures) > 20 or time.time() - t0 > 150:
        break
dt = time.time() - t0
print("# %d connections in %.1f s (%.0f/s), %d failures" % (n, dt, n / dt, len(failures)))
if failures:
    sys.exit("failures: %r" % failures[:5])
PY
ts_stop || fail "server exited with $?"
expect counters.conn_accepted eq "$N"
expect counters.conn_closed eq "$N"
expect counters.conn_reset eq 0
expect counters.conn_aborted eq 0
expect counters.tcp_rst_out eq 0
expect counters.enter_time_wait eq "$N"
ts_pass
