#!/usr/bin/python3
"""Hostile frames against turnstile-server, from inside the test's namespace.

Usage: hostile.py IFACE SERVER_IP PORT TELEMETRY_SOCKET

Each case sends crafted frames from a host that does not exist (198.18.0.3, a made-up MAC, so
the kernel beside us neither answers nor resets), sniffs the wire for what the server sends
back, and reads the server's counters over DPDK telemetry before and after: the expected reply
(or none) and the matching counter increments, exactly. One line per case; exit 1 if any failed.
"""
import json
import random
import socket
import sys
import threading
import time

from scapy.all import ARP, IP, TCP, AsyncSniffer, Ether, Raw, conf, raw, sendp, srp1

conf.verb = 0

IFACE, SERVER, PORT, TELEMETRY = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ME_IP = "198.18.0.3"
ME_MAC = "02:00:00:00:0b:03"
WAIT = 0.6  # seconds more to listen for (the absence of) a reply once the frames were taken in
SETTLE = 20  # at most this long for the counters to move: a loaded machine may keep the lcore off its CPU
failures = []


def stats():
    """The server's counters, summed over lcores (telemetry /turnstile/stats)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(TELEMETRY)
    s.recv(16384)  # greeting: version, pid, max_output_len
    s.send(b"/turnstile/stats")
    reply = json.loads(s.recv(1 << 20).decode())
    s.close()
    return reply["/turnstile/stats"]


def settled_stats(before=None, want=None):
    """Counters once the lcore has published them (TCP-level ones go out once a tick, and a
    loaded machine may keep the lcore off its CPU for a while): waits up to SETTLE s for every
    counter in `want` to have moved by at least its increment since `before`."""
    time.sleep(0.05)
    now = stats()
    deadline = time.time() + SETTLE
    while want and time.time() < deadline and any(now[k] - before[k] < v for k, v in want.items()):
        time.sleep(0.05)
        now = stats()
    return now


SERVER_MAC = srp1(Ether(dst="ff:ff:ff:ff:ff:ff", src=ME_MAC) / ARP(op=1, hwsrc=ME_MAC, psrc=ME_IP, pdst=SERVER),
                  iface=IFACE, timeout=5, retry=3)
if SERVER_MAC is None:
    print("FAIL: the server does not answer ARP")
    sys.exit(1)
SERVER_MAC = SERVER_MAC[ARP].hwsrc


def eth(type=None):
    # Behind a Raw payload scapy cannot guess the EtherType: IPv4 is what the bytes are.
    return Ether(src=ME_MAC, dst=SERVER_MAC) if type is None else Ether(src=ME_MAC, dst=SERVER_MAC, type=type)


def ip(**kw):
    return IP(src=ME_IP, dst=SERVER, **kw)


def exchange(frames, match=lambda p: True, want_reply=False, taken=lambda: None):
    """Sends frames and returns the server's TCP segments to us that `match`, sniffed while they
    go and after: until one arrives (want_reply, at most SETTLE s), or else until `taken()` says
    the server has counted the frames in, and WAIT s more of silence (a reply goes out in the
    poll that takes the frame in, so silence is heard only once the frame has been taken)."""
    got = []
    listening = threading.Event()  # frames go once the capture runs, not after a guessed delay
    sniffer = AsyncSniffer(iface=IFACE, filter=f"tcp and dst host {ME_IP} and src host {SERVER}", store=False,
                           prn=lambda p: got.append(p) if TCP in p and match(p) else None,
                           started_callback=listening.set)
    sniffer.start()
    if not listening.wait(10):
        failures.append("sniffer")
        print("FAIL: the capture did not start in 10 s")
    for f in frames:
        sendp(f, iface=IFACE)
    if want_reply:
        deadline = time.time() + SETTLE
        while time.time() < deadline and not got:
            time.sleep(0.05)
        time.sleep(0.1)  # anything else that comes with it
    else:
        taken()
        time.sleep(WAIT)
    sniffer.stop()
    return list(got)


def check(name, frames, counters, reply=None, match=lambda p: True):
    """One case: counters is {name: increment}, reply a predicate every sniffed segment must
    meet (and at least one must exist), or None for silence."""
    before = settled_stats()
    got = exchange(frames, match, want_reply=reply is not None, taken=lambda: settled_stats(before, counters))
    after = settled_stats(before, counters)
    problems = []
    for k, want in counters.items():
        d = after[k] - before[k]
        if d != want:
            problems.append(f"{k} +{d}, expected +{want}")
    if reply is None and got:
        problems.append(f"expected no reply, got {[p.sprintf('%TCP.flags% seq=%TCP.seq% ack=%TCP.ack%') for p in got]}")
    if reply is not None:
        if not got:
            problems.append("expected a reply, got none")
        elif not all(reply(p) for p in got):
            problems.append(f"unexpected reply {[p.sprintf('%TCP.flags% seq=%TCP.seq% ack=%TCP.ack%') for p in got]}")
    line = ", ".join(f"{k} +{v}" for k, v in counters.items())
    if problems:  # what did move, to tell where the frame went instead
        moved = {k: after[k] - before[k] for k in after if isinstance(after[k], int) and after[k] != before[k]}
        problems.append(f"moved: {moved}")
    if problems:
        failures.append(name)
        print(f"FAIL {name}: {'; '.join(problems)}")
    else:
        print(f"ok   {name}: {'reply' if reply else 'no reply'}{'; ' + line if line else ''}")
    return got


# Source ports drawn without repeats: a case never lands on a connection an earlier case left.
_ports = random.sample(range(20000, 60001), 200)


def sport():
    return _ports.pop()


def syn(sp, **kw):
    return eth() / ip() / TCP(sport=sp, dport=PORT, flags="S", seq=1000, window=65535, **kw)


# ---------------------------------------------------------------- malformed frames
# Truncated Ethernet: an 802.1Q EtherType with no room for its tag.
check("truncated ethernet (VLAN tag cut off)", [Ether(src=ME_MAC, dst=SERVER_MAC, type=0x8100)],
      {"drop_eth_malformed": 1})
ip_hdr = raw(ip() / TCP(sport=sport(), dport=PORT, flags="S"))
check("truncated IPv4 header (10 of 20 bytes)", [eth(0x0800) / Raw(ip_hdr[:10])], {"drop_ip_header_length": 1})
check("IPv4 total length past the frame", [eth(0x0800) / Raw(raw(ip(len=400) / TCP(sport=sport(), dport=PORT, flags="S")))],
      {"drop_ip_header_length": 1})
check("IPv4 total length below its header", [eth() / ip(len=12) / TCP(sport=sport(), dport=PORT, flags="S")],
      {"drop_ip_total_length": 1})
seg = raw(ip(proto=6) / Raw(b"\x00" * 10))
check("truncated TCP header (10 of 20 bytes)", [eth(0x0800) / Raw(seg)], {"drop_tcp_malformed": 1})
check("bad IPv4 checksum", [eth() / ip(chksum=0x1234) / TCP(sport=sport(), dport=PORT, flags="S")],
      {"drop_ip_checksum": 1})
# Wrong whatever the port drawn: the right checksum with bits flipped (a fixed 0x1234 is right for
# one port in 65,536, and 0x0000 and 0xffff are the same checksum).
bad_tcp = IP(raw(ip() / TCP(sport=sport(), dport=PORT, flags="S")))
bad_tcp[TCP].chksum ^= 0x1234
check("bad TCP checksum", [eth() / bad_tcp], {"drop_tcp_checksum": 1})
for label, opts in (("option length 0", b"\x08\x00\x00\x00"), ("option length 1", b"\x08\x01\x00\x00"),
                    ("option past the header", b"\x01\x01\x02\x08")):
    check(f"TCP {label}", [eth() / ip() / TCP(sport=sport(), dport=PORT, flags="S", options=[], dataofs=6) / Raw(opts)],
          {"drop_tcp_malformed": 1})
check("IPv4 fragments (MF, then offset)",
      [eth() / ip(flags="MF", id=7) / TCP(sport=sport(), dport=PORT, flags="S"),
       eth() / ip(frag=100, id=7) / Raw(b"x" * 20)], {"drop_ip_fragment": 2})
# RFC 1122 §3.2.1.7: a TTL below 2 is no reason to drop what is delivered to us.
sp = sport()
got = check("TTL 0 (taken)", [eth() / ip(ttl=0) / TCP(sport=sp, dport=PORT, flags="S", seq=1000)], {},
            reply=lambda p: p[TCP].flags == "SA" and p[TCP].ack == 1001, match=lambda p: p[TCP].dport == sp)
if got:  # tidy up: an exact RST ends the half-open block
    sendp(eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=1001), iface=IFACE)
# RFC 1122 §3.2.1.3: martian sources (the server is SERVER/24), dropped without an answer.
bcast = SERVER.rsplit(".", 1)[0] + ".255"
martians = ["224.0.0.5", "255.255.255.255", "0.0.0.1", "127.0.0.1", "240.0.0.1", SERVER, bcast]
check(f"martian sources ({', '.join(martians)})",
      [eth() / IP(src=src, dst=SERVER) / TCP(sport=sport(), dport=PORT, flags="S") for src in martians],
      {"drop_ip_source": len(martians)})
check("TCP to the Ethernet broadcast address (RFC 1122 §3.3.6)",
      [Ether(src=ME_MAC, dst="ff:ff:ff:ff:ff:ff") / ip() / TCP(sport=sport(), dport=PORT, flags="S")],
      {"drop_eth_not_ours": 1})
# A known option of the wrong length is left out, not the segment (Linux's tcp_parse_options):
# SACK-permitted of length 3 (then a NOP), so the SYN-ACK offers no SACK.
sp = sport()
got = check("SYN with SACK-permitted of length 3 (answered, without SACK)",
            [eth() / ip() / TCP(sport=sp, dport=PORT, flags="S", seq=1000, options=[], dataofs=6) / Raw(b"\x04\x03\x00\x01")],
            {}, reply=lambda p: p[TCP].flags == "SA" and p[TCP].ack == 1001 and
            not any(o[0] == "SAckOK" for o in p[TCP].options), match=lambda p: p[TCP].dport == sp)
if got:
    sendp(eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=1001), iface=IFACE)

# ---------------------------------------------------------------- odd flags to the listener
sp = sport()
check("SYN+FIN to the listener", [eth() / ip() / TCP(sport=sp, dport=PORT, flags="SF", seq=1000)],
      {"drop_tcp_syn_fin": 1})
sp = sport()
check("SYN+RST to the listener", [eth() / ip() / TCP(sport=sp, dport=PORT, flags="SR", seq=1000)],
      {"tcp_rst_ignored": 1})

# Data on a SYN: no TCP Fast Open, so the SYN is answered and the data is not (ack = seq + 1).
sp = sport()
got = check("data on a SYN", [syn(sp) / Raw(b"GET / HTTP/1.1\r\n\r\n")], {},
            reply=lambda p: p[TCP].flags == "SA" and p[TCP].ack == 1001, match=lambda p: p[TCP].dport == sp)
if got:  # tidy up: an exact RST ends the half-open block
    sendp(eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=1001), iface=IFACE)

# ---------------------------------------------------------------- attacks on an open connection
sp = sport()
synack = [p for p in exchange([syn(sp)], lambda p: p[TCP].dport == sp, want_reply=True) if p[TCP].flags == "SA"]
if not synack:
    failures.append("handshake")
    print("FAIL handshake: no SYN-ACK")
else:
    iss = synack[0][TCP].seq
    rcv = 1001          # the server's RCV.NXT
    snd = (iss + 1) & 0xFFFFFFFF  # the server's SND.NXT
    sendp(eth() / ip() / TCP(sport=sp, dport=PORT, flags="A", seq=rcv, ack=snd, window=65535), iface=IFACE)
    time.sleep(0.1)
    conn = lambda p: p[TCP].dport == sp
    challenge = lambda p: p[TCP].flags == "A" and p[TCP].seq == snd and p[TCP].ack == rcv
    check("in-window RST on an established connection (challenge ACK)",
          [eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=rcv + 100)],
          {"tcp_challenge_acks": 1, "conn_reset": 0}, reply=challenge, match=conn)
    check("SYN on an established connection (challenge ACK)",
          [eth() / ip() / TCP(sport=sp, dport=PORT, flags="S", seq=rcv + 5000)],
          {"tcp_challenge_acks": 1, "conn_reset": 0}, reply=challenge, match=conn)
    check("segment far outside the window (ACK)",
          [eth() / ip() / TCP(sport=sp, dport=PORT, flags="A", seq=rcv + 50_000_000, ack=snd) / Raw(b"x" * 10)],
          {"tcp_bad_seq": 1}, reply=challenge, match=conn)
    check("RST outside the window (silence)",
          [eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=rcv + 50_000_000)],
          {"tcp_rst_ignored": 1, "conn_reset": 0}, match=conn)
    check("ACK of data never sent (ACK, dropped)",
          [eth() / ip() / TCP(sport=sp, dport=PORT, flags="A", seq=rcv, ack=(snd + 100_000) & 0xFFFFFFFF, window=65535)],
          {"tcp_bad_ack": 1}, reply=challenge, match=conn)
    # The connection survived it all: a request on it is answered.
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    got = check("the connection still serves a request",
                [eth() / ip() / TCP(sport=sp, dport=PORT, flags="PA", seq=rcv, ack=snd, window=65535) / Raw(req)],
                {}, reply=lambda p: True, match=conn)
    if not any(Raw in p and p[Raw].load.startswith(b"HTTP/1.1 200") for p in got):
        failures.append("request")
        print("FAIL request: no HTTP 200 on the attacked connection")
    sendp(eth() / ip() / TCP(sport=sp, dport=PORT, flags="R", seq=rcv + len(req)), iface=IFACE)

print(f"{len(failures)} failed" if failures else "all cases passed")
sys.exit(1 if failures else 0)
