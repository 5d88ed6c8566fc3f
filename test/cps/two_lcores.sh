#!/usr/bin/env bash
# turnstile-cps on two lcores (one CPU) -> a two-lcore turnstile-server over memif: the work is
# shared out exactly, and what the report says holds for all the lcores.
#  - --requests 1: one connection in all. An lcore whose share is none opens none (a share of 0
#    had meant "no bound": 129 were opened before the control thread stopped them).
#  - --concurrency below the lcore count is refused in one line (each lcore keeps one in flight).
#  - The warm-up connection each lcore opens before the server's MAC is known (its SYN waits for
#    ARP) is no connect-time sample.
#  - --stats-interval 0.25: the median of the intervals' rates is not 0 (intervals of 0.5 s or
#    less were all left out of it).
#  - The summary's peak in flight is no less than either lcore's own.
#  - --plot and --python paths holding a single quote reach the shell as they are.
source "$(dirname "$0")/lib.sh" "$@"
SRV_LCORES=(--lcores "0@$SRV_CORE,1@$SRV_CORE")
CPS_LCORES=(--lcores "0@$CPS_CORE,1@$CPS_CORE")

cps_refused 2 "--concurrency 1 is below the 2 lcores: each lcore keeps at least one connection in flight; give --concurrency 2 or more" \
  --concurrency 1

srv_start --mode http
cps_run_stop --requests 1 --request http --close client --timeout 5
grep -q "2 lcore(s)" "$CPS_LOG" || fail "turnstile-cps did not run two lcores"
[[ $(jv "$CPS_JSON" stopped_by) == requests ]] || fail "stopped by $(jv "$CPS_JSON" stopped_by), not requests"
cps_expect attempted eq 1
cps_expect completed eq 1
cps_expect in_flight_peak_per_lcore.1 eq 0
srv_expect counters.conn_accepted eq 1
# Its one connection was lcore 0's warm-up.
[[ $(cps_samples) -eq 0 ]] || fail "$(cps_samples) connect-time samples; the only connection was a warm-up"

N=2000
$PY -c 'import matplotlib' 2>/dev/null || fail "no matplotlib for $PY: install python3-matplotlib (scripts/setup installs it)"
mkdir -p "$T_DIR/it's" && ln -s "$PY" "$T_DIR/it's/python3" || fail "cannot make $T_DIR/it's/python3"
PLOT=(--plot "$T_DIR/it's.png" --python "$T_DIR/it's/python3")
srv_start --mode http
cps_run_stop --rate 2000 --requests "$N" --request http --close client --timeout 5 --stats-interval 0.25 "${PLOT[@]}"
expect_clean_run "$N"
cps_expect in_flight_peak_per_lcore.0 gt 0
cps_expect in_flight_peak_per_lcore.1 gt 0
median=$(jv "$CPS_JSON" cps_median)
[[ ${median%%.*} -gt 0 ]] || fail "cps_median is $median with --stats-interval 0.25"
info "cps_median = $median"
for l in 0 1; do cps_expect in_flight_peak ge "$(jv "$CPS_JSON" in_flight_peak_per_lcore.$l)"; done
# Each lcore's first connection may be a warm-up (lcore 0's is: nobody knows the MAC yet).
s=$(cps_samples)
((s >= N - 2 && s <= N - 1)) || fail "$s connect-time samples of $N connections: the warm-ups are to be left out"
info "$s connect-time samples of $N connections"
[[ -s "$T_DIR/it's.png" ]] || fail "no plot at $T_DIR/it's.png"
info "plotted to $T_DIR/it's.png"

# A generator held up (Ctrl-Z and fg, here SIGSTOP and SIGCONT) goes on with its points one
# interval after the late one: not a burst of points 5 ms apart, each the rates of a sliver.
srv_start --mode http
: >"$CPS_LOG"
cps_cmd --linger 30 --rate 500 --duration 5 --request http --close server --timeout 10 --stats-interval 0.5 &
run=$!
wait_cps() { local p; for p in $(pgrep -f -- "--file-prefix $CPS_PREFIX"); do [[ $(cat "/proc/$p/comm" 2>/dev/null) == turnstile-cps ]] && echo "$p"; done; }
for ((i = 0; i < 100; i++)); do cps=$(wait_cps); [[ -n $cps ]] && grep -q '^\[' "$CPS_LOG" && break; sleep 0.05; done
[[ -n $cps ]] || fail "no turnstile-cps running"
sleep 1
kill -STOP "$cps"
sleep 2
kill -CONT "$cps"
for ((i = 0; i < 400; i++)); do grep -q -- "(--linger)" "$CPS_LOG" && break; kill -0 "$run" 2>/dev/null || break; sleep 0.05; done
srv_stop || fail "server exited with $?"
wait "$run" || fail "turnstile-cps exited with $?: $(tail -n 5 "$CPS_LOG")"
$PY - "$CPS_JSON" <<'EOF2' || fail "points after a stop: $(grep '^\[' "$CPS_LOG")"
import json, sys
ts = [p["t"] for p in json.load(open(sys.argv[1]))["series"] if not p.get("partial")]
gaps = [round(b - a, 2) for a, b in zip(ts, ts[1:])]
assert len(ts) >= 4 and max(gaps) >= 1.9, f"no held-up interval: {ts}"
assert min(gaps) >= 0.3, f"points {min(gaps)} s apart at an interval of 0.5 s: {ts}"
EOF2
info "a generator held up 2 s goes on with its points one interval apart"
t_pass
