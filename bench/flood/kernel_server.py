# The Linux kernel's side of the flood benchmark: a minimal HTTP server (200, `Connection: close`)
# whose listen() backlog is small, so that the kernel's SYN queue passes its bound and answers
# with SYN cookies (net.ipv4.tcp_syncookies=1), as turnstile-server does with max_half_open.
# The flood never reaches this process: the kernel answers SYNs in softirq; only real clients do.
#
#   kernel_server.py IP PORT BACKLOG      (runs until SIGTERM/SIGINT)
import signal
import socket
import sys

BODY = b"Hello from Linux\n"
RESP = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)) + BODY


def main():
    ip, port, backlog = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, port))
    ls.listen(backlog)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        c.settimeout(5)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data:
                c.sendall(RESP)
        except OSError:
            pass
        finally:
            c.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
