# Small kernel-side clients for the integration tests (run with /usr/bin/python3 in the namespace).
#   clients.py short IP PORT N        N GETs in a row, each on its own connection (Connection: close)
#   clients.py echo IP PORT BYTES     BYTES random bytes through an echo server, compared on return
# Exit status 0 only when every exchange succeeded; prints one '# ...' summary line.
import hashlib
import os
import selectors
import socket
import sys
import time


def short(ip, port, n):
    req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    failures = []
    t0 = time.time()
    for i in range(n):
        try:
            s = socket.create_connection((ip, port), timeout=5)
            s.sendall(req)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            s.close()
            if not data.startswith(b"HTTP/1.1 200 OK"):
                failures.append((i, data[:60]))
        except OSError as e:
            failures.append((i, repr(e)))
        if len(failures) > 20 or time.time() - t0 > 150:
            break
    dt = time.time() - t0
    print("# %d connections in %.1f s (%.0f/s), %d failures" % (n, dt, n / dt, len(failures)))
    return not failures


def echo(ip, port, nbytes):
    data = os.urandom(nbytes)
    s = socket.create_connection((ip, port), timeout=20)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    got, sent = bytearray(), 0
    deadline = time.time() + 60
    while len(got) < len(data):
        if time.time() > deadline:
            print("# timed out with %d of %d bytes back" % (len(got), len(data)))
            return False
        for _, ev in sel.select(timeout=1):
            if ev & selectors.EVENT_WRITE and sent < len(data):
                sent += s.send(data[sent:sent + 65536])
                if sent == len(data):
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                chunk = s.recv(1 << 16)
                if not chunk:
                    print("# connection closed after %d bytes" % len(got))
                    return False
                got += chunk
    s.close()
    ok = hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    print("# %d bytes echoed %s" % (nbytes, "intact" if ok else "CORRUPTED"))
    return ok


if __name__ == "__main__":
    mode, ip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ok = short(ip, port, n) if mode == "short" else echo(ip, port, n)
    sys.exit(0 if ok else 1)
