# Shared by the SYN-flood tests: test/integration/lib.sh (server on its own tap, the kernel in a
# namespace of the test's own, cleanup), plus a profile with the cookie mode and a small half-open
# bound, a bounded hping3 flood into the namespace, and the server's per-second lines to read.
#
# Why the SYN-ACKs to spoofed sources never leave the namespace and never cause ARP: the server
# gets --gateway 198.18.0.1 (the namespace's kernel), so every off-link destination resolves to
# that one neighbour; cookie SYN-ACKs go back to the MAC the SYN came from. The namespace has no
# default route and does not forward, so its kernel drops them. The tests assert ARP stays bounded.
#
# Usage: source "$(dirname "$0")/lib.sh" "$@"; flood_start MODE [server options]; flood_begin ...

source "$(dirname "$0")/../integration/lib.sh" "$@"

need hping3
need curl
need timeout coreutils

FLOOD_HALF_OPEN=${FLOOD_HALF_OPEN:-64}   # small, so that the flood passes it within milliseconds
FLOOD_PID=""
FLOOD_LOG="$TS_DIR/hping3.log"

# The flood first (it must not outlive the test), then lib.sh's cleanup.
flood_cleanup() {
  if [[ -n $FLOOD_PID ]]; then
    kill -TERM "$FLOOD_PID" 2>/dev/null
    wait "$FLOOD_PID" 2>/dev/null
  fi
  ts_cleanup
}
trap flood_cleanup EXIT

# flood_start MODE [server options]: turnstile-server with `[stack] syncookies = MODE` and
# `max_half_open = FLOOD_HALF_OPEN` (tap.ini otherwise), a stats line a second, the namespace's
# kernel as its gateway. Mirrors ts_start, which fixes --stats-interval 0.
flood_start() {
  local mode=$1
  shift
  local profile="$TS_DIR/flood-$mode.ini"
  sed "/^\[stack\]/a syncookies = $mode\nmax_half_open = $FLOOD_HALF_OPEN" \
    "$TS_ROOT/drivers-config/tap.ini" >"$profile"
  "$TS_ROOT/scripts/netns" del "$TS_NS" >/dev/null 2>&1
  "$TS_SERVER" ${TS_EAL:--l 1} --no-huge -m 512 --file-prefix "$TS_PREFIX" \
    --vdev="net_tap0,iface=$TS_IF" -- --ip "$TS_IP/24" --gateway "$TS_PEER" --config "$profile" \
    --json "$TS_JSON" --stats-interval 1 "$@" >"$TS_LOG" 2>&1 &
  TS_PID=$!
  NETNS_WAIT=20 "$TS_ROOT/scripts/netns" add --after "$TS_LOG" "$TS_NS" "$TS_IF" "$TS_PEER/24" >>"$TS_LOG" 2>&1 ||
    fail "could not put $TS_IF into $TS_NS"
  # Nothing in the namespace may route anywhere but the test link: SYN-ACKs to spoofed sources
  # must die here, and the namespace must not forward them.
  [[ -z $(in_ns ip route show default) ]] || fail "namespace $TS_NS has a default route"
  in_ns sysctl -qw net.ipv4.ip_forward=0 || fail "cannot turn forwarding off in $TS_NS"
}

# flood_begin COUNT INTERVAL_US LIMIT_S: hping3 sends COUNT SYNs with random spoofed sources to
# port 80 of the stack, one every INTERVAL_US (0: --flood), and stops by itself after COUNT; the
# `timeout` is only a guard (SIGINT, so hping3 still prints its statistics).
# FLOOD_PID must be `timeout` itself (ip netns exec execs it): timeout runs hping3 in a process
# group of its own, where a signal to the test's shell never reaches, and passes a SIGTERM on to
# that group. Through in_ns, a function, FLOOD_PID would be a subshell whose death leaves the
# flood running until the guard.
flood_begin() {
  local count=$1 interval=$2 limit=$3 pace
  if ((interval == 0)); then pace=--flood; else pace="-i u$interval"; fi
  ip netns exec "$TS_NS" timeout -s INT -k 5 "$limit" hping3 -q -S --rand-source -p 80 $pace \
    -c "$count" "$TS_IP" >"$FLOOD_LOG" 2>&1 &
  FLOOD_PID=$!
}

flood_running() { [[ -n $FLOOD_PID ]] && kill -0 "$FLOOD_PID" 2>/dev/null; }

# Waits for the flood to end; fails the test unless hping3 stopped by itself after COUNT SYNs
# (not killed by the `timeout` guard). hping3's own status is no help: it is 1 when no reply
# came back, which is the normal case for spoofed sources.
flood_wait() {
  local count=$1 rc sent
  wait "$FLOOD_PID" 2>/dev/null
  rc=$?
  FLOOD_PID=""
  sent=$(flood_sent)
  ((rc != 124 && rc != 137)) || fail "hping3 did not stop by itself: the guard ended it after ${sent:-?} SYNs"
  [[ $sent == "$count" ]] || fail "hping3 sent ${sent:-?} SYNs, expected $count (status $rc): $(tail -n 3 "$FLOOD_LOG")"
  info "hping3 stopped by itself after $sent spoofed SYNs"
}

# SYNs hping3 says it sent (from its closing statistics).
flood_sent() { awk '/packets transmitted/ {print $1}' "$FLOOD_LOG" | tail -n 1; }

# Waits until the server's stats lines show the half-open population at its bound (the flood has
# filled it), up to $1 seconds.
wait_half_open_full() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    [[ $(last_gauge syn-rcvd) == "$FLOOD_HALF_OPEN" ]] && return 0
    sleep 0.1
  done
  return 1
}

# The value after WORD in the server's latest stats line (e.g. syn-rcvd).
last_gauge() { grep '^\[' "$TS_LOG" | tail -n 1 | sed -n "s/.* $1 \([0-9]*\) .*/\1/p"; }

# The largest value after WORD over all stats lines so far.
max_gauge() { grep '^\[' "$TS_LOG" | sed -n "s/.* $1 \([0-9]*\) .*/\1/p" | sort -n | tail -n 1; }

# Every process below PID, as "pid comm" lines (to check later that none of them outlived it).
descendants() {
  local k c
  while read -r k c; do
    [[ -n $k ]] || continue
    echo "$k $c"
    descendants "$k"
  done < <(ps -o pid=,comm= --ppid "$1")
}

# Those of the "pid comm" lines in FILE whose process still runs (the same pid, the same name).
# A zombie has ended: one whose parent died first (hping3 under /usr/bin/time) waits for PID 1 to
# reap it, which in some containers takes seconds.
survivors() {
  local p c
  while read -r p c; do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$c" ]] || continue
    [[ $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$p/status" 2>/dev/null) == Z ]] && continue
    echo "$p $c"
  done <"$1"
}

# Fails the test unless every process listed in FILE ("pid comm" lines) is gone within 2 s;
# those that are not are killed first (by pid), so that the test leaves nothing behind itself.
expect_all_gone() {
  local file=$1 what=$2 left p
  wait_for 2 eval '[[ -z $(survivors "$file") ]]'
  left=$(survivors "$file")
  [[ -z $left ]] && return 0
  while read -r p _; do kill -KILL "$p" 2>/dev/null; done <<<"$left"
  fail "$what: $(paste -sd, <<<"$left") still running after it ended"
}
