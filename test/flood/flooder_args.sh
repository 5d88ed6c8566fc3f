#!/usr/bin/env bash
# bench/flood/syn_flooder refuses bad options in one line, exit status 2, before it starts DPDK
# (no core, no memory, no port taken): a --target or --ip outside 127.0.0.0/8 and 198.18.0.0/15
# (the only addresses a flood may aim at), the same address for both, and a --rate that is
# negative (it flooded as fast as the port took it) or too small to pace, a --count of 0 or past
# 10^10.
set -uo pipefail
FLOODER=${1:?syn_flooder binary}
PREFIX="tsflargs$$"
# Should a refusal be missed, EAL starts on a null port, finds no ARP answer and gives up.
EAL=(--no-huge -m 64 --no-pci -l 0 --file-prefix "$PREFIX" --vdev net_null0 --log-level 1)
trap 'rm -rf "/var/run/dpdk/$PREFIX"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

refused() {  # WORDS ARGS...: refused with status 2 and a message containing WORDS
  local want=$1 out rc
  shift
  out=$(timeout 30 "$FLOODER" "${EAL[@]}" -- "$@" 2>&1)
  rc=$?
  ((rc == 2)) || fail "syn_flooder $* exited with $rc, expected 2 (refused): $(tail -n 2 <<<"$out")"
  grep -qF -- "$want" <<<"$out" || fail "syn_flooder $*: no '$want' in: $out"
  [[ $out != *"EAL:"* ]] || fail "syn_flooder $* started DPDK before refusing: $out"
  echo "# refused: $*"
}

ok=(--ip 198.18.0.1)
# The refused addresses lie just outside the two blocks; none is ever sent to (refused before EAL,
# and the port is net_null).
refused "--target 128.0.0.1 is not in 127.0.0.0/8 or 198.18.0.0/15" --target 128.0.0.1 "${ok[@]}"
refused "--target 198.20.0.2 is not in 127.0.0.0/8 or 198.18.0.0/15" --target 198.20.0.2 "${ok[@]}"
refused "--target 198.17.255.255 is not in" --target 198.17.255.255 "${ok[@]}"
refused "--ip 126.255.255.255 is not in 127.0.0.0/8 or 198.18.0.0/15" --target 198.18.0.2 --ip 126.255.255.255
refused "--target and --ip are the same address" --target 198.18.0.2 --ip 198.18.0.2
refused "--rate" --target 198.18.0.2 "${ok[@]}" --rate -1000
refused "--rate" --target 198.18.0.2 "${ok[@]}" --rate 1e-12
refused "--count" --target 198.18.0.2 "${ok[@]}" --count 0
refused "--count" --target 198.18.0.2 "${ok[@]}" --count 20000000000
refused "bad --target" --target 198.18.0 "${ok[@]}"
refused "--target is required" "${ok[@]}"
echo "PASS: flooder_args"
