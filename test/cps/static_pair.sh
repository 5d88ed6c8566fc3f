#!/usr/bin/env bash
# The static build (-Dstatic=true, scripts/static-build): turnstile-cps and turnstile-server
# carry DPDK inside them (no dynamic section), and run stack to stack over memif with two queues
# a side, as a scaling run on a machine without DPDK would: in a chroot that holds the two
# binaries and nothing else (/dev, /proc and /sys bound in), so no library of this machine can be
# reached. The two lcores of each side share one CPU here (--lcores 0@C,1@C): slow, but every
# connection must complete and both server lcores take their share.
source "$(dirname "$0")/lib.sh" "$@"
N=4000

for b in "$CPS_BIN" "$SRV_BIN"; do
  readelf -d "$b" 2>&1 | grep -q "There is no dynamic section" || fail "$b is not statically linked: $(readelf -d "$b" | grep NEEDED)"
done
info "both binaries statically linked"

ROOT=$T_DIR/root
mkdir -p "$ROOT"/{dev,proc,sys,tmp,run,var/run} || fail "cannot make $ROOT"
cp "$SRV_BIN" "$CPS_BIN" "$ROOT/" || fail "cannot copy the binaries"
# Detached (lazily: even when busy) before the cleanup removes T_DIR, so that its rm -rf never
# reaches this machine's /dev through the bind mount; should one stay mounted, T_DIR is kept.
unmount_root() {
  local m
  for m in sys proc dev; do umount -l "$ROOT/$m" 2>/dev/null; done
  for m in sys proc dev; do
    mountpoint -q "$ROOT/$m" && { echo "# $ROOT/$m is still mounted: $T_DIR kept"; TS_KEEP=1; }
  done
}
trap 'unmount_root; t_cleanup' EXIT
mount --bind /dev "$ROOT/dev" && mount -t proc proc "$ROOT/proc" && mount --bind /sys "$ROOT/sys" ||
  fail "cannot mount /dev, /proc, /sys into $ROOT"
[[ $(ls "$ROOT" | tr '\n' ' ') == "dev proc run sys tmp turnstile-cps turnstile-server var " ]] || fail "$ROOT holds more: $(ls "$ROOT")"
SOCK=/tmp/memif.sock  # inside the chroot
chroot "$ROOT" /turnstile-server --lcores "0@$SRV_CORE,1@$SRV_CORE" --no-huge -m 512 --file-prefix "$SRV_PREFIX" \
  --vdev="net_memif0,role=server,socket=$SOCK,socket-abstract=no" -- --ip 198.18.0.2/24 \
  --json /tmp/server.json --stats-interval 0 >"$SRV_LOG" 2>&1 &
SRV_PID=$!
for ((i = 0; i < 200; i++)); do [[ -S $ROOT$SOCK ]] && break; sleep 0.05; done
[[ -S $ROOT$SOCK ]] || fail "the server's memif socket did not appear"
# --linger: once its run is over and its lcores stopped, the generator keeps the port open until
# the server leaves, and the server is stopped then. Neither side then polls rings its peer's
# departure unmaps (DPDK 22.11's memif race: with two lcores sharing a CPU, a server left polling
# when the generator exited died in eth_memif_rx in about 1 run of 17).
timeout -k 5 90 chroot "$ROOT" /turnstile-cps --lcores "0@$CPS_CORE,1@$CPS_CORE" --no-huge -m 512 --file-prefix "$CPS_PREFIX" \
  --vdev="net_memif0,role=client,socket=$SOCK,socket-abstract=no" -- --ip 198.18.0.3/24 \
  --server 198.18.0.2:80 --rate 2000 --requests "$N" --close server --timeout 10 --json /tmp/cps.json \
  --linger 30 >"$CPS_LOG" 2>&1 &
CPS_PID=$!
for ((i = 0; i < 1200; i++)); do grep -q -- "--linger" "$CPS_LOG" 2>/dev/null && break; kill -0 $CPS_PID 2>/dev/null || break; sleep 0.05; done
grep -q -- "--linger" "$CPS_LOG" || fail "turnstile-cps did not reach its linger: $(cat "$CPS_LOG")"
srv_stop || fail "server exited with $?"
wait $CPS_PID
rc=$?
cat "$CPS_LOG"
[[ $rc -eq 0 ]] || fail "turnstile-cps exited with $rc"
cp "$ROOT/tmp/server.json" "$SRV_JSON" && cp "$ROOT/tmp/cps.json" "$CPS_JSON" || fail "no JSON from the chroot"
grep -q "2 queue(s)" "$SRV_LOG" || fail "the server did not run two queues"
cps_expect completed eq "$N"
cps_expect failures eq 0
cps_expect in_flight_peak_per_lcore.1 gt 0
srv_expect counters.conn_accepted eq "$N"
srv_expect lcores.0.counters.conn_accepted gt 0
srv_expect lcores.1.counters.conn_accepted gt 0
srv_expect mbufs_in_use_end eq 0
# Both ends' software RSS agree on a connection's lcore, and memif's queue q joins lcore q of each
# side: what one sends, the other's owner receives. At most a stray frame (an ARP) is handed over.
srv_expect counters.handoff_out le 4
cps_expect stack.counters.handoff_out le 4
t_pass
