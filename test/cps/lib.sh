# Shared by the turnstile-cps tests: a turnstile-server and a turnstile-cps, two processes joined
# by net_memif (the server's port is the memif server), one lcore and no hugepages each, distinct
# file prefixes; or turnstile-cps on a tap with the Linux kernel as the server in a namespace.
# A cleanup runs whatever happens.
#
# Usage: source "$(dirname "$0")/lib.sh" "$@"
# Arguments (from meson): turnstile-cps, turnstile-server, the source root.
# Exit 77 (skipped) when not root or when DPDK lacks the memif driver.

set -uo pipefail

CPS_BIN=${1:?turnstile-cps binary}
SRV_BIN=${2:?turnstile-server binary}
TS_ROOT=${3:?source root}
T_NAME=$(basename "$0" .sh)
T_ID="${T_NAME:0:6}$$"
T_DIR=$(mktemp -d "/tmp/ts-cps-$T_NAME.XXXXXX")
T_SOCK="$T_DIR/memif.sock"
SRV_JSON="$T_DIR/server.json"
CPS_JSON="$T_DIR/cps.json"
SRV_LOG="$T_DIR/server.log"
CPS_LOG="$T_DIR/cps.log"
SRV_PREFIX="tcs_$T_ID"
CPS_PREFIX="tcc_$T_ID"
T_NS="tsc-${T_NAME:0:6}-$$"   # the pid last, after a dash: scripts/sweep reads it
T_IF="c${T_ID:0:13}"
SRV_PID=""
PY=/usr/bin/python3
# The server polls the second core, the generator the first (a 2-core machine has no more).
SRV_CORE=${TS_SRV_CORE:-1}
CPS_CORE=${TS_CPS_CORE:-0}
# The EAL lcore options of srv_start, cps_cmd and cps_refused: one lcore each unless a test sets
# more (e.g. SRV_LCORES=(--lcores "0@$SRV_CORE,1@$SRV_CORE"): two lcores, one CPU).
SRV_LCORES=(-l "$SRV_CORE")
CPS_LCORES=(-l "$CPS_CORE")

skip() { echo "SKIP: $*"; exit 77; }
info() { echo "# $*"; }
fail() {
  echo "FAIL: $*"
  [[ -s $CPS_LOG ]] && { echo "--- turnstile-cps log"; tail -n 25 "$CPS_LOG"; }
  [[ -s $SRV_LOG ]] && { echo "--- server log"; tail -n 25 "$SRV_LOG"; }
  exit 1
}

[[ $(id -u) -eq 0 ]] || skip "needs root (DPDK without hugepages still wants /var/run/dpdk; namespaces, taps)"

# Stops the server (SIGINT, then SIGKILL after 10 s); returns its exit status.
srv_stop() {
  local i
  [[ -n $SRV_PID ]] || return 0
  kill -INT "$SRV_PID" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$SRV_PID" 2>/dev/null && echo "server did not stop within 10 s" >>"$SRV_LOG"
  wait "$SRV_PID" 2>/dev/null
  local rc=$?
  SRV_PID=""
  return $rc
}

t_cleanup() {
  srv_stop >/dev/null 2>&1
  [[ -n ${KSRV_PID:-} ]] && kill "$KSRV_PID" 2>/dev/null
  # A turnstile-cps still running (a test that failed before waiting for it): `timeout` passes
  # the TERM on, and turnstile-cps stops as on SIGTERM.
  [[ -n ${CPS_PID:-} ]] && kill -TERM "$CPS_PID" 2>/dev/null && wait "$CPS_PID" 2>/dev/null
  ip netns del "$T_NS" >/dev/null 2>&1
  ip link del "$T_IF" >/dev/null 2>&1
  rm -rf "/var/run/dpdk/$SRV_PREFIX" "/var/run/dpdk/$CPS_PREFIX"
  if [[ ${TS_KEEP:-0} == 1 ]]; then echo "# kept $T_DIR"; else rm -rf "$T_DIR"; fi
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM

# turnstile-server as the memif server at 198.18.0.2. Extra arguments go to the server.
srv_start() {
  "$SRV_BIN" "${SRV_LCORES[@]}" --no-huge -m 512 --file-prefix "$SRV_PREFIX" \
    --vdev="net_memif0,role=server,socket=$T_SOCK,socket-abstract=no" -- --ip 198.18.0.2/24 \
    --json "$SRV_JSON" --stats-interval 0 "$@" >"$SRV_LOG" 2>&1 &
  SRV_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -S $T_SOCK ]] && return 0
    kill -0 "$SRV_PID" 2>/dev/null || fail "the server did not start"
    sleep 0.05
  done
  fail "the server's memif socket $T_SOCK did not appear"
}

