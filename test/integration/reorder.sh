#!/usr/bin/env bash
# The out-of-order queue with the Linux kernel as the sender: its segments reach the stack
# reordered and some lost (turnstile-server --fault on the receive side), through an echo
# server. What arrives past a hole is kept until the hole is filled ([stack] out_of_order_mbufs)
# and told of in SACK blocks, which the kernel takes in (its namespace's nstat counters); every
# byte comes back intact; a segment that reaches us again (duplicated on the way, or resent by
# the kernel) is named in a D-SACK block (RFC 2883). With the queue off a smaller upload ends intact too, keeping
# nothing (2 MiB did not finish in 60 s that way: each reordering costs the kernel a go-back).
source "$(dirname "$0")/lib.sh" "$@"
CLIENTS="$(dirname "$0")/clients.py"
# dup: some frames reach us twice, so that D-SACKs do not hang on the kernel resending a
# segment that was only late (with exact SACK blocks it seldom does: 0 to 3 in a run).
FAULT="reorder=0.1,drop=0.01,dup=0.01,dir=rx,seed=5"

# upload OUT_OF_ORDER_MBUFS BYTES: echoed through the faulty receive side.
upload() {
  local start=$SECONDS
  local cfg="$TS_DIR/ooo-$1.ini"
  sed "s/^out_of_order_mbufs = .*/out_of_order_mbufs = $1/" "$TS_ROOT/drivers-config/tap.ini" >"$cfg"
  grep -q "^out_of_order_mbufs = $1$" "$cfg" || fail "tap.ini has no out_of_order_mbufs"
  ts_start --mode echo --port 7 --fault "$FAULT" --config "$cfg"
  in_ns $PY "$CLIENTS" echo "$TS_IP" 7 "$2" || fail "echo with out_of_order_mbufs = $1 failed"
  # The namespace's own TCP counters: SACK blocks the kernel took in (its SACK scoreboard
  # merging and shifting segments), fresh with each namespace.
  sacked=$(in_ns nstat -asz TcpExtTCPSackShifted TcpExtTCPSackMerged | awk '/^TcpExt/ {n += $2} END {print n + 0}')
  # D-SACK blocks it took in (RFC 2883): our word that a segment it resent was one we had,
  # below our cumulative ACK (TCPDSACKRecv) or above it, a copy of one we kept (TCPDSACKOfoRecv).
  dsacked=$(in_ns nstat -asz TcpExtTCPDSACKRecv TcpExtTCPDSACKOfoRecv | awk '/^TcpExt/ {n += $2} END {print n + 0}')
  info "the kernel: $(in_ns nstat -asz TcpRetransSegs | awk '/^Tcp/ {print $2}') segments resent, $sacked SACK merges and shifts, $dsacked D-SACKs received"
  info "$2 bytes in $((SECONDS - start)) s (not a figure: this machine's load decides it)"
  ts_stop || fail "server exited with $?"
  expect fault.rx.reordered gt 0
  expect counters.tcp_payload_in eq "$2"
  expect counters.conn_reset eq 0
}

upload 1024 2097152
expect counters.tcp_ooo_queued gt 0
expect counters.tcp_ooo_dropped eq 0
[[ $sacked -gt 0 ]] || fail "the kernel took in no SACK block"
dsack_out=$(json counters.tcp_dsack_out)
info "frames duplicated on the way: $(json fault.rx.duplicated); D-SACKs sent: $dsack_out"
# The copies of duplicated frames, and segments the kernel resent that were only late.
[[ $dsacked -gt 0 ]] || fail "the kernel took in no D-SACK block"
[[ $dsacked -le $dsack_out ]] || fail "the kernel took in $dsacked D-SACKs, we sent $dsack_out"
info "D-SACKs: $dsack_out sent, $dsacked taken in by the kernel"
upload 0 262144
expect counters.tcp_ooo_queued eq 0
expect counters.tcp_ooo_dropped gt 0
[[ $sacked -eq 0 ]] || fail "SACK blocks without an out-of-order queue"
ts_pass
