# Shared by the integration tests: a turnstile-server on a DPDK tap, the Linux kernel as its peer
# in a namespace of the test's own, and a cleanup that runs whatever happens.
#
# Usage in a test:  source "$(dirname "$0")/lib.sh" "$@"; ts_start [server options]; ...; ts_pass
# Arguments (from meson): the turnstile-server binary, the source root.
# Names are unique per test run (pid-based), so tests never collide with each other or with a
# developer's own runs. Exit 77 (skipped) when not root or when the machine lacks what we need.

set -uo pipefail

TS_SERVER=${1:?turnstile-server binary}
TS_ROOT=${2:?source root}
TS_NAME=$(basename "$0" .sh)
TS_ID="${TS_NAME:0:6}$$"
TS_IF="t${TS_ID:0:13}"            # interface names: at most 15 characters
TS_NS="tsi-${TS_NAME:0:6}-$$"      # the pid last, after a dash: scripts/sweep reads it
TS_PREFIX="tsi_$TS_ID"
TS_PID=""
TS_IP=198.18.0.2
TS_PEER=198.18.0.1
PY=/usr/bin/python3

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*"
  [[ -s ${TS_LOG:-} ]] && { echo "--- server log"; tail -n 30 "$TS_LOG"; }
  exit 1
}
info() { echo "# $*"; }

[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, tap devices)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no iproute2"

TS_DIR=$(mktemp -d "/tmp/ts-$TS_NAME.XXXXXX")
TS_JSON="$TS_DIR/server.json"
TS_LOG="$TS_DIR/server.log"

# need TOOL [PACKAGE]: fails the test unless TOOL is on PATH. scripts/setup installs every tool the
# tests use, so a missing one is a machine not set up, never a reason to pass with less checked.
need() { command -v "$1" >/dev/null || fail "no $1: install ${2:-$1} (scripts/setup installs it)"; }

# telemetry CMD: the running server's reply to the telemetry command CMD, its JSON on stdout.
telemetry() { "$PY" "$TS_ROOT/test/telemetry.py" "/var/run/dpdk/$TS_PREFIX/dpdk_telemetry.v2" "$1"; }

# counter NAME...: the running server's counters NAME... now (telemetry /turnstile/stats, summed
# over lcores), added together.
counter() {
  local out
  out=$(telemetry /turnstile/stats) || return 1
  "$PY" -c 'import json, sys
v = json.loads(sys.argv[1])["/turnstile/stats"]
print(sum(v[k] for k in sys.argv[2:]))' "$out" "$@"
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; false after SECONDS. A
# condition to wait on instead of a sleep that a slow machine might outlast.
wait_for() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < end)) || return 1
    sleep 0.1
  done
}

# wait_counter NAME MIN SECONDS: waits until the running server's counter NAME is at least MIN;
# false after SECONDS (a server that cannot be asked counts as below MIN).
counter_at_least() { local v; v=$(counter "$1") && ((v >= $2)); }
wait_counter() { wait_for "$3" counter_at_least "$1" "$2"; }

# ts_stop_closed N: stops the server once N connections have closed. A client's last FIN can
# still be on its way (or on the hand-over ring between lcores) when the client exits: a stop
# at once would find that connection open and end it at shutdown.
ts_stop_closed() {
  wait_counter conn_closed "$1" 20 || info "only $(counter conn_closed) of $1 connections closed 20 s on"
  ts_stop
}

# Stops the server (SIGINT, then SIGKILL after 10 s) and returns its exit status.
ts_stop() {
  local rc=0 i
  [[ -n $TS_PID ]] || return 0
  kill -INT "$TS_PID" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    kill -0 "$TS_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$TS_PID" 2>/dev/null; then
    kill -KILL "$TS_PID" 2>/dev/null
    echo "server did not stop within 10 s" >>"$TS_LOG"
  fi
  wait "$TS_PID" 2>/dev/null
  rc=$?
  TS_PID=""
  return $rc
}

# Other processes a test starts (pids), and the namespaces and DPDK file prefixes of its own
# beyond TS_NS and TS_PREFIX: the cleanup stops and removes them too (a DPDK process killed
# leaves its runtime directory behind).
TS_EXTRA_PIDS=()
TS_EXTRA_NS=()
TS_EXTRA_PREFIXES=()

ts_cleanup() {
  local p
  for p in "${TS_EXTRA_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  ts_stop >/dev/null 2>&1
  for p in "$TS_NS" "${TS_EXTRA_NS[@]}"; do "$TS_ROOT/scripts/netns" del "$p" >/dev/null 2>&1; done
  ip link del "$TS_IF" >/dev/null 2>&1
  for p in "$TS_PREFIX" "${TS_EXTRA_PREFIXES[@]}"; do rm -rf "/var/run/dpdk/$p"; done
  if [[ ${TS_KEEP:-0} == 1 ]]; then echo "# kept $TS_DIR"; else rm -rf "$TS_DIR"; fi
}
trap ts_cleanup EXIT
trap 'exit 1' INT TERM

# Starts the server on its own tap and file prefix with one lcore and no hugepages, then puts the
# tap into the test's namespace as 198.18.0.1/24. Extra arguments go to the server.
# TS_EAL (optional) replaces the default EAL lcore list; TS_STATS the --stats-interval (0: none).
ts_start() {
  "$TS_ROOT/scripts/netns" del "$TS_NS" >/dev/null 2>&1   # from an earlier ts_start of this test
  "$TS_SERVER" ${TS_EAL:--l 1} --no-huge -m 512 --file-prefix "$TS_PREFIX" \
    --vdev="net_tap0,iface=$TS_IF" -- --ip "$TS_IP/24" --json "$TS_JSON" --stats-interval "${TS_STATS:-0}" "$@" \
    >"$TS_LOG" 2>&1 &
  TS_PID=$!
  NETNS_WAIT=20 "$TS_ROOT/scripts/netns" add --after "$TS_LOG" "$TS_NS" "$TS_IF" "$TS_PEER/24" >>"$TS_LOG" 2>&1 ||
    fail "could not put $TS_IF into $TS_NS"
}

