#!/usr/bin/env bash
# curl GET gets 200 and the body; two requests share one keep-alive connection; a client that
# says `Connection: close` gets its answer and then the server's FIN (server-first close); each
# answer's Date is the system's clock, to the second, the memo's (the same request again) too.
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

# RFC 9110 §6.6.1: an origin server with a clock sends Date. The same request bytes twice, 1.2 s
# apart: the second is answered from the memo (handlers.cc), which must carry the new second.
date_of() {
  local t0 head t1
  t0=$(date +%s.%N)
  head=$(in_ns curl -sS --max-time 10 -D - -o /dev/null "http://$TS_IP/") || fail "curl failed"
  t1=$(date +%s.%N)
  printf '%s\n%s\n%s' "$t0" "$t1" "$head"
}
first=$(date_of)
sleep 1.2
second=$(date_of)
$PY - "$first" "$second" <<'EOF' || fail "Date headers wrong: $first / $second"
import sys, email.utils
dates = []
for arg in sys.argv[1:]:
    t0, t1, head = arg.split("\n", 2)
    found = [l.split(":", 1)[1].strip() for l in head.split("\r\n") if l.lower().startswith("date:")]
    assert len(found) == 1, f"want one Date header: {head!r}"
    d = email.utils.parsedate_to_datetime(found[0])
    # IMF-fixdate exactly: what it parsed to, written back the same way, is the same text
    assert email.utils.format_datetime(d, usegmt=True) == found[0], found[0]
    # the second the request was answered in lies between the clock's reads either side of it
    assert int(float(t0)) - 1 <= d.timestamp() <= float(t1), (found[0], t0, t1)
    dates.append(d.timestamp())
assert dates[1] >= dates[0] + 1, f"the memo's answer kept the old date: {dates}"
EOF
info "Date: the system's second, a new one a second later (memo included)"

ts_stop || fail "server exited with $?"
expect counters.conn_accepted eq 6
expect counters.conn_reset eq 0
expect counters.tcp_retransmits eq 0
expect counters.enter_time_wait ge 1

# The stats lines cover the whole run, as the summary does: the last one, cut short by the end
# (--duration here), is printed as a partial interval, so that the frames of the lines add up to
# the summary's (before, what came after the last full interval was in no line).
TS_STATS=1 ts_start --mode http --duration 3.5
in_ns ping -q -i 0.02 -w 6 "$TS_IP" >/dev/null 2>&1 &
TS_EXTRA_PIDS+=($!)
wait "$TS_PID" || fail "server exited with $?"
TS_PID=""
$PY - "$TS_LOG" <<'EOF' || fail "the stats lines do not add up to the summary: $(cat "$TS_LOG")"
import re, sys
text = open(sys.argv[1]).read()
lines = re.findall(r"^\[ *([0-9.]+)s\] rx ([0-9]+) pps(.*)$", text, re.M)
after = re.search(r"^summary after ([0-9.]+) s", text, re.M).group(1)
rx = int(re.search(r"^  frames +rx ([0-9]+) ", text, re.M).group(1))
assert lines, "no stats line"
assert lines[-1][0] == after, f"the last line is at {lines[-1][0]} s, the summary after {after} s"
assert "| partial: the last " in lines[-1][2], "the last line is not marked partial"
seen, t0 = 0.0, 0.0
for t, pps, _ in lines:
    seen += int(pps) * (float(t) - t0)
    t0 = float(t)
assert abs(seen - rx) <= max(3, 0.07 * rx), f"lines {seen:.0f} frames, summary {rx}"
print(f"# {len(lines)} lines to {after} s: {seen:.0f} frames received, the summary {rx}")
EOF

# A --duration of whole intervals ends with a whole last line, not a sliver of an interval (its
# rates those of the shutdown's last milliseconds) after it.
TS_STATS=1 ts_start --mode http --duration 2
wait "$TS_PID" || fail "server exited with $?"
TS_PID=""
last=$(grep '^\[' "$TS_LOG" | tail -n 1)
[[ $(grep -c '^\[' "$TS_LOG") -eq 2 && $last == "[    2.0s] "* && $last != *partial* ]] ||
  fail "--duration 2 --stats-interval 1: lines $(grep '^\[' "$TS_LOG")"

# A server held up (Ctrl-Z and fg, here SIGSTOP and SIGCONT) picks its lines up one interval
# after the late one: not a burst of lines 20 ms apart, each the rates of a sliver, to catch up.
TS_STATS=0.5 ts_start --mode http
sleep 1.2
kill -STOP "$TS_PID"
sleep 2
kill -CONT "$TS_PID"
sleep 1.5
ts_stop || fail "server exited with $?"
$PY - "$TS_LOG" <<'EOF' || fail "lines after a stop: $(grep '^\[' "$TS_LOG")"
import re, sys
ts = [float(t) for t, rest in re.findall(r"^\[ *([0-9.]+)s\] rx (.*)$", open(sys.argv[1]).read(), re.M)
      if "partial" not in rest]
gaps = [round(b - a, 1) for a, b in zip(ts, ts[1:])]
assert len(ts) >= 4 and max(gaps) >= 2, f"no held-up interval: {ts}"
assert min(gaps) >= 0.3, f"lines {min(gaps)} s apart at an interval of 0.5 s: {ts}"
EOF
info "a server held up 2 s goes on with its lines one interval apart"
ts_pass
