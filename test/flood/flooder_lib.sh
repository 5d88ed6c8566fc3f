# Shared by the syn_flooder tests: test/integration/lib.sh (names, cleanup, expect), turnstile-server
# on the server end of a net_memif, and syn_flooder on the other end as the server's gateway.
#
# Usage: source "$(dirname "$0")/flooder_lib.sh" "$@"; memif_server; flooder [flooder options]
# Arguments (from meson): the turnstile-server binary, the source root, the syn_flooder binary.
source "$(dirname "$0")/../integration/lib.sh" "$@"
FLOODER=${3:?syn_flooder binary}
SOCK=$TS_DIR/flood.sock
TS_EXTRA_PREFIXES+=("${TS_PREFIX}c")

# memif_server: turnstile-server at 198.18.0.2/24 behind 198.18.0.1 (the flooder), in the
# background (TS_PID), returning once its memif socket is open.
memif_server() {
  "$TS_SERVER" -l 1 --no-pci --no-huge -m 512 --file-prefix "$TS_PREFIX" \
    --vdev="net_memif0,role=server,socket=$SOCK,socket-abstract=no" -- \
    --ip 198.18.0.2/24 --gateway 198.18.0.1 --json "$TS_JSON" --stats-interval 0 >"$TS_LOG" 2>&1 &
  TS_PID=$!
  wait_for 10 test -S "$SOCK" || fail "turnstile-server did not open $SOCK"
}

# flooder OPTIONS...: syn_flooder from 198.18.0.1 at the server, killed at 120 s whatever OPTIONS say.
flooder() {
  timeout -s INT -k 5 120 "$FLOODER" -l 0 --no-pci --no-huge -m 512 --file-prefix "${TS_PREFIX}c" \
    --vdev="net_memif0,role=client,socket=$SOCK,socket-abstract=no" -- \
    --target 198.18.0.2 --ip 198.18.0.1 "$@"
}
