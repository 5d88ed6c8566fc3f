#!/usr/bin/env bash
# A connection to a port nobody listens on is refused with a RST (RFC 9293 §3.10.7.1).
source "$(dirname "$0")/lib.sh" "$@"

ts_start --mode http --port 80
in_ns $PY - "$TS_IP" <<'PY' || fail "no refusal"
import errno, socket, sys
for port in (81, 8080):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((sys.argv[1], port))
        sys.exit("port %d accepted a connection" % port)
    except ConnectionRefusedError:
        print("# port %d: connection refused" % port)
    except socket.timeout:
        sys.exit("port %d: no answer (expected a RST)" % port)
PY
ts_stop || fail "server exited with $?"
expect counters.tcp_rst_out ge 2
expect counters.conn_accepted eq 0
ts_pass
