#!/usr/bin/env bash
# Failures a user meets, each told in one line on stderr with a non-zero exit status, and each
# leaving nothing behind (runtime directory, hugepage files, tap interface): bad arguments, a
# bad profile, a missing PMD, a device that fails to probe (as root and not), a bad EAL option,
# an MTU the PMD does not take, hugepages, an interface / file prefix / IPv4 address in use.
source "$(dirname "$0")/lib.sh" "$@"

# run_fail CODE PATTERN PREFIX IFACE -- ARGS...: the server must exit CODE with one stderr line
# matching PATTERN, and leave nothing of PREFIX / IFACE.
run_fail() {
  local code=$1 pat=$2 prefix=$3 ifc=$4 rc
  shift 5
  timeout 60 "$TS_SERVER" "$@" >"$TS_DIR/out" 2>"$TS_DIR/err"
  rc=$?
  [[ $rc -eq $code ]] || fail "exit $rc (expected $code) for: $* -- $(cat "$TS_DIR/err")"
  [[ $(wc -l <"$TS_DIR/err") -eq 1 ]] || fail "stderr is not one line for: $* -- $(cat "$TS_DIR/err")"
  grep -qE -- "$pat" "$TS_DIR/err" || fail "stderr '$(cat "$TS_DIR/err")' does not match /$pat/"
  expect_nothing_left "$prefix" "$ifc"
  info "exit $rc: $(cat "$TS_DIR/err")"
}

P=${TS_PREFIX}x I=${TS_IF:0:13}x
TS_EXTRA_PREFIXES+=("$P" "${P}y")
NOHUGE="--no-huge -m 512"
run_fail 2 "--ip" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip nonsense
# A /32 is refused for its prefix, not called malformed.
run_fail 2 "--ip $TS_IP/32: the prefix is at most /30" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/32"
run_fail 2 "--mode" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --mode nope
run_fail 2 "--body is for --mode http" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --mode echo --body x
run_fail 2 "--ip is required" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --port 80
# EAL options after `--` (or with none at all): named in the order given, with the way out.
run_fail 2 "unexpected arguments: --no-huge -m 512 --file-prefix $P \(EAL options go before \`--\`" "$P" "$I" -- -l 1 -- \
  --ip "$TS_IP/24" $NOHUGE --file-prefix "$P"
# nan passes any comparison: --duration nan ran without end, --stats-interval nan printed nothing.
run_fail 2 "--duration: Value nan not in range" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --duration nan
run_fail 2 "--stats-interval: Value nan not in range" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --stats-interval nan
# The reporter wakes every 20 ms: a shorter --stats-interval (1e-9 too) was taken, and its lines
# came 20 ms apart whatever was asked.
for s in 0.001 1e-9; do
  run_fail 2 "--stats-interval: Value $s is below 0.02 s, the shortest interval honoured \(0: no lines\)" "$P" "$I" -- \
    -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --stats-interval $s
done
# More queues than EAL has lcores: refused before the port starts, with or without --fault (with
# it, the port started and the banner came; the error only from run()).
for fault in "" "--fault drop=0.1"; do
  run_fail 1 "^turnstile-server: error: 2 queues need as many lcores, EAL has 1 \(give more with -l, or fewer queues\)$" \
    "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24" --queues 2 $fault
  [[ ! -s $TS_DIR/out ]] || fail "--queues 2 $fault: started before refusing: $(cat "$TS_DIR/out")"
done
printf '[port]\nqueues = 1\nrx_descriptorz = 512\n' >"$TS_DIR/bad.ini"
run_fail 1 "unknown key 'rx_descriptorz'" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --config "$TS_DIR/bad.ini"
printf '[port]\nmbufs = 10\n' >"$TS_DIR/mbufs.ini"
run_fail 1 "\[port\] mbufs 10 is too few for a per-lcore cache of 256 \(\[port\] mbuf_cache\): at least 384" "$P" "$I" -- \
  -l 1 $NOHUGE --file-prefix "$P" --vdev=net_null0 -- --ip "$TS_IP/24" --config "$TS_DIR/mbufs.ini"
