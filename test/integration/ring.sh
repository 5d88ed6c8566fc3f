#!/usr/bin/env bash
# drivers-config/ring.ini as written (net_ring0 from the profile's own [eal] devices): the server
# starts, every frame it sends comes straight back (the gratuitous ARP announcements), its own
# announcements are not taken for another host claiming the address, and it stops by itself at
# --duration with nothing left behind.
source "$(dirname "$0")/lib.sh" "$@"
TS_LOG="$TS_DIR/server.log"
timeout -k 5 60 "$TS_SERVER" -l 1 --no-huge -m 512 --file-prefix "$TS_PREFIX" -- \
  --config "$TS_ROOT/drivers-config/ring.ini" --ip "$TS_IP/24" --duration 2 --stats-interval 0 \
  --json "$TS_JSON" >"$TS_LOG" 2>&1
rc=$?
cat "$TS_LOG"
((rc == 0)) || fail "turnstile-server on net_ring exited with $rc"
grep -q "on net_ring0 " "$TS_LOG" || fail "not a run on net_ring0"
[[ $(json stopped_by) == duration ]] || fail "stopped by $(json stopped_by), not --duration"
expect counters.arp_requests_out ge 1
tx=$(json counters.tx_packets)
expect counters.rx_packets eq "$tx"
expect counters.arp_conflicts eq 0
expect mbufs_in_use_after_close eq 0
expect_nothing_left
ts_pass
