# telemetry.py SOCKET CMD: a DPDK process's reply to the telemetry command CMD (its JSON, on
# stdout), from its runtime directory's SOCKET (dpdk_telemetry.v2). For the test scripts.
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.recv(16384)
s.send(sys.argv[2].encode())
sys.stdout.write(s.recv(1 << 20).decode())