# Without hugepages an mbuf takes a 4 KiB page of its own: the estimate says so (it said "about
# 324 MiB of 511 MiB free" for a pool that needs 547, and failed).
printf '[port]\nmbufs = 140000\n' >"$TS_DIR/pages.ini"
run_fail 1 "cannot create the mbuf pool \(140000 mbufs need 547 MiB, a 4 KiB page each without hugepages; [0-9]+ MiB free" \
  "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" --vdev=net_null0 -- --ip "$TS_IP/24" --config "$TS_DIR/pages.ini"
# The echo queues up to a receive window of what it read (its window follows the echo's ACKs):
# a smaller send buffer would reset a peer whose window it filled.
printf '[stack]\nreceive_window = 262144\nsend_buffer = 65536\n' >"$TS_DIR/echo.ini"
run_fail 1 "--mode echo needs \[stack\] send_buffer \(65536\) at least \[stack\] receive_window \(262144\)$" "$P" "$I" -- \
  -l 1 $NOHUGE --file-prefix "$P" --vdev=net_null0 -- --ip "$TS_IP/24" --mode echo --config "$TS_DIR/echo.ini"
# An MTU the PMD does not take: named with the PMD's limit (ethdev says only "Invalid argument").
sed 's/^mtu = .*/mtu = 1600/' "$TS_ROOT/drivers-config/tap.ini" >"$TS_DIR/mtu.ini"
run_fail 1 "\[port\] mtu 1600: net_tap0 \(net_tap\) takes at most 1504" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" \
  --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24" --config "$TS_DIR/mtu.ini"
# An empty file name is no file: refused, not taken as no --json (a run whose results go nowhere).
run_fail 2 "--json: empty \(leave the option out instead\)" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" -- --ip "$TS_IP/24" --json ""
run_fail 1 "--json: cannot write /nonexistent-dir/s.json: No such file or directory" "$P" "$I" -- -l 1 $NOHUGE \
  --file-prefix "$P" -- --ip "$TS_IP/24" --json /nonexistent-dir/s.json
run_fail 1 "no such driver" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" --vdev=net_nosuchpmd0 -- --ip "$TS_IP/24"
run_fail 1 "unrecognized option '--no-such-eal-option'" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" --no-such-eal-option -- --ip "$TS_IP/24"
# A device that fails to probe: EAL starts without it, and the error carries the driver's own words.
run_fail 1 "no Ethernet port: net_af_packet0 did not start: .*No such device" "$P" "$I" -- -l 1 $NOHUGE \
  --file-prefix "$P" --vdev="net_af_packet0,iface=nosuch${I:0:6}" -- --ip "$TS_IP/24"
run_fail 1 "no Ethernet port: net_memif0 did not start: .*Invalid socket directory" "$P" "$I" -- -l 1 $NOHUGE \
  --file-prefix "$P" --vdev="net_memif0,role=client,socket=/nonexistent-dir/x.sock,socket-abstract=no" -- --ip "$TS_IP/24"

# Not root: the tap cannot be created, and the error says why (the binary is copied where an
# unprivileged user may run it; its EAL runtime directory then lies under /tmp/dpdk).
NR_DIR=$(mktemp -d /tmp/ts-nonroot.XXXXXX)
chmod 755 "$NR_DIR"
cp "$TS_SERVER" "$NR_DIR/turnstile-server"
timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$NR_DIR/turnstile-server" -l 1 $NOHUGE \
  --file-prefix "$P" --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24" >"$TS_DIR/out" 2>"$TS_DIR/err"
rc=$?
rm -rf "$NR_DIR"
[[ $rc -eq 1 && $(wc -l <"$TS_DIR/err") -eq 1 ]] || fail "not root: exit $rc, $(cat "$TS_DIR/err")"
grep -q "no Ethernet port: net_tap0 did not start: .*Operation not permitted (not running as root: most PMDs need it)" \
  "$TS_DIR/err" || fail "not root: $(cat "$TS_DIR/err")"
