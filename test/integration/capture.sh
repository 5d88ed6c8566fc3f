#!/usr/bin/env bash
# A tshark capture (kernel side of the tap) of a varied run: ARP, ping, HTTP with keep-alive and
# with close, 256 KiB through echo, a refused port. Wireshark's dissectors find no malformed
# packet and no bad IPv4, ICMP or TCP checksum in it (but the kernel's 0xffff for a zero TCP
# checksum, RFC 1624's other zero); the stack's own frames are in it.
source "$(dirname "$0")/lib.sh" "$@"
need tshark

PCAP=$TS_DIR/run.pcapng
ts_start --mode http
# Not through in_ns: $! must be tshark itself (ip netns exec execs it), not a subshell.
ip netns exec "$TS_NS" tshark -i "$TS_IF" -w "$PCAP" -q >"$TS_DIR/tshark.log" 2>&1 &
TSHARK=$!
TS_EXTRA_PIDS+=($TSHARK)
# How many frames the capture file holds so far that match a display filter.
captured() { tshark -r "$PCAP" -Y "$1" 2>/dev/null | wc -l; }
wait_for 10 grep -q "Capturing on" "$TS_DIR/tshark.log" || fail "tshark did not start: $(cat "$TS_DIR/tshark.log")"
# tshark says "Capturing on" a little before it captures: wait until a canary ping is in the file.
canary() { in_ns ping -c 1 -W 1 "$TS_IP" >/dev/null; (($(captured icmp) > 0)); }
wait_for 20 canary || fail "no canary ping in the capture 20 s after tshark started"
in_ns ip neigh flush dev "$TS_IF"      # so that the capture holds an ARP exchange
in_ns ping -c 3 -i 0.2 -W 2 "$TS_IP" >/dev/null || fail "ping failed"
in_ns curl -sS --max-time 10 -o /dev/null -o /dev/null "http://$TS_IP/" "http://$TS_IP/again" || fail "curl failed"
in_ns curl -sS --max-time 10 -o /dev/null -H 'Connection: close' "http://$TS_IP/" || fail "curl failed"
in_ns $PY - "$TS_IP" <<'PY' || fail "traffic failed"
import os, socket, sys
ip = sys.argv[1]
s = socket.create_connection((ip, 80), timeout=10)
payload = b"GET /" + os.urandom(8).hex().encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n"
for _ in range(50):
    s.sendall(payload)
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
s.close()
try:
    socket.create_connection((ip, 9), timeout=5)
    sys.exit("port 9 accepted")
except ConnectionRefusedError:
    pass
PY
# The last FIN/ACKs must be in the file before tshark stops (it drops what it has not written
# yet): the server has seen its three connections through their FIN exchanges, and the capture
# holds every TCP segment the stack counted in and out (all of them came after the canary).
wait_counter conn_closed 3 20 || fail "the server saw $(counter conn_closed) of its 3 connections close"
segs=$(counter tcp_segs_in tcp_segs_out) || fail "cannot read the server's counters"
tcp_captured() { (($(captured tcp) >= segs)); }
wait_for 20 tcp_captured || fail "the capture holds $(captured tcp) TCP frames 20 s on, the stack counted $segs"
info "the capture holds all $segs TCP segments the stack counted"
kill -INT $TSHARK
for ((i = 0; i < 200; i++)); do kill -0 $TSHARK 2>/dev/null || break; sleep 0.05; done
kill -KILL $TSHARK 2>/dev/null
wait $TSHARK 2>/dev/null
ts_stop || fail "server exited with $?"

total=$(captured frame)
ours=$(captured "ip.src == $TS_IP")
arp=$(captured "arp.src.proto_ipv4 == $TS_IP")
rst=$(captured "ip.src == $TS_IP && tcp.flags.reset == 1")
info "captured $total frames, $ours from the stack, $arp ARP from the stack, $rst RST from the stack"
((total >= 100 && ours >= 50 && arp >= 1 && rst >= 1)) || fail "the capture misses traffic"
# Bad: malformed, or a wrong checksum. A zero TCP checksum is 0x0000 from the stack; the kernel
# writes it as 0xffff (RFC 1624's other zero: skb_checksum_help's CSUM_MANGLED_0, once in 65,536
# segments), which Wireshark calls bad: allowed from the kernel's side only.
check() {
  tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -Y "_ws.malformed || ip.checksum.status == 0 || icmp.checksum.status == 0 ||
        (tcp.checksum.status == 0 && !(ip.src == $TS_PEER && tcp.checksum.ffff))" 2>/dev/null
}
# The check itself must be able to fail: a wrong TCP checksum is caught, and so is 0xffff for
# zero from the stack, but not from the kernel.
$PY - "$TS_DIR" "$TS_IP" "$TS_PEER" <<'PY' || fail "cannot build the reference frames"
import struct, sys
from scapy.all import Ether, IP, TCP, Raw, raw, wrpcap
out, ours, peer = sys.argv[1:4]
wrpcap(out + "/bad.pcap", [Ether() / IP(src=ours, dst=peer) / TCP(sport=80, dport=1234, chksum=0x1234)])
def ffff(src, dst):  # a segment whose checksum is zero, written 0xffff: two payload bytes steer it
    pkt = lambda w: IP(src=src, dst=dst) / TCP(sport=80, dport=1234, flags="PA") / Raw(w + b"ok")
    p = IP(raw(pkt(struct.pack("!H", IP(raw(pkt(b"\0\0")))[TCP].chksum))))
    assert p[TCP].chksum == 0
    p[TCP].chksum = 0xFFFF
    return Ether() / p
wrpcap(out + "/ffff-ours.pcap", [ffff(ours, peer)])
wrpcap(out + "/ffff-peer.pcap", [ffff(peer, ours)])
PY
[[ -n $(check "$TS_DIR/bad.pcap") ]] || fail "the checksum filter misses a bad TCP checksum"
[[ -n $(check "$TS_DIR/ffff-ours.pcap") ]] || fail "the checksum filter misses 0xffff for zero from the stack"
[[ -z $(check "$TS_DIR/ffff-peer.pcap") ]] || fail "the checksum filter takes the kernel's 0xffff for zero as bad"
bad=$(check "$PCAP")
if [[ -n $bad ]]; then
  # What made each one bad, for the log: the checksums as sent and as Wireshark judged them.
  tshark -r "$PCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -Y "frame.number in {$(awk '{print $1}' <<<"$bad" | tr '\n' ' ')}" \
    -T fields -E header=y -e frame.number -e ip.checksum -e ip.checksum.status -e tcp.checksum -e tcp.checksum.status \
    -e icmp.checksum.status -e _ws.expert.message 2>/dev/null
  fail "malformed or bad-checksum frames: $bad"
fi
info "no malformed frame, no bad checksum"
ts_pass
