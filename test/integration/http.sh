#!/usr/bin/env bash
# curl GET gets 200 and the body; two requests share one keep-alive connection; a client that
# says `Connection: close` gets its answer and then the server's FIN (server-first close).
source "$(dirname "$0")/lib.sh" "$@"
need curl

ts_start --mode http --body "turnstile says hello"
body=$(in_ns curl -sS --max-time 10 -o - -w '|%{http_code}' "http://$TS_IP/") || fail "curl failed: $body"
[[ $body == "turnstile says hello|200" ]] || fail "expected the body and 200, got '$body'"
info "GET / -> 200, body intact"

trace=$(in_ns curl -sS --max-time 10 -v -o /dev/null -o /dev/null "http://$TS_IP/a" "http://$TS_IP/b" 2>&1) ||
  fail "keep-alive curl failed: $trace"
grep -q "Re-using existing connection" <<<"$trace" || fail "curl did not reuse the connection: $trace"
info "two GETs on one keep-alive connection"

head=$(in_ns curl -sS --max-time 10 -D - -o /dev/null -H 'Connection: close' "http://$TS_IP/") || fail "curl failed"
grep -qi "^Connection: close" <<<"$head" || fail "no 'Connection: close' in the answer: $head"
code=$(in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X DELETE "http://$TS_IP/") || fail "curl failed"
[[ $code == 405 ]] || fail "DELETE answered $code, expected 405"
info "Connection: close honoured, DELETE -> 405"

ts_stop || fail "server exited with $?"
expect counters.conn_accepted eq 4
expect counters.conn_reset eq 0
expect counters.tcp_retransmits eq 0
expect counters.enter_time_wait ge 1
ts_pass
