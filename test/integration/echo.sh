#!/usr/bin/env bash
# 1 MiB of random bytes through echo comes back intact, with the kernel as the peer.
source "$(dirname "$0")/lib.sh" "$@"

ts_start --mode echo --port 7
in_ns $PY - "$TS_IP" <<'PY' || fail "echo transfer failed"
import hashlib, os, socket, sys
data = os.urandom(1 << 20)
s = socket.create_connection((sys.argv[1], 7), timeout=20)
got = bytearray()
sent = 0
s.setblocking(False)
import selectors
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
import time
deadline = time.time() + 30
while len(got) < len(data):
    if time.time() > deadline:
        sys.exit("timed out with %d of %d bytes back" % (len(got), len(data)))
    for key, ev in sel.select(timeout=1):
        if ev & selectors.EVENT_WRITE and sent < len(data):
            sent += s.send(data[sent:sent + 65536])
            if sent == len(data):
                sel.modify(s, selectors.EVENT_READ)
        if ev & selectors.EVENT_READ:
            chunk = s.recv(1 << 16)
            if not chunk:
                sys.exit("connection closed after %d bytes" % len(got))
            got += chunk
s.close()
if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
    sys.exit("echoed bytes differ")
print("# 1 MiB echoed intact, sha256 %s" % hashlib.sha256(got).hexdigest()[:16])
PY
ts_stop || fail "server exited with $?"
expect counters.tcp_payload_in ge 1048576
expect counters.tcp_payload_out ge 1048576
expect counters.conn_reset eq 0
ts_pass
