# Sourced by the benchmark scripts: the line that names the machine a run had.
#
# A cloud guest's "Model name" is often just "AMD EPYC" whatever the host: this project's CI
# guest was an EPYC of family 26 model 2 (Zen 5) on 2026-11-21 and of family 25 model 17 (Zen 4)
# on 2026-11-24, with the same model name, core count and kernel; and a figure of
# one generation is not comparable with the other's. So the line carries the CPU's family,
# model and stepping (decimal, as /proc/cpuinfo gives them) and the TSC's rate.

# "AMD EPYC (family 25 model 17 stepping 1, TSC 2596 MHz), 2 cores, 6.1.0-..."
machine_line() {
  local name family model stepping mhz
  name=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
  family=$(sed -n 's/^cpu family[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
  model=$(sed -n 's/^model[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
  stepping=$(sed -n 's/^stepping[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
  # A guest's "cpu MHz" is the TSC's rate (the host's clock is not visible), so say which.
  mhz=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9]*\).*/\1/p' /proc/cpuinfo | head -n 1)
  printf '%s (family %s model %s stepping %s, TSC %s MHz), %s cores, %s\n' \
    "${name:-unknown CPU}" "${family:-?}" "${model:-?}" "${stepping:-?}" "${mhz:-?}" "$(nproc)" "$(uname -r)"
}
