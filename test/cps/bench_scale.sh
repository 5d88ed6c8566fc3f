#!/usr/bin/env bash
# bench/cps/scale, the multi-core run: its refusals of bad arguments, and one short run on this
# machine's two cores (the server on one, the generator on the other, as --cpus orders them):
# the queue counts that need more cores are named as left out, the row of one queue carries a
# rate, zero failures and both sides' busy ns a connection, and every run's JSON shows nothing
# left in use. The control rows (--busy-others, --apart) and two queues a side need four cores:
# their refusals are checked, then all of them run with --share-cores on "S C S C", two lcores to
# a core (slow, but every connection must complete, and the spinners must be gone at the end).
source "$(dirname "$0")/lib.sh" "$@"
BUILD=$(cd "$(dirname "$CPS_BIN")/../.." && pwd)
SCALE=$TS_ROOT/bench/cps/scale

refused() {  # WHAT EXPECTED ARGS...: exits non-zero, says EXPECTED
  local what=$1 want=$2
  shift 2
  "$SCALE" --build "$BUILD" "$@" >"$T_DIR/err" 2>&1 && fail "scale ran with $what"
  grep -q -- "$want" "$T_DIR/err" || fail "scale, $what: $(cat "$T_DIR/err")"
}
refused "--memory lots" "--memory must be auto, huge or no-huge" --memory lots
refused "--queues 0" "--queues (each) must be a whole number above 0" --queues 0
refused "--duration 1s" "--duration must be a whole number above 0" --duration 1s
refused "a core twice" "--cpus names a core twice (--share-cores allows it)" --cpus "$SRV_CORE $SRV_CORE"
refused "core 4095" "--cpus: no logical core '4095' here" --cpus "0 4095"
refused "--busy-others, 2 cores" "--busy-others needs a count of queues of 2 or more" --busy-others --cpus "$SRV_CORE $CPS_CORE"
refused "--apart, 2 cores" "--apart needs a count of queues of 2 or more" --apart --cpus "$SRV_CORE $CPS_CORE"
refused "a missing build" "no turnstile-cps / turnstile-server in $T_DIR/nowhere" --build "$T_DIR/nowhere"
info "refusals ok"

OUTD=$T_DIR/scale
"$SCALE" --build "$BUILD" --queues "1 2" --duration 1 --cpus "$SRV_CORE $CPS_CORE" --memory no-huge \
  --out "$OUTD" >"$T_DIR/scale.log" 2>&1 || { cat "$T_DIR/scale.log"; fail "scale exited with $?"; }
cat "$T_DIR/scale.log"
grep -qE '^machine: .* \(family [0-9]+ model [0-9]+ stepping [0-9]+, TSC [0-9]+ MHz\), [0-9]+ cores, ' "$T_DIR/scale.log" ||
  fail "no machine line"