# Runs a command in the namespace (the kernel peer's side).
in_ns() { ip netns exec "$TS_NS" "$@"; }

# Reads a value from the server's JSON after it stopped: json 'counters.enter_time_wait'.
json() {
  $PY -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$TS_JSON" "$1"
}

# Asserts json value $1 satisfies "$2 $3" (an arithmetic comparison, e.g. ge 1).
expect() {
  local v
  v=$(json "$1") || fail "no $1 in the server's JSON"
  case $2 in
    eq) ((v == $3)) ;; ge) ((v >= $3)) ;; le) ((v <= $3)) ;; gt) ((v > $3)) ;;
    *) false ;;
  esac || fail "$1 = $v, expected $2 $3"
  info "$1 = $v ($2 $3)"
}

# Asserts that nothing of a stopped server is left: runtime dir, hugepage files, its tap.
expect_nothing_left() {
  local prefix=${1:-$TS_PREFIX} ifc=${2:-$TS_IF} d
  [[ ! -e /var/run/dpdk/$prefix ]] || fail "runtime directory /var/run/dpdk/$prefix left behind"
  for d in $(awk '$3 == "hugetlbfs" {print $2}' /proc/mounts); do
    ! compgen -G "$d/${prefix}map_*" >/dev/null || fail "hugepage files ${prefix}map_* left in $d"
  done
  [[ ! -e /sys/class/net/$ifc ]] || fail "interface $ifc left behind"
  ! ip netns exec "$TS_NS" test -e "/sys/class/net/$ifc" 2>/dev/null || fail "interface $ifc left in $TS_NS"
}

ts_pass() {
  echo "PASS: $TS_NAME"
  exit 0
}

# vlan_peer IFACE VID: the kernel's side of a port on VLAN VID, IFACE being its interface in TS_NS
# that carries TS_PEER/24. An 802.1Q device (id VID) of IFACE gets the address; a kernel without
# them (CONFIG_VLAN_8021Q unset) gets tc programs on IFACE that tag and untag (vlan_tag.bpf.c).
# Either way the kernel's stack sees only VLAN VID's frames and tags all it sends.
vlan_peer() {
  local ifc=$1 vid=$2 dev="v${TS_ID:0:12}" hook
  if in_ns ip link add link "$ifc" name "$dev" type vlan id "$vid" 2>"$TS_DIR/vlan.err"; then
    in_ns ip addr flush dev "$ifc" || fail "could not take the address off $ifc"
    in_ns sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null
    in_ns ip addr add "$TS_PEER/24" dev "$dev" || fail "could not address $dev"
    in_ns ip link set "$dev" up || fail "could not bring $dev up"
    info "kernel: $TS_PEER on $dev, VLAN $vid over $ifc"
    return
  fi
  grep -q "Unknown device type" "$TS_DIR/vlan.err" || fail "ip link add ... type vlan: $(cat "$TS_DIR/vlan.err")"
  need clang-14
  need tc iproute2
  clang-14 -O2 -target bpf -DVID="$vid" -I"/usr/include/$(gcc -print-multiarch)" \
    -c "$TS_ROOT/test/integration/vlan_tag.bpf.c" -o "$TS_DIR/vlan_tag.o" || fail "could not build vlan_tag.bpf.c"
  in_ns tc qdisc add dev "$ifc" clsact || fail "could not add a clsact qdisc to $ifc"
  for hook in ingress egress; do
    in_ns tc filter add dev "$ifc" "$hook" bpf da obj "$TS_DIR/vlan_tag.o" sec "$hook" ||
      fail "could not attach vlan_tag.bpf.c's $hook program to $ifc"
  done
  info "kernel: no 802.1Q devices (CONFIG_VLAN_8021Q); tc programs on $ifc tag and untag VLAN $vid"
}

# drops_since STATS: after the server stopped, the drop counters that moved since STATS (the
# running server's telemetry /turnstile/stats, taken earlier), as "name=delta ..." (empty: none).
drops_since() {
  "$PY" - "$1" "$TS_JSON" <<'PYEOF'
import json, sys
before = json.loads(sys.argv[1])["/turnstile/stats"]
after = json.load(open(sys.argv[2]))["counters"]
print(" ".join(f"{k}={after[k] - before.get(k, 0)}" for k in sorted(after)
               if k.startswith("drop_") and after[k] != before.get(k, 0)))
PYEOF
}

# ping_and_get VID BODY: from the namespace over VLAN VID, 3 pings all answered and GET / -> 200
# with BODY.
ping_and_get() {
  local out body
  out=$(in_ns ping -c 3 -i 0.2 -W 2 "$TS_IP") || fail "ping over VLAN $1 failed: $out"
  echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets: $out"
  info "ping over VLAN $1: 3 of 3 answered"
  body=$(in_ns curl -sS --max-time 10 -o - -w '|%{http_code}' "http://$TS_IP/") || fail "curl failed: $body"
  [[ $body == "$2|200" ]] || fail "expected the body (${#2} bytes) and 200, got ${#body} bytes: ${body: -60}"
  info "GET / over VLAN $1 -> 200, body intact (${#2} bytes)"
}
