#!/usr/bin/env bash
# Misuse that test/integration/errors.sh does not already cover: an unusable core list, no
# hugepages at all and too few of them, addresses no host can have, a bad --fault spec. Each
# must end with one line on stderr naming the problem, a non-zero exit, and nothing left
# behind: no runtime directory, no hugepage files of the prefix, no tap interface.
source "$(dirname "$0")/../integration/lib.sh" "$@"
TS_ID="rob${TS_NAME:0:4}$$" TS_IF="t${TS_ID:0:14}" TS_NS="tsi-rob${TS_NAME:0:4}-$$" TS_PREFIX="tsi_$TS_ID"

WRAP=()  # a command the server runs under (see "no hugepages")

# run_fail CODE PATTERN -- ARGS...: the server must exit CODE with one stderr line matching
# PATTERN and leave nothing of our prefix or interface.
run_fail() {
  local code=$1 pat=$2 rc
  shift 3
  timeout 60 "${WRAP[@]}" "$TS_SERVER" "$@" >"$TS_DIR/out" 2>"$TS_DIR/err"
  rc=$?
  [[ $rc -eq $code ]] || fail "exit $rc (expected $code) for: $* -- $(cat "$TS_DIR/err")"
  [[ $(wc -l <"$TS_DIR/err") -eq 1 ]] || fail "stderr is not one line for: $* -- $(cat "$TS_DIR/err")"
  grep -qE -- "$pat" "$TS_DIR/err" || fail "stderr '$(cat "$TS_DIR/err")' does not match /$pat/"
  expect_nothing_left "$TS_PREFIX" "$TS_IF"
  info "exit $rc: $(cat "$TS_DIR/err")"
}

NOHUGE=(--no-huge -m 256)
DEV=(--file-prefix "$TS_PREFIX" "--vdev=net_tap0,iface=$TS_IF")

# Cores this machine does not have, or a list EAL cannot read.
run_fail 1 "invalid core list, please check specified cores are part of" -- -l 99 "${NOHUGE[@]}" "${DEV[@]}" -- --ip "$TS_IP/24"
run_fail 1 "invalid core list, please check specified cores are part of" -- -l 0-99 "${NOHUGE[@]}" "${DEV[@]}" -- --ip "$TS_IP/24"
run_fail 1 "invalid core list syntax" -- -l 1-x "${NOHUGE[@]}" "${DEV[@]}" -- --ip "$TS_IP/24"
run_fail 1 "invalid coremask, please check specified cores are part of" -- -c 0x10000 "${NOHUGE[@]}" "${DEV[@]}" -- --ip "$TS_IP/24"

# No hugepages: the server alone in a mount namespace without hugetlbfs, as on a box never set up.
# (unshare is util-linux, on every Debian; as root it may make a mount namespace.)
unshare --mount --propagation private true || fail "unshare cannot make a mount namespace for the no-hugepage case"
WRAP=(unshare --mount --propagation private sh -c 'umount -a -t hugetlbfs 2>/dev/null; exec "$@"' sh)
run_fail 1 "no hugepages available .*--no-huge" -- -l 1 "${DEV[@]}" -- --ip "$TS_IP/24"
WRAP=()
# Too few: more memory than the hugepages reserved (if there are any, else the line above again).
run_fail 1 "Not enough memory available|no hugepages available" -- -l 1 -m 100000 "${DEV[@]}" -- --ip "$TS_IP/24"

# Addresses no host can have (exit 2, before EAL starts).
while read -r pat args; do
  # shellcheck disable=SC2086  # $args is a word list on purpose
  run_fail 2 "${pat//_/ }" -- -l 1 "${NOHUGE[@]}" "${DEV[@]}" -- $args
done <<'CASES'
is_a_multicast_address                     --ip 224.0.0.5/24
is_the_broadcast_address_of_its_subnet     --ip 198.18.0.255/24
is_the_network_address_of_its_subnet       --ip 198.18.0.0/24
is_a_loopback_address                      --ip 127.0.0.1/8
is_reserved_or_the_broadcast_address       --ip 255.255.255.255/24
is_not_an_address/prefix                   --ip 198.18.0.2/33
is_not_on_the_subnet                       --ip 198.18.0.2/24 --gateway 198.19.0.1
is_our_own_address                         --ip 198.18.0.2/24 --gateway 198.18.0.2
is_not_an_IPv4_address                     --ip 198.18.0.2/24 --gateway 198.18.0
--read-delay-us_needs_--workers            --ip 198.18.0.2/24 --read-delay-us 100
fault_spec:_unknown_key_'lose'             --ip 198.18.0.2/24 --fault lose=0.1
fault_spec:_'drop=1.5':_a_rate             --ip 198.18.0.2/24 --fault drop=1.5
--port:_'0x50'_is_not_a_whole_number_in_decimal --ip 198.18.0.2/24 --port 0x50
--backlog:_'-1'_is_not_a_whole_number_in_decimal --ip 198.18.0.2/24 --backlog -1
CASES
ts_pass
