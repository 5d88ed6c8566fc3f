#!/usr/bin/env bash
# bench/cps/run, case 2 (wrk -> nginx) three times for 1 s, with a wrk in front of the real one
# that fails the first run (exit 1, as wrk does when it cannot connect) and prints nothing in the
# second (exit 0). Neither may read as a run of 0 connections: both must be named as lost with
# their reason, and the third, real run must make the median.
source "$(dirname "$0")/lib.sh" "$@"
BUILD=$(cd "$(dirname "$CPS_BIN")/../.." && pwd)
RUN=$TS_ROOT/bench/cps/run
OUT=$T_DIR/bench
REAL_WRK=$(command -v wrk) || fail "wrk is not installed (scripts/setup installs it)"
command -v nginx >/dev/null || fail "nginx is not installed (scripts/setup installs it)"

mkdir -p "$T_DIR/shim"
cat >"$T_DIR/shim/wrk" <<SHIM
#!/usr/bin/env bash
n=\$(cat "$T_DIR/wrk-calls" 2>/dev/null || echo 0); echo \$((n + 1)) >"$T_DIR/wrk-calls"
case \$n in
  0) echo "unable to connect to 127.0.0.1:18080 Connection refused"; exit 1 ;;
  1) exit 0 ;;
  *) exec "$REAL_WRK" "\$@" ;;
esac
SHIM
chmod +x "$T_DIR/shim/wrk"

PATH="$T_DIR/shim:$PATH" "$RUN" --build "$BUILD" --cases 2 --repeat 3 --duration 1 --out "$OUT" \
  >"$T_DIR/run.log" 2>&1
rc=$?
cat "$T_DIR/run.log"
((rc == 0)) || fail "bench/cps/run exited with $rc"
[[ $(cat "$T_DIR/wrk-calls") == 3 ]] || fail "wrk was called $(cat "$T_DIR/wrk-calls") times, not 3"
$PY - "$OUT/results.json" <<'PY' || fail "results.json does not tell the lost wrk runs apart"
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
assert c["id"] == "2", c
lost = {l["run"]: l["reason"] for l in c["lost_runs"]}
assert lost.get("2-run1", "").startswith("wrk exited with status 1"), c
assert lost.get("2-run2", "").startswith("wrk printed no total"), c
assert c["runs_cps"][:2] == [None, None] and c["runs_cps"][2] > 0, c  # no floor: the load decides the rate
assert c["median_of_runs"] == 1 and c["median_run_id"] == "2-run3" and c["cps"] == c["runs_cps"][2], c
PY
grep -qE '^wrk -> nginx \(kernel, loopback\) +lost lost [0-9]+$' "$T_DIR/run.log" ||
  fail "the runs line does not show the two lost runs"
pgrep -f "$OUT" >/dev/null && fail "processes of the benchmark still running"
t_pass
