#!/usr/bin/env bash
# Loss recovery with the Linux kernel as the receiver: the stack's echo of an upload leaves it
# with some frames lost (turnstile-server --fault on the transmit side). The kernel tells of what
# it holds past each hole in SACK blocks; with [stack] sack on, the stack sends those holes
# again as the blocks show them (tcp_sack_retransmits); with it off, SACK is neither offered nor
# accepted and recovery is NewReno's. Every byte comes back intact both ways. The kernel ACKs
# while its window grows and its own data flows: with SACK those ACKs count as duplicates
# (RFC 6675 §2), without it most do not, and recovery waits for the timer more often.
source "$(dirname "$0")/lib.sh" "$@"
CLIENTS="$(dirname "$0")/clients.py"
FAULT="drop=0.03,dir=tx,seed=9"
BYTES=2097152

# echo_through SACK: BYTES echoed, the stack's frames to the kernel 3% lost.
echo_through() {
  local start
  local cfg="$TS_DIR/sack-$1.ini"
  sed "s/^sack = .*/sack = $1/" "$TS_ROOT/drivers-config/tap.ini" >"$cfg"
  grep -q "^sack = $1$" "$cfg" || fail "tap.ini has no sack key"
  ts_start --mode echo --port 7 --fault "$FAULT" --config "$cfg"
  start=$(date +%s%N)
  in_ns $PY "$CLIENTS" echo "$TS_IP" 7 "$BYTES" || fail "echo with sack = $1 failed"
  info "sack = $1: $BYTES bytes echoed in $((($(date +%s%N) - start) / 1000000)) ms (not a figure: this machine's load decides it)"
  # D-SACKs the kernel sent (RFC 2883, so only with SACK): segments of ours it already had.
  dsacks=$(in_ns nstat -asz TcpExtTCPDSACKOldSent TcpExtTCPDSACKOfoSent | awk '/^TcpExt/ {n += $2} END {print n + 0}')
  [[ $1 == false ]] || info "sack = $1: the kernel received $dsacks segments it already had"
  ts_stop || fail "server exited with $?"
  info "sack = $1: $(json counters.tcp_retransmits) retransmissions, $(json counters.tcp_sack_retransmits) by SACK, $(json counters.tcp_fast_retransmits) recoveries, $(json counters.tcp_dsack_undos) undone"
  expect fault.tx.dropped gt 0
  expect counters.tcp_payload_out ge "$BYTES"
  expect counters.tcp_payload_in eq "$BYTES"
  expect counters.conn_reset eq 0
  expect counters.tcp_fast_retransmits gt 0
}

echo_through true
expect counters.tcp_sack_retransmits gt 0
echo_through false
expect counters.tcp_sack_retransmits eq 0
ts_pass
