#!/usr/bin/env bash
# Runs that --requests alone ends, and that could never reach it, end all the same:
#  - --hold end --requests N with no --duration keeps N open at once: N above the local tuples or
#    the connection blocks is refused in one line (exit 2: a usage error, as a --concurrency
#    beyond the blocks and a malformed --config are, which exited 1).
#  - Two lcores and one local port: RSS returns its replies to one lcore only, and the other finds
#    no port to open from, ever (it ran until killed). Opening stops by itself once nothing has
#    opened or ended for a second while the stalls go on (stopped by "stalled", said as it
#    happens); the lcore that could open did its share and the run ends as any other.
#  - The default concurrency (256 with --rate max), above the profile's blocks (2 lcores x 64), is
#    reported as what the lcores have: 128 (the banner and the JSON said 256).
source "$(dirname "$0")/lib.sh" "$@"
SRV_LCORES=(--lcores "0@$SRV_CORE,1@$SRV_CORE")
CPS_LCORES=(--lcores "0@$CPS_CORE,1@$CPS_CORE")
PROFILE=$T_DIR/memif-64.ini
sed 's/^connections_per_queue = .*/connections_per_queue = 64/' "$TS_ROOT/drivers-config/memif.ini" >"$PROFILE"
grep -q '^connections_per_queue = 64$' "$PROFILE" || fail "could not set connections_per_queue in $PROFILE"
printf '[stack]\nconnections_per_queue = lots\n' >"$T_DIR/bad.ini"

cps_refused 2 "--hold end with --requests 200 would never end: it keeps 200 connections open at once, and --ip-range 1 with --port-range 40000-40099 gives 100 local tuples" \
  --hold end --requests 200 --concurrency 200 --port-range 40000-40099 --request none --close rst
cps_refused 2 "--hold end with --requests 129 would never end: it keeps 65 connections open at once on an lcore, and the profile gives 64 connection blocks per lcore" \
  --config "$PROFILE" --queues 2 --hold end --requests 129 --request none --close rst
cps_refused 2 "--concurrency 130 needs 65 connection blocks per lcore; the profile gives 64" \
  --config "$PROFILE" --queues 2 --concurrency 130
cps_refused 2 "connections_per_queue" --config "$T_DIR/bad.ini"

srv_start --mode http
CPS_TIMEOUT=40 cps_run_stop --config "$PROFILE" --queues 2 --requests 10 --port-range 40000-40000 \
  --request none --close rst --timeout 2 --stats-interval 0.5
[[ $(jv "$CPS_JSON" stopped_by) == stalled ]] || fail "stopped by $(jv "$CPS_JSON" stopped_by), not stalled"
grep -q "^turnstile-cps: opening stalled: 5 of 10 opened" "$CPS_LOG" || fail "no line saying that opening stalled"
grep -q "stopped by stalled" "$CPS_LOG" || fail "the summary does not say it stopped by stalled"
cps_expect attempted eq 5
cps_expect completed eq 5
cps_expect failures eq 0
cps_expect in_flight eq 0
cps_expect stalls gt 0
# Warm-up aside, the lcore's five take a few ms; then a second of stalls.
elapsed=$(jv "$CPS_JSON" elapsed_s)
((${elapsed%%.*} < 5)) || fail "opening stopped after $elapsed s, not a second after it stalled"
info "stopped after $elapsed s"
srv_expect counters.tcp_rst_in eq 5  # one RST a connection; not tcp_syn_in: a SYN may be sent again
grep -q "concurrency 128, on net_memif0" "$CPS_LOG" || fail "the banner does not give the concurrency the blocks allow"
cps_expect config.concurrency eq 128
t_pass