[[ ! -e /tmp/dpdk/$P && ! -e /sys/class/net/$I ]] || fail "not root: runtime directory or interface left behind"
info "exit 1: $(cat "$TS_DIR/err")"

free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [[ -z $(awk '$3 == "hugetlbfs"' /proc/mounts) || ${free:-0} -eq 0 ]]; then
  run_fail 1 "no hugepages" "$P" "$I" -- -l 1 --file-prefix "$P" --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24"
else
  # Hugepages are there: a run on them must leave no hugepage file of its prefix behind.
  timeout 60 "$TS_SERVER" -l 1 -m 256 --file-prefix "$P" --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24" \
    --duration 0.5 --stats-interval 0 >"$TS_DIR/out" 2>&1 || fail "hugepage run failed: $(cat "$TS_DIR/out")"
  expect_nothing_left "$P" "$I"
  info "hugepage run ($free free) left no hugepage file behind"
fi

# In use: a running server owns its tap, its file prefix and, in the namespace, 198.18.0.1.
ts_start --mode http
# Its tap has moved to the namespace; a second one kept here shows the interface case.
"$TS_SERVER" -l 1 $NOHUGE --file-prefix "${P}y" --vdev="net_tap0,iface=${I}y" -- --ip "$TS_IP/24" \
  --stats-interval 0 >"$TS_DIR/held.log" 2>&1 &
HELD=$!
TS_EXTRA_PIDS+=($HELD)
NETNS_WAIT=20 "$TS_ROOT/scripts/netns" ready "$TS_DIR/held.log" || fail "the server holding ${I}y did not start"
run_fail 1 "interface ${I}y already exists" "$P" "$I" -- -l 1 $NOHUGE --file-prefix "$P" --vdev="net_tap0,iface=${I}y" -- --ip "$TS_IP/24"
kill -INT $HELD
wait $HELD || fail "the server holding ${I}y exited with $?"
expect_nothing_left "${P}y" "${I}y"
timeout 60 "$TS_SERVER" -l 1 $NOHUGE --file-prefix "$TS_PREFIX" --vdev="net_tap0,iface=$I" -- --ip "$TS_IP/24" \
  >"$TS_DIR/out" 2>"$TS_DIR/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "file prefix '$TS_PREFIX' is in use" "$TS_DIR/err" || fail "same prefix: exit $rc, $(cat "$TS_DIR/err")"
[[ -e /var/run/dpdk/$TS_PREFIX ]] || fail "the refused server removed the running one's runtime directory"
[[ ! -e /sys/class/net/$I ]] || fail "the refused server left $I"
info "exit 1: $(cat "$TS_DIR/err")"
in_ns ping -c 1 -W 2 "$TS_IP" >/dev/null || fail "the running server stopped answering"

# A second stack claiming the kernel's address: RFC 5227 probing finds the owner.
NS2=${TS_NS}b
TS_EXTRA_NS+=("$NS2")
"$TS_SERVER" -l 1 $NOHUGE --file-prefix "$P" --vdev="net_tap0,iface=$I" -- --ip "$TS_PEER/24" --dad-ms 3000 \
  --stats-interval 0 >"$TS_DIR/out" 2>"$TS_DIR/err" &
DAD=$!
TS_EXTRA_PIDS+=($DAD)
NETNS_WAIT=20 "$TS_ROOT/scripts/netns" add --after "$TS_DIR/out" "$NS2" "$I" "$TS_PEER/24" || fail "cannot set up $NS2; the probing server: $(cat "$TS_DIR/err")"
wait $DAD
rc=$?
"$TS_ROOT/scripts/netns" del "$NS2"
[[ $rc -eq 1 ]] && grep -q "address $TS_PEER is already in use" "$TS_DIR/err" || fail "DAD: exit $rc, $(cat "$TS_DIR/err")"
[[ $(wc -l <"$TS_DIR/err") -eq 1 ]] || fail "DAD: stderr is not one line: $(cat "$TS_DIR/err")"
expect_nothing_left "$P" "$I"
info "exit 1: $(cat "$TS_DIR/err")"

ts_stop || fail "server exited with $?"
ts_pass