grep -q "cores in use, in order: $SRV_CORE $CPS_CORE\$" "$T_DIR/scale.log" || fail "the cores in use are not named"
grep -q '^memory: --no-huge' "$T_DIR/scale.log" || fail "no memory line"
grep -q '^  2 queue(s): left out, needs 4 cores (this run has 2)$' "$T_DIR/scale.log" || fail "2 queues not left out"
$PY - "$OUTD" "$T_DIR/scale.log" "$CPS_CORE" <<'PY' || fail "scale's results"
import json, re, sys
out, log, cps_core = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
rows = [l.split("\t") for l in open(out + "/results.tsv").read().splitlines()]
assert len(rows) == 1, rows
n, cps, fails, ratio, gns, sns, runs = rows[0]
assert n == "1" and fails == "0" and ratio == "1.00" and runs == cps, rows
assert int(cps) > 0 and 50 < int(gns) < 10**7 and 50 < int(sns) < 10**7, rows
assert re.search(r"^1 +%s +0 +%s +1\.00 +%s +%s +%s$" % (cps, cps, gns, sns, cps), log, re.M), log
c = json.load(open(out + "/q1-r1-cps.json"))
s = json.load(open(out + "/q1-r1-server.json"))
# The table's rate is the generator's, and every connection it attempted completed on both ends.
assert abs(c["cps"] - int(cps)) <= 1, (c["cps"], cps)
assert c["failures"] == 0 and c["completed"] == c["attempted"] > 0, c
assert s["counters"]["conn_accepted"] == c["completed"], (s["counters"]["conn_accepted"], c["completed"])
assert c["stack"]["mbufs_in_use_end"] == 0 and s["mbufs_in_use_end"] == 0
assert round(c["busy_ns_per_conn"]) == int(gns), (c["busy_ns_per_conn"], gns)
# The server ran on the first core named, the generator on the second.
eal = c["config"]["eal_args"]
assert eal[eal.index("-l") + 1] == cps_core, eal
PY
ls "$OUTD"/*.sock >/dev/null 2>&1 && fail "a memif socket was left behind: $(ls "$OUTD"/*.sock)"
ls "$OUTD"/q1-r1-{cps,server}.{json,log} >/dev/null || fail "a run's files are missing"
info "one queue ok"

# Every row on two cores: 2 queues a side, 1 queue with the other "cores" (the same two) spinning,
# and 2 separate single-queue pairs, each lcore sharing its core with another.
SPINNER='while :; do :; done'
OUTS=$T_DIR/shared
"$SCALE" --build "$BUILD" --queues "1 2" --busy-others --apart --share-cores --duration 1 \
  --cpus "$SRV_CORE $CPS_CORE $SRV_CORE $CPS_CORE" --memory no-huge --out "$OUTS" >"$T_DIR/shared.log" 2>&1 ||
  { cat "$T_DIR/shared.log"; fail "scale --share-cores exited with $?"; }
cat "$T_DIR/shared.log"
grep -q '^--share-cores: lcores share cores' "$T_DIR/shared.log" || fail "no --share-cores line"
grep -q '^  1 queue, 2 other cores busy, run 1: [0-9]' "$T_DIR/shared.log" || fail "no busy-others run"
pgrep -f "$SPINNER" >/dev/null && fail "a busy loop outlived the run: $(pgrep -af "$SPINNER")"
$PY - "$OUTS" "$SRV_CORE" "$CPS_CORE" <<'PY' || fail "scale's shared-core results"
import json, sys
out, srv_core, cps_core = sys.argv[1:]
rows = {r[0]: r for r in (l.split("\t") for l in open(out + "/results.tsv").read().splitlines())}
assert sorted(rows) == ["1", "1+busy", "2", "2-apart"], rows
for name, r in rows.items():
    assert r[2] == "0" and int(r[1]) > 0 and int(r[4]) > 0 and int(r[5]) > 0, r
# The pairs each row ran: (files, queues a side, the generator's and the server's cores).
runs = {"1": [("q1-r1", 1, cps_core, srv_core)],
        "1+busy": [("q1busy-r1", 1, cps_core, srv_core)],
        "2": [("q2-r1", 2, srv_core + "," + cps_core, srv_core + "," + cps_core)],
        "2-apart": [("q2apart-r1-p0", 1, srv_core, srv_core), ("q2apart-r1-p1", 1, cps_core, cps_core)]}
for name, pairs in runs.items():
    total = 0
    for f, q, gcores, score in pairs:
        c = json.load(open("%s/%s-cps.json" % (out, f)))
        s = json.load(open("%s/%s-server.json" % (out, f)))
        assert c["failures"] == 0 and c["completed"] == c["attempted"] > 0, (f, c["failed"])
        assert s["counters"]["conn_accepted"] == c["completed"], (f, s["counters"]["conn_accepted"])
        assert c["stack"]["mbufs_in_use_end"] == 0 and s["mbufs_in_use_end"] == 0, f
        # Every server lcore took connections, each on its own queue.
        assert [l["queue"] for l in s["lcores"]] == list(range(q)), (f, s["lcores"])
        assert all(l["counters"]["conn_accepted"] > 0 and l["live_connections"] == 0 for l in s["lcores"]), f
        for eal, cores in ((c["config"]["eal_args"], gcores), (s["config"]["eal_args"], score)):
            assert eal[eal.index("-l") + 1] == cores, (f, eal)
        total += int(c["cps"])
    # A row's rate is its pairs' rates summed (each a whole number in its summary).
    assert abs(total - int(rows[name][1])) <= len(pairs), (name, total, rows[name])
PY
ls "$OUTS"/*.sock >/dev/null 2>&1 && fail "a memif socket was left behind: $(ls "$OUTS"/*.sock)"
t_pass
