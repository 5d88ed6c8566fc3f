#!/usr/bin/env bash
# turnstile-cps on net_af_packet and net_af_xdp over a veth pair (drivers-config's profiles, the
# pair from scripts/netns veth), against the Linux kernel (a Python server in the namespace):
# every connection completes, both closing modes, and no mbuf is left in use beyond the PMD's own
# receive buffers. Then the veth's checksum offload turned back on:
# the kernel's SYN-ACKs arrive with only the pseudo-header sum, the connections fail as timeouts,
# and turnstile-cps says why in a hint line.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_VETH_N:-600}
PEER_IF="${T_IF}p"   # scripts/netns veth names the namespace's end so

veth_vdev() {  # PMD
  case $1 in
    af_packet) echo "net_af_packet0,iface=$T_IF,qpairs=1,blocksz=4096,framesz=2048,framecnt=512" ;;
    af_xdp) echo "net_af_xdp0,iface=$T_IF,start_queue=0,queue_count=1" ;;
  esac
}

cps_run_veth() {  # PMD LOCAL_IP [turnstile-cps options]
  local pmd=$1 lip=$2; shift 2
  timeout -k 5 "${CPS_TIMEOUT:-90}" "$CPS_BIN" -l "$CPS_CORE" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
    --vdev="$(veth_vdev "$pmd")" -- --config "$TS_ROOT/drivers-config/$pmd.ini" --ip "$lip/24" \
    --server 198.18.0.1:80 --json "$CPS_JSON" "$@" >"$CPS_LOG" 2>&1
  local rc=$?
  cat "$CPS_LOG"
  [[ $rc -eq 0 ]] || fail "turnstile-cps on $pmd exited with $rc"
}

"$TS_ROOT/scripts/netns" veth "$T_NS" "$T_IF" 198.18.0.1/24 || fail "scripts/netns veth failed"
ip netns exec "$T_NS" "$PY" "$TS_ROOT/bench/cps/tiny_http.py" --ready "$T_DIR/ready" >"$SRV_LOG" 2>&1 &
KSRV_PID=$!
for ((i = 0; i < 100; i++)); do [[ -e $T_DIR/ready ]] && break; sleep 0.05; done
[[ -e $T_DIR/ready ]] || fail "the kernel-side server did not start"

for pmd in af_packet af_xdp; do
  for close in client server; do
    cps_run_veth "$pmd" 198.18.0.3 --rate 1000 --requests "$N" --request http --close "$close" --timeout 5
    grep -q "(net_${pmd}0; stopped by requests)" "$CPS_LOG" || fail "not a run on net_${pmd}0 to its end"
    cps_expect completed eq "$N"
    cps_expect failures eq 0
    cps_expect in_flight eq 0
    cps_expect stack.counters.drop_tcp_checksum eq 0
    # The PMD's receive buffers (af_xdp's fill ring) are in use from the start; nothing more at
    # the end, once it has given back the frames it sent (Datapath::reclaim_sent).
    cps_expect stack.mbufs_in_use_end eq "$(jv "$CPS_JSON" stack.mbufs_in_use_start)"
    info "$pmd, --close $close: $N connections to the kernel, no failure, $(jv "$CPS_JSON" stack.mbufs_in_use_end) mbufs in use at the end as at the start"
  done
done

ip netns exec "$T_NS" ethtool -K "$PEER_IF" tx on >/dev/null || fail "cannot turn the peer's checksum offload on"
# From another address: the kernel still holds TIME-WAIT for some of 198.18.0.3's tuples (--close
# server), and a SYN that lands on one may be answered by that TIME-WAIT's ACK, which the kernel
# checksums in full; every SYN from .4 gets a SYN-ACK with the partial sum.
cps_run_veth af_packet 198.18.0.4 --rate 100 --requests 5 --request http --close client --timeout 1
cps_expect completed eq 0
cps_expect failures eq 5
cps_expect failed.timeout eq 5
cps_expect stack.counters.drop_tcp_checksum ge 5
grep -q "^hint: [0-9]* TCP segment(s) dropped for their checksum on net_af_packet0: .*ethtool -K PEER tx off" "$CPS_LOG" ||
  fail "no hint while the SYN-ACKs were dropped for partial checksums"
info "partial checksums: 5 timeouts, and turnstile-cps said why"
kernel_stop
# The kernel accepted the 4 x N and none of the 5 whose handshake it never saw end.
grep -q "accepted=$((4 * N)) requests=$((4 * N)) " "$SRV_LOG" ||
  fail "kernel side, expected $((4 * N)) accepted and answered: $(cat "$SRV_LOG")"
info "kernel side: $(cat "$SRV_LOG")"
"$TS_ROOT/scripts/netns" del "$T_NS" "$T_IF"
t_pass
