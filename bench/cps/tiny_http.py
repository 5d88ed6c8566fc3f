#!/usr/bin/python3
"""A small single-threaded epoll HTTP/1.1 server on the Linux kernel's TCP, as a peer for
turnstile-cps in tests: answers every GET with 200 and a Content-Length body (GET /chunked: the
same body in two chunks, Transfer-Encoding: chunked; GET /empty: 204 No Content), closes after
the response when the request says `Connection: close` (the server's FIN first), otherwise waits
for the client to close. Echo mode (--echo) sends back whatever arrives. At the end it prints
its counts and the Host headers it saw.

  tiny_http.py [--bind 0.0.0.0] [--port 80] [--echo] [--ready FILE]

--ready FILE: written once the socket listens. Stops on SIGTERM/SIGINT, printing its counts.
"""
import argparse
import select
import signal
import socket
import sys

BODY = b"Hello from the kernel\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--ready")
    a = ap.parse_args()

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(4096)
    ls.setblocking(False)
    ep = select.epoll()
    ep.register(ls.fileno(), select.EPOLLIN)
    conns, bufs = {}, {}
    stats = {"accepted": 0, "requests": 0, "closed_by_us": 0, "closed_by_peer": 0, "chunked": 0, "no_content": 0}
    hosts = set()
    peers = set()
    running = [True]

    def stop(*_):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.ready:
        open(a.ready, "w").close()

    def drop(fd, by_us):
        ep.unregister(fd)
        conns.pop(fd).close()
        bufs.pop(fd, None)
        stats["closed_by_us" if by_us else "closed_by_peer"] += 1

    while running[0]:
        try:
            events = ep.poll(0.2)
        except InterruptedError:
            continue
        for fd, _ in events:
            if fd == ls.fileno():
                while True:
                    try:
                        c, addr = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    conns[c.fileno()] = c
                    bufs[c.fileno()] = b""
                    ep.register(c.fileno(), select.EPOLLIN)
                    stats["accepted"] += 1
                    peers.add(addr[0])
                continue
            c = conns[fd]
            try:
                data = c.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                drop(fd, False)
                continue
            if a.echo:
                c.send(data)
                continue
            bufs[fd] += data
            while b"\r\n\r\n" in bufs[fd]:
                head, bufs[fd] = bufs[fd].split(b"\r\n\r\n", 1)
                stats["requests"] += 1
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1] if len(lines[0].split(b" ")) > 1 else b"/"
                hosts.update(l[5:].strip().decode("ascii", "replace") for l in lines[1:]
                             if l.lower().startswith(b"host:"))
                close = b"connection: close" in head.lower()
                conn_hdr = b"Connection: close\r\n" if close else b""
                if path == b"/chunked":
                    stats["chunked"] += 1
                    half = len(BODY) // 2
                    c.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n%s\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
                        conn_hdr, half, BODY[:half], len(BODY) - half, BODY[half:]))
                elif path == b"/empty":
                    stats["no_content"] += 1
                    c.send(b"HTTP/1.1 204 No Content\r\n%s\r\n" % conn_hdr)
                else:
                    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(BODY), conn_hdr) + BODY)
                if close:
                    drop(fd, True)
                    break
    stats["peers"] = len(peers)
    print(" ".join("%s=%d" % kv for kv in stats.items()), "hosts=" + ",".join(sorted(hosts)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
