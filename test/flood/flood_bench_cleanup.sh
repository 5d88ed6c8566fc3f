#!/usr/bin/env bash
# bench/flood/run stopped in the middle of a flood (SIGTERM; its trap takes Ctrl-C the same way)
# stops everything it started: hping3 must not go on flooding, in a namespace the cleanup already
# deleted, for the rest of --duration. Runs the benchmark's first case (turnstile, paced) with a
# long --duration, stops it once hping3 runs, then asserts that every process it had started is
# gone at once, and its namespace and DPDK files with them.
source "$(dirname "$0")/lib.sh" "$@"

BUILD=$(dirname "$(dirname "$(dirname "$TS_SERVER")")")  # BUILD/apps/server/turnstile-server

"$TS_ROOT/bench/flood/run" --build "$BUILD" --duration 60 --rates paced --out "$TS_DIR/bench" \
  >"$TS_DIR/run.log" 2>&1 &
run=$!
FLOOD_PID=$run  # flood_cleanup stops it should this test fail first
wait_for 40 eval '[[ $(descendants $run) == *" hping3"* ]]' ||
  fail "bench/flood/run did not start hping3 in 40 s: $(tail -n 5 "$TS_DIR/run.log")"
sleep 1  # the real client too (it starts 0.5 s after hping3)
descendants "$run" >"$TS_DIR/procs"
info "running under bench/flood/run: $(awk '{print $2}' "$TS_DIR/procs" | sort -u | paste -sd,)"
kill -TERM "$run"
wait "$run"
rc=$?
FLOOD_PID=""
((rc == 1)) || fail "bench/flood/run exited with $rc after SIGTERM, expected 1: $(tail -n 5 "$TS_DIR/run.log")"
expect_all_gone "$TS_DIR/procs" "bench/flood/run stopped mid-flood"
for ns in "tsb-flood-$run" "tsb-floods-$run" "tsb-floodc-$run"; do
  [[ ! -e /run/netns/$ns ]] || { ip netns del "$ns"; fail "namespace $ns outlived bench/flood/run"; }
done
[[ ! -e /var/run/dpdk/tsb_flood_$run ]] || fail "/var/run/dpdk/tsb_flood_$run outlived bench/flood/run"
info "bench/flood/run stopped mid-flood: nothing it started is left"
ts_pass
