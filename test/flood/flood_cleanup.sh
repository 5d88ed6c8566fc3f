#!/usr/bin/env bash
# A flood test that fails, or is stopped (Ctrl-C, SIGTERM), takes its hping3 down with it: the
# flood must not go on in the background, in a namespace already deleted, until its `timeout`
# guard ends it a minute later. A child copy of this script (FLOOD_CLEANUP_CHILD=fail|term) starts
# a bounded flood as the flood tests do (lib.sh's flood_begin, into a namespace of its own with a
# veth in it, no server needed) and fails, or is sent SIGTERM; this script then asserts that
# every process of that flood is gone at once and that the namespace went with it.
source "$(dirname "$0")/lib.sh" "$@"

if [[ -n ${FLOOD_CLEANUP_CHILD:-} ]]; then
  echo "$TS_NS" >"$FLOOD_CLEANUP_OUT.ns"
  ip netns add "$TS_NS" || fail "cannot create $TS_NS"
  ip -n "$TS_NS" link add fa type veth peer name fb || fail "cannot create a veth in $TS_NS"
  ip -n "$TS_NS" addr add "$TS_PEER/24" dev fa
  ip -n "$TS_NS" link set fa up
  ip -n "$TS_NS" link set fb up
  flood_begin 1000000 100 60
  wait_for 10 eval '[[ $(descendants $$) == *" hping3"* ]]' || fail "hping3 did not start"
  descendants $$ | grep -E ' (timeout|hping3)$' >"$FLOOD_CLEANUP_OUT"
  [[ $FLOOD_CLEANUP_CHILD == fail ]] && fail "deliberate failure with the flood running"
  echo ready >"$FLOOD_CLEANUP_OUT.ready"
  wait_for 30 false  # until the SIGTERM
  exit 3
fi

for mode in fail term; do
  out="$TS_DIR/child-$mode"
  FLOOD_CLEANUP_CHILD=$mode FLOOD_CLEANUP_OUT=$out bash "$0" "$@" >"$out.log" 2>&1 &
  child=$!
  FLOOD_PID=$child  # flood_cleanup stops it should this test fail first
  if [[ $mode == term ]]; then
    wait_for 15 test -e "$out.ready" || fail "child ($mode) did not start its flood: $(tail -n 3 "$out.log")"
    kill -TERM "$child"
  fi
  wait "$child"
  rc=$?
  FLOOD_PID=""
  grep -q ' hping3$' "$out" 2>/dev/null || fail "child ($mode) did not start its flood: $(tail -n 3 "$out.log")"
  ((rc == 1)) || fail "child ($mode) exited with $rc, expected 1: $(tail -n 3 "$out.log")"
  expect_all_gone "$out" "the flood of a test that ended ($mode)"
  ns=$(cat "$out.ns")
  [[ ! -e /run/netns/$ns ]] || { ip netns del "$ns"; fail "namespace $ns outlived its test ($mode)"; }
  info "$mode: the flood (and its namespace) ended with the test"
done
ts_pass
