#!/usr/bin/env bash
# turnstile-cps drives the Linux kernel's TCP (a small Python server in a namespace, over a
# net_tap), from 4 local addresses (the ARP for each is answered, and the kernel sees all four):
#   --close client: every connection completes, our FIN first, the TIME-WAIT entries ours;
#   --close server: the kernel closes first (HTTP `Connection: close`), no TIME-WAIT here;
#   --hold end: all of them open on the kernel at once, then closed by our FIN;
#   --path, --host: a chunked reply and a 204 on keep-alive connections (nothing but the framing
#   can end them), and the server sees the path and the Host asked for;
#   addresses that cannot work on the link (a range past the subnet, its broadcast address, a
#   server off the subnet without a gateway, a gateway off it) are refused before EAL starts.
source "$(dirname "$0")/lib.sh" "$@"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
N=${TS_CPS_KERNEL_N:-3000}
RATE=${TS_CPS_KERNEL_RATE:-1500}

cps_refused 2 "--path 'index.html' is not a request target" --path index.html
cps_refused 2 "--host '' is not a host" --host ''
cps_refused 2 "--path and --host are for --request http" --request echo --path /x
# Addresses that cannot work on the link, refused before EAL starts.
cps_refused 2 "--ip-range 10 from 198.18.0.250 runs past the hosts of 198.18.0.0/24 \(the last is 198.18.0.254\)" \
  --ip 198.18.0.250/24 --ip-range 10
cps_refused 2 "--ip 198.18.0.255/24: 198.18.0.255 is the broadcast address of its subnet" --ip 198.18.0.255/24
# What the end of a run writes is checked before it starts.
cps_refused 1 "--json: cannot write /nonexistent-dir/r.json: No such file or directory" --json /nonexistent-dir/r.json
cps_refused 1 "--plot: cannot write /nonexistent-dir/r.png" --plot /nonexistent-dir/r.png
cps_refused 1 "--plot: no plotting script /nonexistent-dir/plot.py" --plot "$T_DIR/r.png" --plot-script /nonexistent-dir/plot.py
cps_refused 1 "--plot: /bin/false does not run or cannot import matplotlib" --plot "$T_DIR/r.png" --python /bin/false
[[ ! -e $T_DIR/r.png ]] || fail "the output check left $T_DIR/r.png behind"
for bad in 5000-4000 0-10 40000 40000-70000 a-b 1-2x; do
  cps_refused 2 "--port-range '$bad' is not LO-HI with 1 <= LO <= HI <= 65535" --port-range "$bad"
done
cps_refused 2 "--server 198.19.0.2 is not on the subnet of --ip 198.18.0.3/24: give --gateway" --server 198.19.0.2:80
cps_refused 2 "--server 198.18.0.255 is the broadcast address of its subnet" --server 198.18.0.255:80
cps_refused 2 "--server 224.0.0.1 is a multicast address" --server 224.0.0.1:80 --gateway 198.18.0.1
# Seconds that are not a number: nan passes any comparison, and ran without end.
for opt in --duration --timeout --drain --link-wait --stats-interval; do
  cps_refused 2 "$opt: Value nan not in range" $opt nan
done
# Numbers read as something else: a wrapped count, a prefix of junk, a duration past tcp::Time, an
# endless rate (it opened nothing: its token count cast to INT_MIN).
for bad in nan 2junk 1e300 -1; do
  cps_refused 2 "--time-wait-reuse '$bad' is neither seconds from 0 to 3600 nor never" --time-wait-reuse "$bad"
done
for bad in inf nan 1e12; do
  cps_refused 2 "--rate '$bad' is neither a number above 0 and at most 1e9 nor max" --rate "$bad"
done
cps_refused 2 "--requests: '-1' is not a whole number" --requests -1
cps_refused 2 "--watch-pid 1073741000: no such process" --watch-pid 1073741000  # above any pid_max
cps_refused 2 "--gateway 198.19.0.1 is not on the subnet of --ip 198.18.0.3/24" --gateway 198.19.0.1 --server 198.19.0.2:80
# More queues than EAL has lcores: refused before the port starts, with or without --fault (with
# it, the port started and the banner came; the error only from run(), after --link-wait).
for fault in "" "--fault drop=0.1"; do
  cps_refused 1 "^turnstile-cps: error: 2 queues need as many lcores, EAL has 1 \(give more with -l, or fewer queues\)$" \
    --queues 2 $fault
  [[ ! -s $T_DIR/out ]] || fail "--queues 2 $fault: started before refusing: $(cat "$T_DIR/out")"
done

kernel_start
cps_run_tap --ip-range 4 --rate "$RATE" --requests "$N" --request http --close client --timeout 5
cps_expect completed eq "$N"
cps_expect failures eq 0
cps_expect in_flight eq 0
cps_expect stack.counters.enter_time_wait eq "$N"
cps_expect stack.connections.time_wait eq "$N"
cps_expect stack.counters.conn_reset eq 0
# The kernel learns 198.18.0.3 from our own ARP request and asks for the three others.
cps_expect stack.counters.arp_replies_out ge 3

# The tap left with the first run; the namespace and the server stay.
cps_run_tap --rate "$RATE" --requests "$((N / 3))" --request http --close server --timeout 5
cps_expect completed eq "$((N / 3))"
cps_expect failures eq 0
cps_expect in_flight eq 0
cps_expect stack.counters.enter_time_wait eq 0
cps_expect stack.counters.enter_last_ack eq "$((N / 3))"

C=$((N / 6))
cps_run_tap --rate "$RATE" --requests "$C" --request http --path /chunked --host test.invalid --close client --timeout 5
cps_expect completed eq "$C"
cps_expect failures eq 0
cps_expect in_flight eq 0
cps_run_tap --rate "$RATE" --requests "$C" --request http --path /empty --close client --timeout 5
cps_expect completed eq "$C"
cps_expect failures eq 0
cps_expect in_flight eq 0

H=500  # under a default 1,024-descriptor limit of the Python server
cps_run_tap --ip-range 4 --requests "$H" --concurrency "$H" --hold end --request http --close client --timeout 10
cps_expect in_flight_peak eq "$H"
cps_expect completed eq "$H"
cps_expect failures eq 0
cps_expect in_flight eq 0
kernel_stop
T=$((N + N / 3 + 2 * C + H))
grep -q "accepted=$T requests=$T .* chunked=$C no_content=$C peers=4 hosts=198.18.0.1,test.invalid$" "$SRV_LOG" ||
  fail "kernel side, expected $T accepted and answered from 4 addresses, $C chunked, $C 204, two Hosts: $(cat "$SRV_LOG")"
info "kernel side: $(cat "$SRV_LOG")"
t_pass
