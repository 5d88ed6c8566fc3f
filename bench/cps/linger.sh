# Ends a memif run in the one safe order, sourced by bench/cps/run and ab. DPDK 22.11's memif PMD
# unmaps a departed peer's rings from its control thread, under any rx_burst still running: the
# side that is left must have stopped polling. turnstile-cps --linger stops its lcores, keeps the
# port open, and waits for the server to leave; the server is stopped then.
#
#   cps_then_stop_server LOG SRV_STOP CPS_ARGS...
#   Runs CPS_ARGS (turnstile-cps and its arguments, EAL's and ours), its output to LOG, adding
#   --linger 30 when the binary has it (older builds' generators leave first, as they used to);
#   runs SRV_STOP (a command) once the lcores have stopped, or once the generator has exited.
#   Sets CPS_RC and SRV_RC (SRV_STOP's status).
cps_then_stop_server() {
  local log=$1 stop=$2 linger=() i pid a
  shift 2
  for a in "$@"; do
    [[ $a == */turnstile-cps ]] || continue
    "$a" --help 2>/dev/null | grep -q -- --linger && linger=(--linger 30)
    break
  done
  : >"$log"
  "$@" "${linger[@]}" >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 36000; i++)); do  # the run's own --duration and timeout bound it; this is a backstop
    grep -q -- "(--linger)" "$log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  $stop
  SRV_RC=$?
  wait "$pid"
  CPS_RC=$?
}
