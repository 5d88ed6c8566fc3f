#!/usr/bin/env bash
# A second turnstile-cps run against a Linux peer that still holds TIME-WAIT for every tuple it
# opens (RFC 6191): with --close server the kernel keeps the first run's 500 tuples in TIME-WAIT
# for 60 s, and the second run opens the same 500 (same address, same --port-range). Linux takes
# a SYN to a TIME-WAIT tuple as a new incarnation only when its TSval is newer than the last one
# it saw; an older one it PAWS-rejects with an ACK, which cost us a RST and a 1 s RTO each.
# Our TSvals run on from one process to the next (the host's clock plus a per-address-pair
# offset from the boot secret), so every SYN of the second run is taken at once; and so do our
# ISNs, which is what counts when the peer keeps no timestamps (runs three and four).
source "$(dirname "$0")/lib.sh" "$@"
N=500
PORTS=40000-40499

cps_run() {
  timeout -k 5 60 "$CPS_BIN" -l "$CPS_CORE" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
    --vdev="net_af_packet0,iface=$T_IF,qpairs=1,blocksz=4096,framesz=2048,framecnt=512" -- \
    --config "$TS_ROOT/drivers-config/af_packet.ini" --ip 198.18.0.3/24 --server 198.18.0.1:80 \
    --port-range "$PORTS" --rate 2000 --requests "$N" --request http --close server --timeout 5 \
    --json "$CPS_JSON" >"$CPS_LOG" 2>&1
  local rc=$?
  cat "$CPS_LOG"
  [[ $rc -eq 0 ]] || fail "turnstile-cps exited with $rc"
  cps_expect completed eq "$N"
  cps_expect failures eq 0
}

# The last run's SYNs were all taken at once. A SYN the kernel refuses for its TIME-WAIT (PAWS, or
# an ISN below the old connection's) is answered with that TIME-WAIT's ACK, which our SYN-SENT
# always answers with a RST (RFC 9293 §3.10.7.3) before waiting out an RTO: no RST sent means no
# SYN refused, however slow the machine. Nor any retransmission: the kernel answers a SYN at once,
# and a stall of ours past the RTO cannot make one, as each poll reads its frames before its timers.
expect_taken_at_once() {
  cps_expect stack.counters.tcp_rst_out eq 0
  cps_expect stack.counters.tcp_retransmits eq 0
}

# nstat's absolute value of one kernel counter in the namespace.
kernel_counter() { ip netns exec "$T_NS" nstat -az "$1" | awk -v c="$1" '$1 == c { print $2 }'; }

"$TS_ROOT/scripts/netns" veth "$T_NS" "$T_IF" 198.18.0.1/24 || fail "scripts/netns veth failed"
ip netns exec "$T_NS" "$PY" "$TS_ROOT/bench/cps/tiny_http.py" --ready "$T_DIR/ready" >"$SRV_LOG" 2>&1 &
KSRV_PID=$!
for ((i = 0; i < 100; i++)); do [[ -e $T_DIR/ready ]] && break; sleep 0.05; done
[[ -e $T_DIR/ready ]] || fail "the kernel-side server did not start"

cps_run
[[ $(jv "$CPS_JSON" config.port_range) == "$PORTS" ]] || fail "the JSON's config.port_range is not $PORTS"
tw=$(ip netns exec "$T_NS" ss -Htan state time-wait "( sport = :80 and dst 198.18.0.3 )" | wc -l)
((tw == N)) || fail "the kernel holds $tw tuples in TIME-WAIT, expected $N"
info "first run: the kernel holds $tw tuples of 198.18.0.3 in TIME-WAIT"
paws0=$(kernel_counter TcpExtPAWSEstab)

cps_run
expect_taken_at_once
paws=$(($(kernel_counter TcpExtPAWSEstab) - paws0))
((paws == 0)) || fail "the kernel PAWS-rejected $paws of the second run's SYNs"
info "second run: every SYN to a TIME-WAIT tuple taken at once, none PAWS-rejected"

# Without timestamps Linux takes the SYN only when its sequence number is above the old
# connection's (RFC 9293 §3.6.1): our ISNs run on from one process to the next too. The third run
# (the peer's timestamps off, its SYNs still taken by their TSvals) leaves TIME-WAIT entries
# without timestamps; the fourth must get through them by its ISNs alone.
ip netns exec "$T_NS" sysctl -qw net.ipv4.tcp_timestamps=0 || fail "cannot turn the kernel's timestamps off"
cps_run
expect_taken_at_once
cps_run
expect_taken_at_once
info "fourth run, no timestamps: every SYN taken by its ISN"
kernel_stop
grep -q "accepted=$((4 * N)) requests=$((4 * N)) " "$SRV_LOG" ||
  fail "kernel side, expected $((4 * N)) accepted and answered: $(cat "$SRV_LOG")"
"$TS_ROOT/scripts/netns" del "$T_NS" "$T_IF"
t_pass
