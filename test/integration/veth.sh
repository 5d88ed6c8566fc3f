#!/usr/bin/env bash
# turnstile-server on net_af_packet and net_af_xdp over a veth pair, as drivers-config's profiles
# run them, with the Linux kernel at the other end in the test's namespace (scripts/netns veth):
# curl gets the body, a bounded wrk run completes without a socket error, and the server holds no
# mbuf beyond the PMD's own and (af_xdp) leaves no XDP program on the interface. Then the trap a
# user falls into: with the veth's checksum offload on (its default), the kernel's segments carry
# only the pseudo-header sum; they must be dropped and counted, and the server must say what to do.
source "$(dirname "$0")/lib.sh" "$@"
need curl
need wrk
PEER_IF="${TS_IF}p"   # scripts/netns veth names the namespace's end so

vdev_of() {  # PMD
  case $1 in
    af_packet) echo "net_af_packet0,iface=$TS_IF,qpairs=1,blocksz=4096,framesz=2048,framecnt=512" ;;
    af_xdp) echo "net_af_xdp0,iface=$TS_IF,start_queue=0,queue_count=1" ;;
  esac
}

veth_start() {  # PMD: the veth pair (peer offload off), then the server on the host end
  "$TS_ROOT/scripts/netns" del "$TS_NS" "$TS_IF" >/dev/null 2>&1
  "$TS_ROOT/scripts/netns" veth "$TS_NS" "$TS_IF" "$TS_PEER/24" || fail "scripts/netns veth failed"
  "$TS_SERVER" -l 1 --no-huge -m 512 --file-prefix "$TS_PREFIX" --vdev="$(vdev_of "$1")" -- \
    --ip "$TS_IP/24" --config "$TS_ROOT/drivers-config/$1.ini" --mode http --body "veth says hello" \
    --json "$TS_JSON" --stats-interval 0 >"$TS_LOG" 2>&1 &
  TS_PID=$!
  NETNS_WAIT=30 "$TS_ROOT/scripts/netns" ready "$TS_LOG" || fail "$1: the server's port did not start"
}

for pmd in af_packet af_xdp; do
  info "== $pmd"
  # The PMD's own mbufs, which it keeps even after the port is closed (af_xdp: its fill ring): a
  # run with a ping and no TCP says how many. The TCP run below must end with exactly as many:
  # one mbuf more would be the stack's. What it held before any traffic is what it holds at
  # close: the frames it sent, af_xdp's until a later burst reads its completion ring, it gives
  # back at close (Datapath::reclaim_sent). Without that the count at close moved with the size
  # of the last burst, and the two runs' counts differed by one now and then.
  veth_start "$pmd"
  in_ns ping -c1 -W5 "$TS_IP" >/dev/null || fail "$pmd: no answer to ping"
  ts_stop || fail "$pmd: server exited with $?"
  # The profile asks for promiscuous mode; the interface is given back as it was found.
  ! ip link show "$TS_IF" | grep -q PROMISC || fail "$pmd: the server left $TS_IF promiscuous"
  base=$(json mbufs_in_use_after_close) || fail "$pmd: no mbufs_in_use_after_close in the JSON"
  info "$pmd: the PMD keeps $base mbufs of the pool (ping only)"
  start=$(json mbufs_in_use_start) || fail "$pmd: no mbufs_in_use_start in the JSON"
  [[ $base == "$start" ]] || fail "$pmd: $base mbufs in use after close, $start before any traffic: sent frames not given back"

  veth_start "$pmd"
  grep -q "on net_${pmd}0 " "$TS_LOG" || fail "$pmd: the server is not on net_${pmd}0: $(grep turnstile-server: "$TS_LOG")"
  in_ns ethtool -k "$PEER_IF" | grep -q '^tx-checksumming: off' || fail "scripts/netns veth left the peer's checksum offload on"
  body=$(in_ns curl -sS --max-time 10 -o - -w '|%{http_code}' "http://$TS_IP/") || fail "$pmd: curl failed: $body"
  [[ $body == "veth says hello|200" ]] || fail "$pmd: expected the body and 200, got '$body'"
  info "$pmd: GET / -> 200, body intact"
  in_ns timeout 20 wrk -t1 -c8 -d1s "http://$TS_IP/" >"$TS_DIR/wrk.log" 2>&1 || fail "$pmd: wrk failed: $(cat "$TS_DIR/wrk.log")"
  reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$TS_DIR/wrk.log")
  # How many the machine's load decides; that they are answered without an error, on the 8
  # connections wrk opened (none reopened: counted below), is ours to check.
  [[ -n $reqs ]] && ((reqs > 0)) || fail "$pmd: wrk did ${reqs:-no} requests: $(cat "$TS_DIR/wrk.log")"
  ! grep -q "Socket errors\|Non-2xx" "$TS_DIR/wrk.log" || fail "$pmd: wrk saw errors: $(cat "$TS_DIR/wrk.log")"
  info "$pmd: wrk, 8 connections for 1 s: $reqs requests, no error"

  # The trap: the peer's checksum offload back on. The SYN is dropped and counted, curl times out,
  # and the server names the cause (once, on stderr) and again in its summary.
  in_ns ethtool -K "$PEER_IF" tx on >/dev/null || fail "cannot turn the peer's checksum offload on"
  in_ns curl -sS --max-time 2 -o /dev/null "http://$TS_IP/" 2>/dev/null && fail "$pmd: curl got through partial checksums"
  for ((i = 0; i < 200; i++)); do grep -q '^hint: .* dropped for their checksum' "$TS_LOG" && break; sleep 0.05; done
  grep -q "^hint: [0-9]* TCP segment(s) dropped for their checksum on net_${pmd}0: .*ethtool -K PEER tx off" "$TS_LOG" ||
    fail "$pmd: no hint while the server dropped partial checksums"
  info "$pmd: partial checksums dropped, and the server said why"
  [[ $pmd == af_xdp ]] && { ip -d link show "$TS_IF" | grep -q "xdp" || fail "af_xdp: no XDP program on $TS_IF while running"; }

  ts_stop || fail "$pmd: server exited with $?"
  [[ $(grep -c '^hint: ' "$TS_LOG") == 2 ]] || fail "$pmd: the hint should be said twice (live and in the summary): $(grep '^hint' "$TS_LOG")"
  # curl's, wrk's probe of the address (one connect and close before it starts) and its 8
  # keep-alive connections: none reopened.
  expect counters.conn_accepted eq 10
  expect counters.drop_tcp_checksum ge 1
  expect mbufs_in_use_after_close eq "$base"
  expect connections.established eq 0
  [[ $(json config.device) == "net_${pmd}0" ]] || fail "$pmd: JSON device $(json config.device)"
  ! ip -d link show "$TS_IF" | grep -q "prog/xdp\|xdpgeneric\|xdpdrv" || fail "$pmd: an XDP program is left on $TS_IF"
  [[ ! -e /var/run/dpdk/$TS_PREFIX ]] || fail "$pmd: runtime directory left behind"
  "$TS_ROOT/scripts/netns" del "$TS_NS" "$TS_IF"
done
ts_pass
