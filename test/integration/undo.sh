#!/usr/bin/env bash
# D-SACK undo with the Linux kernel as the receiver: the stack's echo of an 8 MiB upload reaches
# the kernel reordered, none lost (turnstile-server --fault reorder on the transmit side). Each late
# segment looks like a loss: duplicate ACKs with SACK blocks start a fast recovery that sends it
# again. The original arrives after all, the copy too, and the kernel names the copy in a D-SACK
# block (RFC 2883); once every copy of a recovery has come back so, the window it took is given
# back (tcp_dsack_undos, RFC 3708). Every byte comes back intact.
source "$(dirname "$0")/lib.sh" "$@"
CLIENTS="$(dirname "$0")/clients.py"
FAULT="reorder=0.01,reorder_ms=2,dir=tx,seed=11"
BYTES=8388608  # about 40 recoveries, 22 to 25 undone: none undone would take a broken undo

ts_start --mode echo --port 7 --fault "$FAULT"
in_ns $PY "$CLIENTS" echo "$TS_IP" 7 "$BYTES" || fail "echo through the reordering failed"
# What the kernel received twice: below its cumulative ACK, or a copy of data kept past a hole.
dsacks=$(in_ns nstat -asz TcpExtTCPDSACKOldSent TcpExtTCPDSACKOfoSent | awk '/^TcpExt/ {n += $2} END {print n + 0}')
ts_stop || fail "server exited with $?"
recoveries=$(json counters.tcp_fast_retransmits)
undos=$(json counters.tcp_dsack_undos)
info "$(json fault.tx.reordered) frames reordered, none lost: $recoveries recoveries, $(json counters.tcp_retransmits) retransmissions, $dsacks D-SACKs from the kernel, $undos recoveries undone"
expect fault.tx.reordered gt 0
expect fault.tx.dropped eq 0
expect counters.tcp_payload_in eq "$BYTES"
expect counters.tcp_payload_out ge "$BYTES"
expect counters.conn_reset eq 0
expect counters.tcp_fast_retransmits gt 0
[[ $dsacks -gt 0 ]] || fail "the kernel sent no D-SACK: nothing to undo by"
expect counters.tcp_dsack_undos gt 0
[[ $undos -le $recoveries ]] || fail "$undos undos for $recoveries recoveries"
ts_pass
