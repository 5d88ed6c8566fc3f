# Small kernel-side clients for the integration tests (run with /usr/bin/python3 in the namespace).
#   clients.py short IP PORT N [BODY] N GETs in a row, each on its own connection (Connection: close),
#                                     each answered 200 (and ending with BODY, when given)
#   clients.py echo IP PORT BYTES     BYTES random bytes through an echo server, compared on return
# Exit status 0 only when every exchange succeeded; prints one '# ...' summary line.
# No overall deadline (a slow machine may take long; meson's timeout bounds the test): a connection
# fails when it makes no progress for STALL_S, longer than the RTOs a lossy test link causes.
import hashlib
import os
import selectors
import socket
import sys
import time

STALL_S = 30


def short(ip, port, n, body=b""):
    req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    failures = []
    t0 = time.time()
    done = 0
    for i in range(n):
        try:
            s = socket.create_connection((ip, port), timeout=STALL_S)
            s.sendall(req)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            s.close()
            if not data.startswith(b"HTTP/1.1 200 OK") or not data.endswith(body):
                failures.append((i, data[:60]))
        except OSError as e:
            failures.append((i, repr(e)))
        done += 1
        if len(failures) > 20:
            break
    dt = max(time.time() - t0, 1e-6)
    print("# %d of %d connections made in %.1f s (%.0f/s), %d failures%s" %
          (done, n, dt, done / dt, len(failures), "".join(" %d: %s" % f for f in failures[:3])))
    return done == n and not failures


def echo(ip, port, nbytes):
    data = os.urandom(nbytes)
    s = socket.create_connection((ip, port), timeout=STALL_S)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    got, sent = bytearray(), 0
    progress = time.time()  # when a byte last went out or came back
    while len(got) < len(data):
        if time.time() - progress > STALL_S:
            print("# stalled %d s with %d of %d bytes sent, %d back" % (STALL_S, sent, len(data), len(got)))
            return False
        for _, ev in sel.select(timeout=1):
            if ev & selectors.EVENT_WRITE and sent < len(data):
                sent += s.send(data[sent:sent + 65536])
                progress = time.time()
                if sent == len(data):
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                chunk = s.recv(1 << 16)
                if not chunk:
                    print("# connection closed after %d bytes" % len(got))
                    return False
                got += chunk
                progress = time.time()
    s.close()
    ok = hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    print("# %d bytes echoed %s" % (nbytes, "intact" if ok else "CORRUPTED"))
    return ok


if __name__ == "__main__":
    mode, ip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if mode == "short":
        ok = short(ip, port, n, sys.argv[5].encode() if len(sys.argv) > 5 else b"")
    else:
        ok = echo(ip, port, n)
    sys.exit(0 if ok else 1)
