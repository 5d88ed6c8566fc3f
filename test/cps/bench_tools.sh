#!/usr/bin/env bash
# The measuring tools of bench/cps: `ab` runs case 1 with two builds alternately and sums the
# pairs up; `instructions` counts each side's instructions per connection under callgrind. Here
# with the same build on both sides of `ab` (so every figure must be there and plausible), and
# the tools' refusals of bad arguments.
source "$(dirname "$0")/lib.sh" "$@"
BUILD=$(cd "$(dirname "$CPS_BIN")/../.." && pwd)
AB=$TS_ROOT/bench/cps/ab
INSTR=$TS_ROOT/bench/cps/instructions

# Refusals: clear message, non-zero exit, nothing run.
"$AB" "$BUILD" >"$T_DIR/err1" 2>&1 && fail "ab ran with one build"
grep -q 'give two build directories' "$T_DIR/err1" || fail "ab, one build: $(cat "$T_DIR/err1")"
"$AB" --pairs 0 "$BUILD" "$BUILD" >"$T_DIR/err2" 2>&1 && fail "ab ran with --pairs 0"
grep -q -- '--pairs must be' "$T_DIR/err2" || fail "ab, --pairs 0: $(cat "$T_DIR/err2")"
"$AB" "$BUILD" "$T_DIR/nowhere" >"$T_DIR/err3" 2>&1 && fail "ab ran with a missing build"
grep -q "no apps/cps/turnstile-cps" "$T_DIR/err3" || fail "ab, missing build: $(cat "$T_DIR/err3")"
"$AB" --memory lots "$BUILD" "$BUILD" >"$T_DIR/err5" 2>&1 && fail "ab ran with --memory lots"
grep -q -- '--memory must be auto, huge or no-huge' "$T_DIR/err5" || fail "ab, --memory lots: $(cat "$T_DIR/err5")"
"$AB" --close half "$BUILD" "$BUILD" >"$T_DIR/err6" 2>&1 && fail "ab ran with --close half"
grep -q -- '--close must be server, client or rst' "$T_DIR/err6" || fail "ab, --close half: $(cat "$T_DIR/err6")"
"$INSTR" --close half "$BUILD" >"$T_DIR/err7" 2>&1 && fail "instructions ran with --close half"
grep -q -- '--close must be client, server or rst' "$T_DIR/err7" || fail "instructions, --close half: $(cat "$T_DIR/err7")"
"$INSTR" --connections 10 "$BUILD" >"$T_DIR/err4" 2>&1 && fail "instructions ran with 10 connections"
grep -q -- '--connections must be' "$T_DIR/err4" || fail "instructions, 10: $(cat "$T_DIR/err4")"
"$INSTR" --rx-checksum maybe "$BUILD" >"$T_DIR/err10" 2>&1 && fail "instructions ran with --rx-checksum maybe"
grep -q -- '--rx-checksum must be verify or trust' "$T_DIR/err10" || fail "instructions, maybe: $(cat "$T_DIR/err10")"

INPROC=$BUILD/bench/bench_cps_inproc
"$INPROC" --help | grep -q '^usage: bench_cps_inproc' || fail "bench_cps_inproc --help prints no usage"
"$INPROC" 0 >"$T_DIR/err8" 2>&1 && fail "bench_cps_inproc ran 0 connections"
grep -q 'connections must be 1 to' "$T_DIR/err8" || fail "bench_cps_inproc 0: $(cat "$T_DIR/err8")"
"$INPROC" 100 64x >"$T_DIR/err9" 2>&1 && fail "bench_cps_inproc took concurrency 64x"
grep -q "concurrency must be 1 to 4096, not '64x'" "$T_DIR/err9" || fail "bench_cps_inproc 64x: $(cat "$T_DIR/err9")"
"$INPROC" 100 4 client sometimes >"$T_DIR/err11" 2>&1 && fail "bench_cps_inproc took checksums 'sometimes'"
grep -q "received checksums are verify or trust, not 'sometimes'" "$T_DIR/err11" ||
  fail "bench_cps_inproc sometimes: $(cat "$T_DIR/err11")"

