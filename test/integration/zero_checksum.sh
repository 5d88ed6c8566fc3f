#!/usr/bin/env bash
# A segment whose TCP checksum is zero goes out as 0x0000, not 0xffff (RFC 1624: one's-complement
# arithmetic computes 0x0000; Wireshark flags 0xffff as a bad checksum). Echoes built to have a
# zero checksum (zero_checksum.py) are read off the wire, with the kernel as the peer:
#  - the default tap profile, checksums written by the stack: 0x0000, and every frame verifies;
#  - [port] tx_checksum = hardware, checksums left to the net_tap PMD: every frame verifies and
#    the kernel takes them; what the PMD writes for zero is reported. DPDK 22.11's tap writes
#    0xffff (it treats TCP like UDP, where zero means "no checksum"), which is why tap.ini says
#    tx_checksum = software; a line says so if that stops being true.
source "$(dirname "$0")/lib.sh" "$@"

# run LABEL [server options]: the echo server and the client; the fields that the zero checksums
# went out with, one a line, in $TS_DIR/LABEL.
run() {
  local label=$1 out
  shift
  ts_start --mode echo --port 7 "$@"
  in_ns sysctl -qw net.ipv4.tcp_timestamps=0 || fail "cannot turn timestamps off in $TS_NS"
  out=$(in_ns $PY "$(dirname "$0")/zero_checksum.py" "$TS_IF" "$TS_IP" 7) || fail "$label: $out"
  ts_stop_closed 1 || fail "$label: server exited with $?"
  grep '^#' <<<"$out" | sed "s/^# /# $label: /"
  grep '^zero ' <<<"$out" | cut -d' ' -f2 >"$TS_DIR/$label"
  [[ -s $TS_DIR/$label ]] || fail "$label: no zero checksum seen"
}
# uses LABEL: the server said it wrote LABEL checksums.
uses() { grep -q "$1 checksums" "$TS_LOG" || fail "$1: the server did not use $1 checksums: $(head -n 1 "$TS_LOG")"; }

run software
for f in $(cat "$TS_DIR/software"); do [[ $f == 0x0000 ]] || fail "software: a zero checksum went out as $f"; done
uses software
info "software: every zero checksum went out as 0x0000"

sed 's/^tx_checksum *=.*/tx_checksum = hardware/' "$TS_ROOT/drivers-config/tap.ini" >"$TS_DIR/tap-offload.ini"
grep -q '^tx_checksum = hardware$' "$TS_DIR/tap-offload.ini" || fail "tap.ini has no tx_checksum line"
run offloaded --config "$TS_DIR/tap-offload.ini"
uses offloaded
written=$(sort -u "$TS_DIR/offloaded" | tr '\n' ' ')
if [[ $written == "0xffff " ]]; then
  info "offloaded: net_tap wrote 0xffff for each zero checksum (why tap.ini says tx_checksum = software)"
else
  info "offloaded: net_tap wrote ${written}for zero checksums: tap.ini's tx_checksum = software may no longer be needed"
fi
ts_pass