# turnstile-cps as the memif client at 198.18.0.3, against the server. Extra arguments go to it.
cps_cmd() {
  timeout -k 5 "${CPS_TIMEOUT:-90}" "$CPS_BIN" "${CPS_LCORES[@]}" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
    --vdev="net_memif0,role=client,socket=$T_SOCK,socket-abstract=no" -- --ip 198.18.0.3/24 \
    --server 198.18.0.2:80 --json "$CPS_JSON" "$@" >"$CPS_LOG" 2>&1
}
cps_run() {
  cps_cmd "$@"
  local rc=$?
  cat "$CPS_LOG"
  [[ $rc -eq 0 ]] || fail "turnstile-cps exited with $rc"
}

# cps_run, then the server stopped while the generator waits with its lcores stopped (--linger)
# and then leaves: neither side polls memif rings that the other's departure unmaps (DPDK 22.11's
# memif race, README "Known gaps": a server left polling when the generator exited died in
# eth_memif_rx, in cps_concurrent and static_pair).
# With CPS_TELEMETRY=FILE, the generator's telemetry /turnstile/stats goes to FILE while it
# lingers (its counters final, its JSON written).
cps_run_stop() {
  : >"$CPS_LOG"  # the last run's linger line must not be taken for this one's
  cps_cmd --linger 30 "$@" &
  local pid=$! i rc
  for ((i = 0; i < 2400; i++)); do
    grep -q -- "(--linger)" "$CPS_LOG" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -z ${CPS_TELEMETRY:-} ]] || cps_telemetry /turnstile/stats >"$CPS_TELEMETRY"
  srv_stop || fail "server exited with $?"
  wait "$pid"
  rc=$?
  cat "$CPS_LOG"
  [[ $rc -eq 0 ]] || fail "turnstile-cps exited with $rc"
}

# cps_telemetry CMD: the running generator's reply to the telemetry command CMD, its JSON.
cps_telemetry() { "$PY" "$TS_ROOT/test/telemetry.py" "/var/run/dpdk/$CPS_PREFIX/dpdk_telemetry.v2" "$1"; }

# cps_refused CODE PATTERN ARGS...: turnstile-cps exits CODE with one stderr line matching PATTERN.
# --ip 198.18.0.3/24 and --server 198.18.0.2:80 unless ARGS give their own.
cps_refused() {
  local code=$1 pat=$2 rc a ip=(--ip 198.18.0.3/24) server=(--server 198.18.0.2:80)
  shift 2
  for a in "$@"; do
    [[ $a == --ip ]] && ip=()
    [[ $a == --server ]] && server=()
  done
  timeout 60 "$CPS_BIN" "${CPS_LCORES[@]}" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
    --vdev="net_memif0,role=client,socket=$T_DIR/nobody.sock,socket-abstract=no" -- "${ip[@]}" \
    "${server[@]}" "$@" >"$T_DIR/out" 2>"$T_DIR/err"
  rc=$?
  [[ $rc -eq $code ]] || fail "exit $rc (expected $code) for: $* -- $(cat "$T_DIR/err")"
  [[ $(wc -l <"$T_DIR/err") -eq 1 ]] || fail "stderr is not one line for: $* -- $(cat "$T_DIR/err")"
  grep -qE -- "$pat" "$T_DIR/err" || fail "stderr '$(cat "$T_DIR/err")' does not match /$pat/"
  info "refused (exit $rc): $(cat "$T_DIR/err")"
}
# A value from a JSON file: jv FILE 'stack.counters.conn_opened' (list items by index).
jv() {
  $PY -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1" "$2"
}

# Asserts that a JSON value compares as asked: expect FILE KEY OP VALUE (OP: eq ge le gt lt).
expect() {
  local v
  v=$(jv "$1" "$2") || fail "no $2 in $1"
  case $3 in
    eq) ((v == $4)) ;; ge) ((v >= $4)) ;; le) ((v <= $4)) ;; gt) ((v > $4)) ;; lt) ((v < $4)) ;;
    *) false ;;
  esac || fail "$(basename "$1") $2 = $v, expected $3 $4"
  info "$(basename "$1") $2 = $v ($3 $4)"
}
cps_expect() { expect "$CPS_JSON" "$@"; }
# The connect-time samples in the generator's JSON (its histogram's counts summed).
cps_samples() { $PY -c 'import json,sys; print(sum(b["count"] for b in json.load(open(sys.argv[1]))["histogram"]))' "$CPS_JSON"; }
srv_expect() { expect "$SRV_JSON" "$@"; }