# corelat: the cores' cache-line round trip, a figure in a plausible range (a round trip through
# memory is some tens of ns at least; past 100 us the cores are not really running it), and its
# refusals.
C2C=$BUILD/bench/corelat
"$C2C" --duration 0.3 --window-ms 50 >"$T_DIR/c2c.log" 2>&1 || { cat "$T_DIR/c2c.log"; fail "corelat exited with $?"; }
grep -qE '^cache-line round trip, core 0 <-> core 1: median [0-9]+ ns \(min [0-9]+, max [0-9]+\) over 6 windows of 50 ms$' "$T_DIR/c2c.log" ||
  fail "corelat printed: $(cat "$T_DIR/c2c.log")"
"$C2C" --cores 1,0 --duration 0.2 --json >"$T_DIR/c2c.json" || fail "corelat --json exited with $?"
$PY - "$T_DIR/c2c.json" <<'PY' || fail "corelat --json: $(cat "$T_DIR/c2c.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["cores"] == [1, 0] and len(j["windows_ns"]) == 2, j
assert 10 < j["min_ns"] <= j["median_ns"] <= j["max_ns"] < 100000, j
assert j["median_ns"] in j["windows_ns"], j
PY
# --every: one sample a period, "UNIX_TIME NS" (or "-" for one the other core did not answer),
# on the wall clock, a period apart.
"$C2C" --every 100 --duration 0.35 >"$T_DIR/c2c-every.log" 2>&1 || fail "corelat --every exited with $?"
$PY - "$T_DIR/c2c-every.log" <<'PY' || fail "corelat --every printed: $(cat "$T_DIR/c2c-every.log")"
import sys, time
rows = [l.split() for l in open(sys.argv[1])]
assert len(rows) == 3 and all(len(r) == 2 for r in rows), rows
t = [float(r[0]) for r in rows]
assert abs(t[0] - time.time()) < 60 and all(0.05 < b - a < 0.5 for a, b in zip(t, t[1:])), t
assert all(r[1] == "-" or 10 < float(r[1]) < 100000 for r in rows), rows
assert any(r[1] != "-" for r in rows), rows
PY
"$C2C" --every 5 >"$T_DIR/err16" 2>&1 && fail "corelat took --every 5"
grep -q -- "--every must be 10 to 60000 ms, not '5'" "$T_DIR/err16" || fail "corelat --every 5: $(cat "$T_DIR/err16")"
"$C2C" --cores 1,1 >"$T_DIR/err12" 2>&1 && fail "corelat took one core twice"
grep -q -- '--cores must name two different cores' "$T_DIR/err12" || fail "corelat 1,1: $(cat "$T_DIR/err12")"
"$C2C" --cores 0,4096 >"$T_DIR/err13" 2>&1 && fail "corelat took core 4096"
grep -qE -- "(no core 4096 on this machine|--cores must be two core numbers)" "$T_DIR/err13" || fail "corelat 4096: $(cat "$T_DIR/err13")"
"$C2C" --duration 0 >"$T_DIR/err14" 2>&1 && fail "corelat took --duration 0"
grep -q -- "--duration must be 0.01 to 600 seconds, not '0'" "$T_DIR/err14" || fail "corelat 0 s: $(cat "$T_DIR/err14")"
taskset -c 0 "$C2C" --duration 0.1 >"$T_DIR/err15" 2>&1 && fail "corelat ran on a core outside its affinity"
grep -q "core 1 is not one this process may run on" "$T_DIR/err15" || fail "corelat, taskset: $(cat "$T_DIR/err15")"

# One pair of 2-s runs; both builds' figures present, the pair counted.
"$AB" --pairs 1 --duration 2 --out "$T_DIR/ab" "$BUILD" "$BUILD" >"$T_DIR/ab.log" 2>&1 ||
  { cat "$T_DIR/ab.log"; fail "ab exited with $?"; }
cat "$T_DIR/ab.log"
S=$T_DIR/ab/summary.json
expect "$S" pairs eq 1
# auto: hugepages where enough are free, --no-huge otherwise; the choice said and recorded.
grep -q '^memory: ' "$T_DIR/ab.log" || fail "ab did not say which EAL memory it used"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1]))["eal_memory"]; sys.exit(not ("--huge-unlink" in m or "--no-huge" in m))' "$S" ||
  fail "summary.json has no eal_memory"
