# The kernel-side client of zero_checksum.sh (run with /usr/bin/python3 in the namespace):
#   zero_checksum.py IFACE IP PORT
# Sends requests to an echo server, each built so that the TCP checksum of the server's echo
# comes out as zero: one's-complement sums commute, so the echo of a payload differs from what we
# can predict of it (ports, sequence numbers, flags, window, the payload) by nothing, and two
# bytes of the payload are chosen to make the echo's sum all ones. The echo's frame, read off the
# interface with a packet socket, shows what the sender wrote for a zero checksum. Needs the
# namespace's TCP timestamps off (their values cannot be predicted).
# Prints one line per echo whose checksum was zero: "zero <field in hex>", then "# ..." lines.
# Exit 0 when at least HITS echoes had a zero checksum and every frame from the server verified.
import os
import select
import socket
import struct
import sys
import time

HITS = 4
TRIES = 400
LEN = 64


def ones_sum(b, s=0):
    if len(b) % 2:
        b += b"\0"
    for (w,) in struct.iter_unpack("!H", b):
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def segment_sum(src, dst, tcp):
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    return ones_sum(pseudo + tcp)


def window_scale(tcp):
    """The window scale option's shift in a SYN-ACK's options (0 without one)."""
    opts, i = tcp[20:(tcp[12] >> 4) * 4], 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if opts[i] == 3 and opts[i + 1] == 3:
            return opts[i + 2]
        i += opts[i + 1]
    return 0


class Frames:
    """Segments from (ip, port) seen on the interface, parsed."""

    def __init__(self, ifname, ip, port):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        self.s.bind((ifname, 0x0800))
        self.ip = socket.inet_aton(ip)
        self.port = port
        self.bad = 0
        self.seen = 0

    def next(self, deadline):
        while True:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return None
            f = self.s.recv(65536)
            ip = f[14:]
            if len(ip) < 40 or ip[9] != 6 or ip[12:16] != self.ip:
                continue
            ihl = (ip[0] & 15) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            tcp = ip[ihl:total]
            if struct.unpack("!H", tcp[0:2])[0] != self.port:
                continue
            self.seen += 1
            if segment_sum(ip[12:16], ip[16:20], tcp) != 0xFFFF:
                self.bad += 1
            return {"src": ip[12:16], "dst": ip[16:20], "tcp": bytes(tcp),
                    "seq": struct.unpack("!I", tcp[4:8])[0], "ack": struct.unpack("!I", tcp[8:12])[0],
                    "off": tcp[12] >> 4, "flags": tcp[13], "win": struct.unpack("!H", tcp[14:16])[0],
                    "csum": struct.unpack("!H", tcp[16:18])[0], "len": len(tcp) - (tcp[12] >> 4) * 4}


def main():
    ifname, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    frames = Frames(ifname, ip, port)
    c = socket.create_connection((ip, port), timeout=10)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cport = c.getsockname()[1]
    # The SYN-ACK: the server's sequence numbers, from here on followed segment by segment.
    last = None
    while last is None or (last["flags"] & 0x12) != 0x12:
        last = frames.next(time.time() + 10)
        if last is None:
            sys.exit("no SYN-ACK seen on " + ifname)
    s_next = (last["seq"] + 1) & 0xFFFFFFFF
    c_next = last["ack"]
    ws = window_scale(last["tcp"])
    win, off_flags = last["win"], None
    hits, tries = [], 0
    while len(hits) < HITS and tries < TRIES:
        tries += 1
        payload = bytearray(os.urandom(LEN))
        if off_flags is not None:
            # The echo as we expect it, its checksum and two payload bytes still zero.
            payload[0:2] = b"\0\0"
            # The window's right edge stays put (receiver SWS avoidance) but for its jumps.
            hdr = struct.pack("!HHIIHHHH", port, cport, s_next, (c_next + LEN) & 0xFFFFFFFF,
                              off_flags, max(win - (LEN >> ws), 0), 0, 0)
            s = segment_sum(frames.ip, socket.inet_aton(c.getsockname()[0]), hdr + bytes(payload))
            payload[0:2] = struct.pack("!H", 0xFFFF ^ s)
        c.sendall(payload)
        back = b""
        while len(back) < LEN:
            chunk = c.recv(LEN - len(back))
            if not chunk:
                sys.exit("the server closed")
            back += chunk
        if back != bytes(payload):
            sys.exit("the echo differs from what was sent")
        # Follow the server's segments up to the one that carried the echo.
        while True:
            f = frames.next(time.time() + 10)
            if f is None:
                sys.exit("the echo's frame was not seen on " + ifname)
            if f["len"] and f["seq"] == s_next:
                break
        s_next = (f["seq"] + f["len"]) & 0xFFFFFFFF
        c_next = f["ack"]
        win, off_flags = f["win"], f["off"] << 12 | f["flags"]
        tcp = bytearray(f["tcp"])
        tcp[16:18] = b"\0\0"
        if segment_sum(f["src"], f["dst"], bytes(tcp)) == 0xFFFF:  # its right checksum is 0x0000
            hits.append(f["csum"])
            print("zero %#06x" % f["csum"])
    c.close()
    print("# %d tries, %d echoes with a zero checksum, %d of %d frames from the server failed to verify"
          % (tries, len(hits), frames.bad, frames.seen))
    sys.exit(0 if len(hits) >= HITS and frames.bad == 0 else 1)


main()
