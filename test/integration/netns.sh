#!/usr/bin/env bash
# scripts/netns moves a tap only once its DPDK owner says the port has started: the interface is
# up before rte_eth_dev_start returns, and a tap moved then makes the start fail. Checks the
# wait on canned logs (line present, an error line, neither) and then on a real server.
source "$(dirname "$0")/lib.sh" "$@"
NETNS=$TS_ROOT/scripts/netns

# expect_netns CODE PATTERN -- ARGS...: scripts/netns ARGS must exit CODE, stderr matching PATTERN.
expect_netns() {
  local code=$1 pat=$2 rc
  shift 3
  NETNS_WAIT=1 "$NETNS" "$@" >"$TS_DIR/out" 2>"$TS_DIR/err"
  rc=$?
  [[ $rc -eq $code ]] || fail "netns $*: exit $rc, expected $code ($(cat "$TS_DIR/err"))"
  [[ -z $pat ]] || grep -qE -- "$pat" "$TS_DIR/err" || fail "netns $*: stderr '$(cat "$TS_DIR/err")' lacks /$pat/"
}

printf 'EAL: Detected CPU lcores: 2\n' >"$TS_DIR/early.log"
printf 'EAL: x\nturnstile-cps: faulty wire: drop 1%%\nturnstile-cps: 198.18.0.3/24 -> 198.18.0.1:80, on net_tap0 (mac 02:00:00:00:00:01), lcores 1\n' >"$TS_DIR/started.log"
printf 'EAL: x\nturnstile-server: error: starting net_tap0: No such device\n' >"$TS_DIR/failed.log"

expect_netns 0 "" -- ready "$TS_DIR/started.log"
expect_netns 1 "does not say that the port started" -- ready "$TS_DIR/early.log"
expect_netns 1 "does not say that the port started" -- ready "$TS_DIR/no-such.log"
expect_netns 1 "error: starting net_tap0: No such device" -- ready "$TS_DIR/failed.log"
# add --after: nothing is created while the owner has not started (or has failed).
expect_netns 1 "does not say" -- add --after "$TS_DIR/early.log" "$TS_NS" "$TS_IF"
expect_netns 1 "No such device" -- add --after "$TS_DIR/failed.log" "$TS_NS" "$TS_IF"
! ip netns list | grep -qw "$TS_NS" || fail "a refused add created $TS_NS"
expect_netns 1 "usage" -- add --after "$TS_DIR/started.log"
expect_netns 1 "usage" -- ready
# A name ip refuses is told in ip's words, not as a namespace that "already exists".
expect_netns 1 "cannot create namespace $TS_NS/x: Invalid netns name" -- veth "$TS_NS/x" "$TS_IF"
! ip link show "$TS_IF" >/dev/null 2>&1 || fail "a refused veth left $TS_IF"
info "scripts/netns ready / add --after: the wait and its refusals"

# A real server: ts_start waits for its line, then the kernel reaches it through the moved tap.
ts_start --mode http
grep -qE '^turnstile-server: .* \(mac ' "$TS_LOG" || fail "no port line in the server log"
in_ns ping -c 1 -W 2 "$TS_IP" >/dev/null || fail "the server does not answer through $TS_NS"
ts_stop || fail "server exited with $?"
expect_nothing_left
ts_pass
