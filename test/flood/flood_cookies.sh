#!/usr/bin/env bash
# SYN flood with cookies `auto` (RFC 4987 §3.6): hping3 floods turnstile-server with spoofed SYNs
# (random sources, bounded count) while real clients (curl in a loop, then wrk with
# `Connection: close`) connect from the same namespace. The half-open bound (64) fills at once;
# from then on every SYN is answered with a cookie and nothing is allocated for it. Asserts:
# every real client gets its answer (a timed-out try may be retried: how fast a loaded machine
# answers is not the point, being answered is), no real connection refused or reset, cookies
# sent > 0, cookies validated >= the real connections that could not have taken the stateful
# path, half-open never above its bound, the blocks in use bounded, ARP bounded (no ARP for
# spoofed sources), and the flood stopped by itself.
source "$(dirname "$0")/lib.sh" "$@"
need wrk

# bench/flood/run (the benchmark of the same flood) refuses a bad number in one line, first.
for bad in "--duration 2" "--interval-us fast" "--half-open 0"; do
  "$TS_ROOT/bench/flood/run" $bad >"$TS_DIR/refused" 2>&1 && fail "bench/flood/run took $bad"
  grep -q -- "^bench/flood/run: ${bad%% *} must be a whole number from" "$TS_DIR/refused" ||
    fail "bench/flood/run $bad: $(cat "$TS_DIR/refused")"
done

FLOOD_COUNT=${FLOOD_COUNT:-100000}  # 15-20 s at hping3's real pace for -i u100: it outlasts the clients
CURLS=${FLOOD_CURLS:-200}

flood_start auto --mode http
code=$(in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://$TS_IP/") || fail "no answer before the flood"
[[ $code == 200 ]] || fail "GET before the flood answered $code"

flood_begin "$FLOOD_COUNT" 100 70
wait_half_open_full 15 || fail "the flood did not fill the half-open bound ($FLOOD_HALF_OPEN) within 15 s"
info "half-open at its bound of $FLOOD_HALF_OPEN: new SYNs get cookies"

# curl retries a try that timed out (--retry: timeouts only; a refused or reset connection is no
# transient error and fails at once); a client that none of its 4 tries got through ends the test.
for ((i = 0; i < CURLS; i++)); do
  code=$(in_ns curl -s --max-time 5 --retry 3 --retry-delay 1 -o /dev/null -w '%{http_code}' \
    -H 'Connection: close' "http://$TS_IP/")
  [[ $code == 200 ]] || fail "real client $((i + 1)) of $CURLS not answered under the flood in 4 tries (curl: '$code')"
done
flood_running || info "note: the flood ended before the curl loop did (the half-open bound stays full)"
info "curl under flood: $CURLS/$CURLS answered"

# wrk's connections all get through: no connect, read or write error (a refused or reset one) and
# no bad answer. Its timeouts (an answer later than 5 s) are the machine's load, only said.
out=$(in_ns timeout 30 wrk -t1 -c4 -d5s --timeout 5s -H 'Connection: close' "http://$TS_IP/" 2>&1) ||
  fail "wrk failed: $out"
wrk_total=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
read -r wrk_connect wrk_read wrk_write wrk_timeout < <(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out")
wrk_non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' <<<"$out")
[[ -n $wrk_total ]] && ((wrk_total > 0)) || fail "wrk completed no request: $out"
((${wrk_connect:-0} + ${wrk_read:-0} + ${wrk_write:-0} + ${wrk_non2xx:-0} == 0)) ||
  fail "wrk's connections refused, reset or badly answered under the flood: $out"
info "wrk under flood: $wrk_total good responses, no error (${wrk_timeout:-0} over wrk's 5 s timeout)"
flood_running && flood_during=yes || flood_during=no

info "still flooding when wrk ended: $flood_during"
flood_wait "$FLOOD_COUNT"
sent=$(flood_sent)

half_open_max=$(max_gauge syn-rcvd)
ts_stop || fail "server exited with $?"

# Real connections answered, curl's and wrk's (a retried curl counts once: a lower bound).
good=$((CURLS + wrk_total))

# Cookies did the work: every connection accepted beyond the stateful blocks that ever completed
# came through a cookie. enter_syn_received - syn_received (blocks made, minus the ones still
# half-open) bounds the stateful completions from above.
made=$(json counters.enter_syn_received)
still=$(json connections.syn_received)
accepted=$(json counters.conn_accepted)
expect counters.syncookies_sent gt 0
expect counters.syncookies_ok ge $((accepted - (made - still)))
expect counters.syncookies_ok ge $((good - (made - still)))
# A client SYN that reopens one of our TIME-WAIT entries never gets a cookie (its ISN must
# respect RFC 6191); it is admitted past the half-open bound instead, as Linux does.
reopens=$(json counters.time_wait_reopens)
info "TIME-WAIT reopens (admitted past the bound): $reopens; half-open drops: $(json counters.half_open_drops)"
expect counters.table_full eq 0

# Bounded: never more half-open blocks than the bound, plus the TIME-WAIT reopens admitted past
# it (real clients), and only that many were ever made for the flood (plus a few real clients that
# found a free slot, and one more generation should the first time out, after about 63 s of
# SYN-ACK retransmissions, on a slow machine); ARP only for the gateway, not for the spoofed
# sources. The gauges in the JSON are read after shutdown (0): the peak comes from the stats lines.
((half_open_max <= FLOOD_HALF_OPEN + reopens)) || fail "half-open reached $half_open_max > bound $FLOOD_HALF_OPEN + $reopens reopens"
info "half-open peak over the stats lines: $half_open_max (bound $FLOOD_HALF_OPEN, reopens $reopens)"
expect counters.enter_syn_received le $((2 * FLOOD_HALF_OPEN + 20 + reopens))
expect lcores.0.live_connections eq 0
expect counters.tcp_syn_in ge $((sent / 2))
expect counters.arp_requests_out le 10
ts_pass