grep -qE '^machine: .*\(family [0-9]+ model [0-9]+ stepping [0-9]+, ' "$T_DIR/ab.log" || fail "ab did not name the machine's CPU"
$PY -c 'import json,sys; sys.exit(not " model " in json.load(open(sys.argv[1]))["machine"])' "$S" ||
  fail "summary.json does not name the machine"
# The figures there and none of a failed run (any connection failed); how high the rate is
# depends on the machine's load, so no floor beyond 0.
for x in A B; do
  expect "$S" "$x.failed_runs" eq 0
  expect "$S" "$x.cps.runs" eq 1
  expect "$S" "$x.cps.min" gt 0
  expect "$S" "$x.gen_busy_ns.min" gt 100
  expect "$S" "$x.srv_busy_ns.min" gt 100
done
grep -q 'B faster in [01] of 1 pairs; median ratio B/A' "$T_DIR/ab.log" || fail "no pair line in ab's output"
# Each run's round trip before it, and the pairs begun at the same one counted apart.
awk -F'\t' 'NF != 6 || $6 !~ /^[0-9]+$/ || $6 < 10 { bad = 1 } END { exit bad || NR != 2 }' "$T_DIR/ab/pairs.tsv" ||
  fail "pairs.tsv lacks each run's cache-line round trip: $(cat "$T_DIR/ab/pairs.tsv")"
$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (s["same_c2c_pairs"] in (0, 1) and s["same_c2c_b_faster"] <= s["same_c2c_pairs"]))' "$S" ||
  fail "summary.json lacks the same-round-trip pairs"

# Instructions: both sides counted apart, in a plausible range, and adding up.
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/setup installs it)"
"$INSTR" --connections 2000 "$BUILD" >"$T_DIR/instr.log" 2>&1 || { cat "$T_DIR/instr.log"; fail "instructions exited with $?"; }
cat "$T_DIR/instr.log"
read -r _ gen srv both < <(grep -F "$BUILD" "$T_DIR/instr.log")
for v in "$gen" "$srv"; do
  [[ $v =~ ^[0-9]+$ ]] && ((v > 2000 && v < 100000)) || fail "instructions per connection $v: not plausible"
done
((both >= gen + srv - 1 && both <= gen + srv + 1)) || fail "both sides $both is not $gen + $srv"

# The server closing (case 1 of bench/cps/run): six segments instead of seven, so fewer
# instructions on both sides than the generator's FIN close counted above.
"$INSTR" --connections 2000 --close server "$BUILD" >"$T_DIR/instr-s.log" 2>&1 ||
  { cat "$T_DIR/instr-s.log"; fail "instructions --close server exited with $?"; }
cat "$T_DIR/instr-s.log"
read -r _ sgen ssrv _ < <(grep -F "$BUILD" "$T_DIR/instr-s.log")
[[ $sgen =~ ^[0-9]+$ && $ssrv =~ ^[0-9]+$ ]] || fail "no counts for --close server"
((sgen > 2000 && sgen < gen && ssrv > 2000 && ssrv < srv)) ||
  fail "--close server: generator $sgen, server $ssrv; not below the FIN close's $gen, $srv"

# Case 1t: [port] rx_checksum = trust on both stacks verifies nothing it receives, so each side
# does less than the same exchange verifying (3 frames a side: about 100 instructions each).
"$INSTR" --connections 2000 --close server --rx-checksum trust "$BUILD" >"$T_DIR/instr-t.log" 2>&1 ||
  { cat "$T_DIR/instr-t.log"; fail "instructions --rx-checksum trust exited with $?"; }
cat "$T_DIR/instr-t.log"
grep -q 'rx sums trusted' "$T_DIR/instr-t.log" || fail "instructions does not say the sums were trusted"
read -r _ tgen tsrv _ < <(grep -F "$BUILD" "$T_DIR/instr-t.log")
[[ $tgen =~ ^[0-9]+$ && $tsrv =~ ^[0-9]+$ ]] || fail "no counts for --rx-checksum trust"
((tgen > 2000 && tgen + 150 < sgen && tsrv > 2000 && tsrv + 150 < ssrv)) ||
  fail "--rx-checksum trust: generator $tgen, server $tsrv; not 150 below verifying's $sgen, $ssrv"
t_pass
