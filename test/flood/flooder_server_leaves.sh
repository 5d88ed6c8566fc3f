#!/usr/bin/env bash
# bench/flood/syn_flooder, its server gone mid-flood: DPDK 22.11's memif unmaps the departed
# peer's rings from its control thread, under the flooder's bursts (lib/dpdk/pmd_guard.h). The
# flooder must carry on (a second's line with no SYN-ACK in it), stop cleanly when told, with its
# summary, and the summary must show that an unmap waited for its flood loop (unmap_waits): the
# guard was in the way, not luck.
source "$(dirname "$0")/flooder_lib.sh" "$@"

memif_server

# Paced, so that the server is still answering when it is told to go.
flooder --duration 30 --rate 20000 --real-every 100 \
  --json "$TS_DIR/flooder.json" >"$TS_DIR/flooder.log" 2>&1 &
FL_PID=$!
synacks() { grep -Eo 'syn-ack [0-9]+/s' "$TS_DIR/flooder.log" | grep -qv 'syn-ack 0/s'; }
wait_for 30 synacks || { cat "$TS_DIR/flooder.log"; fail "the flooder saw no SYN-ACK"; }
ts_stop || fail "turnstile-server exited with $?"
info "turnstile-server stopped mid-flood"
lines=$(grep -c '^\[' "$TS_DIR/flooder.log")
carried_on() { tail -n +"$((lines + 1))" "$TS_DIR/flooder.log" | grep -q 'syn-ack 0/s'; }
wait_for 30 carried_on || { cat "$TS_DIR/flooder.log"; fail "no line from the flooder after its server left"; }
pkill -INT -P "$FL_PID" timeout  # FL_PID is the subshell running flooder(); timeout passes INT on
wait "$FL_PID"
rc=$?
cat "$TS_DIR/flooder.log"
((rc == 0)) || fail "syn_flooder exited with $rc after its server left"
TS_JSON=$TS_DIR/flooder.json expect unmap_waits ge 1
ts_pass
