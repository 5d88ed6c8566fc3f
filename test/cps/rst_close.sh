#!/usr/bin/env bash
# Stack to stack over memif, echo, closed by our RST: every connection completes (the echo came
# back in full), the server sees each one reset, nobody keeps a TIME-WAIT entry.
source "$(dirname "$0")/lib.sh" "$@"
N=${TS_CPS_N:-20000}
RATE=${TS_CPS_RATE:-20000}

srv_start --mode echo
CPS_TELEMETRY=$T_DIR/cps_telemetry.json cps_run_stop --rate "$RATE" --requests "$N" --request echo --close rst --timeout 5
# The generator's telemetry says what its JSON says (it answered null: no counters behind it).
$PY - "$T_DIR/cps_telemetry.json" "$CPS_JSON" <<'EOF' || fail "telemetry /turnstile/stats: $(cat "$T_DIR/cps_telemetry.json")"
import json, sys
tel = json.load(open(sys.argv[1]))["/turnstile/stats"]
stack = json.load(open(sys.argv[2]))["stack"]
want = dict(stack["counters"], **{"conns_" + k: v for k, v in stack["connections"].items()})
assert tel == want, {k: (tel.get(k) if tel else None, v) for k, v in want.items() if not tel or tel.get(k) != v}
EOF
info "the generator's telemetry agrees with its JSON"
expect_clean_run "$N"
# SYN, request (+ the handshake's ACK), RST; SYN-ACK, echo.
expect_segments "$N" 2 3
cps_expect stack.counters.tcp_rst_out eq "$N"
cps_expect stack.connections.time_wait eq 0
srv_expect counters.conn_reset eq "$N"
srv_expect counters.tcp_payload_out eq "$((N * 16))"
srv_expect connections.time_wait eq 0
t_pass
