#!/usr/bin/env bash
# Tail loss probes with the Linux kernel as the client: GETs on connections of their own, each
# answered with a 12 KB body and the FIN (nine segments), 5% of the stack's frames lost
# (turnstile-server --fault on the transmit side). When a response's last segments are lost no
# duplicate ACK comes back; with [stack] tail_loss_probe on, two round trips of silence send
# the last segment again, and the kernel's answer (an ACK, a SACK block, or a D-SACK when the
# probe was needless) ends the wait that the 200 ms timeout would otherwise end. Every response
# arrives whole either way; the counters tell the two apart.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_TAIL:-150}
FAULT="drop=0.05,dir=tx,seed=5"
BODY=$(head -c 12000 /dev/zero | tr '\0' t)

# gets TLP: N GETs, the stack's frames to the kernel 5% lost.
gets() {
  local cfg="$TS_DIR/tail-$1.ini"
  sed "s/^tail_loss_probe = .*/tail_loss_probe = $1/" "$TS_ROOT/drivers-config/tap.ini" >"$cfg"
  grep -q "^tail_loss_probe = $1$" "$cfg" || fail "tap.ini has no tail_loss_probe key"
  ts_start --mode http --body "$BODY" --fault "$FAULT" --config "$cfg"
  in_ns $PY - "$TS_IP" "$N" "${#BODY}" <<'PY' || fail "GETs with tail_loss_probe = $1 failed"
import socket, sys, time
ip, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
bad, t0, slow = [], time.time(), 0
for i in range(n):
    t = time.time()
    s = socket.create_connection((ip, 80), timeout=10)
    s.sendall(req)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 OK") or len(body) != size:
        bad.append((i, len(body)))
    slow += time.time() - t > 0.15
print("# %d responses in %.1f s, %d took over 150 ms, %d wrong" % (n, time.time() - t0, slow, len(bad)))
sys.exit(1 if bad else 0)
PY
  ts_stop_closed "$N" || fail "server exited with $?"
  info "tail_loss_probe = $1: $(json counters.tcp_loss_probes) probes, $(json counters.tcp_loss_probe_repairs) of them repairs, $(json counters.tcp_timeouts) timeouts, $(json counters.tcp_retransmits) retransmissions, $(json fault.tx.dropped) frames lost"
  expect fault.tx.dropped gt 0
  expect counters.conn_accepted eq "$N"
  expect counters.conn_closed eq "$N"
  expect counters.conn_reset eq 0
}

gets true
expect counters.tcp_loss_probes gt 0
gets false
expect counters.tcp_loss_probes eq 0
ts_pass
