#!/usr/bin/env bash
# Many connections open at once, stack to stack over memif (--hold end: every connection stays
# open until the generator has opened them all, then all close; no timing decides the counts).
#  - One local address has 28,232 ports (32768-60999) for one server address and port: the
#    generator holds exactly that many open and counts the polls that found no port (stalls).
#  - With --ip-range 4, 100,000 connections to the same server address and port are open at once
#    on both ends (the issue's "exceed 64 k concurrent connections per server address"), then
#    close cleanly: TIME-WAIT for every one on the generator, nothing left in use.
#  - What cannot work is refused in one line: a concurrency beyond the profile's connection
#    blocks, --hold with --close server, a --hold that is neither seconds nor end.
source "$(dirname "$0")/lib.sh" "$@"
PROFILE=$T_DIR/memif-131072.ini
sed 's/^connections_per_queue = .*/connections_per_queue = 131072/' "$TS_ROOT/drivers-config/memif.ini" >"$PROFILE"
grep -q '^connections_per_queue = 131072$' "$PROFILE" || fail "could not raise connections_per_queue in $PROFILE"

cps_refused 2 "--concurrency 100000 needs 100000 connection blocks per lcore; the profile gives 65536" \
  --concurrency 100000
cps_refused 2 "--hold needs --close client or rst" --hold end --close server
cps_refused 2 "--hold 'soon' is neither seconds from 0 to 3600 nor end" --hold soon
cps_refused 2 "--hold end with --requests above --concurrency would never end" --hold end --requests 10 --concurrency 5

# One address: the ports run out at 28,232 open connections.
PORTS=28232
srv_start --config "$PROFILE"
cps_run_stop --config "$PROFILE" --ip-range 1 --requests 30000 --concurrency 30000 --hold end --duration 5 --timeout 5
[[ $(jv "$CPS_JSON" stopped_by) == duration ]] ||
  fail "the one-address run stopped by $(jv "$CPS_JSON" stopped_by), not by its duration"
cps_expect in_flight_peak eq "$PORTS"
cps_expect in_flight_peak_per_lcore.0 eq "$PORTS"
cps_expect attempted eq "$PORTS"
cps_expect completed eq "$PORTS"
cps_expect failures eq 0
cps_expect stalls gt 0
cps_expect stack.live_connections_peak.0 eq "$PORTS"
srv_expect lcores.0.live_connections_peak eq "$PORTS"
srv_expect counters.conn_accepted eq "$PORTS"

# Four addresses: 100,000 open at once to 198.18.0.2:80.
N=100000
srv_start --config "$PROFILE"
cps_run_stop --config "$PROFILE" --ip-range 4 --requests "$N" --concurrency "$N" --hold end --timeout 10
expect_clean_run "$N"
cps_expect in_flight_peak eq "$N"
cps_expect in_flight_peak_per_lcore.0 eq "$N"
cps_expect stack.live_connections_peak.0 eq "$N"
cps_expect stalls eq 0
srv_expect lcores.0.live_connections_peak eq "$N"
# Each closed by our FIN: TIME-WAIT here for every one (2 MSL outlasts the run), none there.
cps_expect stack.connections.time_wait eq "$N"
cps_expect stack.counters.time_wait_reused eq 0
srv_expect connections.time_wait eq 0
srv_expect counters.conn_closed eq "$N"
grep -q "in flight 0 (peak $N)" "$CPS_LOG" || fail "the summary does not show the peak of $N in flight"
t_pass
