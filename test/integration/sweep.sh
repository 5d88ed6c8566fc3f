#!/usr/bin/env bash
# scripts/sweep removes the namespaces a killed run left behind (the project's names, their
# creator's pid gone) and nothing else: not a live run's, not another name's. scripts/test
# runs it first.
source "$(dirname "$0")/lib.sh" "$@"
SWEEP=$TS_ROOT/scripts/sweep

sleep 0 &
dead=$!
wait "$dead"
[[ ! -d /proc/$dead ]] || skip "pid $dead was reused at once"
gone=("tsi-sweep-$dead" "tsc-sweep-${dead}b")  # a killed test's, and its second namespace
kept=("tsi-sweep-$$" "tsx-sweep-$dead" "tsi-sweep$dead")  # live; not ours; the old shape
for ns in "${gone[@]}" "${kept[@]}"; do
  TS_EXTRA_NS+=("$ns")
  ip netns add "$ns" || fail "cannot create $ns"
done

# have NS: the namespace exists.
have() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }

"$SWEEP" --dry-run >"$TS_DIR/dry" 2>&1 || fail "sweep --dry-run: exit $? ($(cat "$TS_DIR/dry"))"
for ns in "${gone[@]}"; do
  grep -qx "sweep: would remove namespace $ns (pid $dead is gone)" "$TS_DIR/dry" || fail "--dry-run did not name $ns: $(cat "$TS_DIR/dry")"
  have "$ns" || fail "--dry-run removed $ns"
done

"$SWEEP" >"$TS_DIR/out" 2>&1 || fail "sweep: exit $? ($(cat "$TS_DIR/out"))"
cat "$TS_DIR/out"
for ns in "${gone[@]}"; do
  grep -qx "sweep: removed namespace $ns (pid $dead is gone)" "$TS_DIR/out" || fail "sweep did not report $ns"
  ! have "$ns" || fail "sweep left $ns"
done
for ns in "${kept[@]}"; do
  have "$ns" || fail "sweep removed $ns"
  ! grep -q -- " $ns " "$TS_DIR/out" || fail "sweep named $ns"
done

"$SWEEP" --bogus >/dev/null 2>"$TS_DIR/err"
rc=$?
((rc == 2)) && grep -q "unknown argument --bogus" "$TS_DIR/err" || fail "sweep --bogus: exit $rc ($(cat "$TS_DIR/err"))"
ts_pass