# Both ends agree, and nothing is left in use: N connections generated, accepted, ended.
expect_clean_run() {
  local n=$1
  cps_expect attempted eq "$n"
  cps_expect completed eq "$n"
  cps_expect failures eq 0
  cps_expect in_flight eq 0
  cps_expect stack.live_connections.0 eq 0
  cps_expect stack.counters.conn_opened eq "$n"
  cps_expect stack.connections.established eq 0
  cps_expect stack.mbufs_in_use_end eq "$(jv "$CPS_JSON" stack.mbufs_in_use_start)"
  srv_expect counters.conn_accepted eq "$n"
  srv_expect lcores.0.live_connections eq 0
  srv_expect connections.established eq 0
  srv_expect connections.close_wait eq 0
  srv_expect connections.last_ack eq 0
  srv_expect mbufs_in_use_end eq 0  # memif keeps no RX buffers of ours at rest
  # The per-second series adds up to the totals (its last interval takes in the final drain).
  local sums
  sums=$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["series"]
print(sum(i["attempted"] for i in s), sum(i["completed"] for i in s), min(i["cpu_s"] for i in s) >= 0)' "$CPS_JSON")
  [[ $sums == "$n $n True" ]] || fail "the series adds up to '$sums' (attempted, completed, CPU times), the totals to $n $n"
  # The lines printed are the series' points, one for one, the partial last one marked as in the
  # JSON (a line once printed is never restated there; the run's last sliver is a line too).
  local same
  same=$(python3 - "$CPS_JSON" "$CPS_LOG" <<'PYEOF'
import json, re, sys
s = json.load(open(sys.argv[1]))["series"]
lines = [l for l in open(sys.argv[2]) if re.match(r"^\[ *[0-9.]+s\] cps", l)]
got = [(re.search(r"cps +([0-9]+)", l).group(1), re.search(r"in flight +([0-9]+)", l).group(1),
        "| partial: the last" in l) for l in lines]
want = [(f"{i['cps']:.0f}", str(i["in_flight"]), i.get("partial", False)) for i in s]
print("ok" if got == want else f"lines {got} json {want}")
PYEOF
)
  [[ $same == ok ]] || fail "the printed lines are not the JSON series' points: $same"
}

# TCP segments per connection at the generator: expect_segments N IN OUT. Exact when neither side
# retransmitted (which a stall of either process past an RTO can cause on a busy machine); then
# only at least as many.
expect_segments() {
  local n=$1 retx op=eq
  retx=$(($(jv "$CPS_JSON" stack.counters.tcp_retransmits) + $(jv "$SRV_JSON" counters.tcp_retransmits)))
  if ((retx > 0)); then
    info "$retx retransmission(s): segment counts checked as lower bounds"
    op=ge
  fi
  cps_expect stack.counters.tcp_segs_in $op "$((n * $2))"
  cps_expect stack.counters.tcp_segs_out $op "$((n * $3))"
  srv_expect counters.tcp_segs_in $op "$((n * $3))"
  srv_expect counters.tcp_segs_out $op "$((n * $2))"
}

t_pass() {
  echo "PASS: $T_NAME"
  exit 0
}

# The Linux kernel as the server: namespace T_NS with tiny_http.py listening on port 80 (any
# address; the interface arrives later). Extra arguments go to tiny_http.py.
kernel_start() {
  ip netns add "$T_NS" || fail "cannot create namespace $T_NS"
  ip -n "$T_NS" link set lo up
  ip netns exec "$T_NS" "$PY" "$TS_ROOT/bench/cps/tiny_http.py" --ready "$T_DIR/ready" "$@" >"$SRV_LOG" 2>&1 &
  KSRV_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -e $T_DIR/ready ]] && return 0
    sleep 0.05
  done
  fail "the kernel-side server did not start"
}

# Stops the kernel-side server; its counts (accepted=... requests=...) end up in SRV_LOG.
kernel_stop() {
  [[ -n ${KSRV_PID:-} ]] || return 0
  kill -TERM "$KSRV_PID" 2>/dev/null
  wait "$KSRV_PID" 2>/dev/null
  KSRV_PID=""
}

# turnstile-cps on a tap (in the background); the tap goes into T_NS as 198.18.0.1/24 once the
# port has started (a DPDK tap must not move before). Waits for turnstile-cps to finish.
cps_run_tap() {
  timeout -k 5 "${CPS_TIMEOUT:-90}" "$CPS_BIN" -l "$CPS_CORE" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
    --vdev="net_tap0,iface=$T_IF" -- --ip 198.18.0.3/24 --server 198.18.0.1:80 --json "$CPS_JSON" "$@" \
    >"$CPS_LOG" 2>&1 &
  CPS_PID=$!
  local pid=$CPS_PID
  NETNS_WAIT=20 "$TS_ROOT/scripts/netns" ready "$CPS_LOG" || fail "turnstile-cps did not start its port"
  ip link set "$T_IF" netns "$T_NS" || fail "cannot move $T_IF into $T_NS"
  ip netns exec "$T_NS" sysctl -qw "net.ipv6.conf.$T_IF.disable_ipv6=1" 2>/dev/null
  ip -n "$T_NS" addr add 198.18.0.1/24 dev "$T_IF"
  ip -n "$T_NS" link set "$T_IF" up
  wait "$pid"
  local rc=$?
  CPS_PID=""
  cat "$CPS_LOG"
  [[ $rc -eq 0 ]] || fail "turnstile-cps exited with $rc"
}
