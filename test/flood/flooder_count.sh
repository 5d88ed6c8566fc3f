#!/usr/bin/env bash
# bench/flood/syn_flooder, run: against turnstile-server over net_memif (the flood benchmark's
# stack-to-stack case), unpaced, with --count 20000 and a --duration far longer than that takes.
# It must stop at the count, by itself: exactly 20,000 SYNs offered, and the server must have
# received every one of them (memif loses none) and answered the real clients among them.
source "$(dirname "$0")/flooder_lib.sh" "$@"
N=20000

memif_server

start=$SECONDS
flooder --duration 100 --count "$N" --real-every 100 \
  --json "$TS_DIR/flooder.json" >"$TS_DIR/flooder.log" 2>&1
rc=$?
took=$((SECONDS - start))
cat "$TS_DIR/flooder.log"
((rc == 0)) || fail "syn_flooder exited with $rc"
((took < 90)) || fail "syn_flooder ran ${took} s: it did not stop at --count $N"
info "syn_flooder stopped after ${took} s (--duration 100)"
TS_JSON=$TS_DIR/flooder.json expect syn_sent eq "$N"
TS_JSON=$TS_DIR/flooder.json expect real_sent eq $((N / 100))
TS_JSON=$TS_DIR/flooder.json expect real_acked eq $((N / 100))
ts_stop || fail "turnstile-server exited with $?"
expect counters.tcp_syn_in eq "$N"
expect counters.tcp_synack_out eq "$N"  # cookies or half-open: every SYN answered
ts_pass
