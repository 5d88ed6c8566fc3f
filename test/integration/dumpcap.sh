#!/usr/bin/env bash
# On hugepages, the server initialises rte_pdump: dpdk-dumpcap (a secondary process) captures
# its traffic. Skipped without free hugepages (with --no-huge no secondary can attach).
source "$(dirname "$0")/lib.sh" "$@"
need dpdk-dumpcap dpdk-dev
need tshark
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[[ -n $(awk '$3 == "hugetlbfs"' /proc/mounts) && ${free:-0} -ge 256 ]] || skip "needs 256 free hugepages and hugetlbfs"

"$TS_SERVER" -l 1 -m 256 --file-prefix "$TS_PREFIX" --vdev="net_tap0,iface=$TS_IF" -- --ip "$TS_IP/24" \
  --json "$TS_JSON" --stats-interval 0 >"$TS_LOG" 2>&1 &
TS_PID=$!
NETNS_WAIT=20 "$TS_ROOT/scripts/netns" add --after "$TS_LOG" "$TS_NS" "$TS_IF" "$TS_PEER/24" >>"$TS_LOG" 2>&1 || fail "no namespace"
grep -q "dpdk-dumpcap ready" "$TS_LOG" || fail "the server did not initialise rte_pdump: $(cat "$TS_LOG")"
in_ns ping -c 40 -i 0.1 -W 2 "$TS_IP" >/dev/null &
PING=$!
TS_EXTRA_PIDS+=($PING)
timeout 30 dpdk-dumpcap --file-prefix="$TS_PREFIX" -i net_tap0 -c 8 -w "$TS_DIR/dump.pcapng" >"$TS_DIR/dumpcap.log" 2>&1 ||
  fail "dpdk-dumpcap failed: $(cat "$TS_DIR/dumpcap.log")"
wait $PING
replies=$(tshark -r "$TS_DIR/dump.pcapng" -Y "icmp.type == 0 && ip.src == $TS_IP" 2>/dev/null | wc -l)
((replies >= 1)) || fail "dpdk-dumpcap saw no echo reply: $(tshark -r "$TS_DIR/dump.pcapng" 2>&1 | head)"
info "dpdk-dumpcap captured $replies echo replies"
ts_stop || fail "server exited with $?"
expect_nothing_left
ts_pass
