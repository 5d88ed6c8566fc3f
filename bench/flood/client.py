# A real client under a SYN flood: short HTTP connections one after another (GET with
# `Connection: close`, read to EOF, expect 200) for DURATION seconds, each allowed TIMEOUT seconds
# from connect() to EOF. Run with /usr/bin/python3 inside the flooded namespace.
#
#   client.py IP PORT DURATION TIMEOUT   ->  one JSON object on stdout
#
# The connect time of a SYN that was lost once includes the client's 1 s retransmission, so
# p99 shows whether real SYNs were dropped, not just whether the connection finally succeeded.
import json
import socket
import sys
import time

REQ = b"GET / HTTP/1.1\r\nHost: flood\r\nConnection: close\r\n\r\n"


def one(ip, port, timeout):
    t0 = time.monotonic()
    s = socket.create_connection((ip, port), timeout=timeout)
    connect_ms = (time.monotonic() - t0) * 1000
    try:
        s.settimeout(max(0.1, timeout - (time.monotonic() - t0)))
        s.sendall(REQ)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    if not data.startswith(b"HTTP/1.1 200"):
        raise ValueError("answer %r" % data[:40])
    return connect_ms


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p / 100 * len(xs)))], 2)


def main():
    ip, port, duration, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    ok, failed, kinds, times = 0, 0, {}, []
    end = time.monotonic() + duration
    while time.monotonic() < end:
        try:
            times.append(one(ip, port, timeout))
            ok += 1
        except (OSError, ValueError) as e:
            failed += 1
            k = type(e).__name__
            kinds[k] = kinds.get(k, 0) + 1
    n = ok + failed
    print(json.dumps({
        "attempts": n, "ok": ok, "failed": failed, "failures": kinds,
        "success_pct": round(100.0 * ok / n, 2) if n else None,
        "connect_ms_p50": pct(times, 50), "connect_ms_p99": pct(times, 99),
        "connect_ms_max": round(max(times), 2) if times else None,
        "over_900ms": sum(1 for t in times if t > 900),
    }))


if __name__ == "__main__":
    main()
