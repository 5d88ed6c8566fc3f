#!/usr/bin/env bash
# A trunk port: turnstile-server on VLAN 100 (--vlan), the kernel's side an 802.1Q subinterface
# (id 100) of the tap carrying the address, the tap itself none. The kernel's VLAN device takes
# only frames tagged 100 and tags all it sends, so ARP, ping and an HTTP exchange working at all
# say that both directions are tagged right; the counters say nothing was dropped. A kernel
# built without 802.1Q devices gets tc programs on the tap that do the same (lib.sh: vlan_peer).
source "$(dirname "$0")/lib.sh" "$@"
need curl

ts_start --vlan 100 --mode http --body "tagged hello"
vlan_peer "$TS_IF" 100
# What the kernel sent before (IPv6 noise of the tap's start in the host's namespace, untagged)
# is dropped and counted; from here on nothing may be.
drops_before=$(telemetry /turnstile/stats) || fail "no answer to /turnstile/stats"

ping_and_get 100 "tagged hello"

ts_stop || fail "server exited with $?"
expect counters.icmp_echo_out ge 3
expect counters.arp_replies_out ge 1
dropped=$(drops_since "$drops_before") || fail "no counters in the server's JSON"
[[ -z $dropped ]] || fail "frames dropped over VLAN 100: $dropped"
info "no drop counter moved once VLAN 100 was up (drop_eth_vlan $(json counters.drop_eth_vlan) before)"
expect_nothing_left
ts_pass
