# The EAL memory options of the benchmark's DPDK processes, sourced by bench/cps/run and ab.
# Hugepages, as a DPDK deployment runs (2 MiB pages: fewer TLB entries for the connection table,
# the mbufs and the rings); case 1 over memif was faster with them in 27 of 36 alternating pairs
# on the 2-vCPU CI machine, median pair ratio 1.07 (bench/cps/HISTORY.md, "Hugepages").
# --huge-unlink, so that a killed run leaves no page behind. Without enough free pages:
# --no-huge, said in the output.
#
#   eal_memory MODE PROCS   MODE auto|huge|no-huge; PROCS: DPDK processes running at once.
#   Sets EAL_MEM (the options) and EAL_MEM_SAID (a line for the output); returns 1 (with
#   EAL_MEM_SAID the reason) when MODE is huge and the pages are not there.
EAL_MEM_MB=480  # per process: the pools of one lcore (mbufs, memif rings) fit with room to spare

eal_memory() {
  local mode=$1 procs=$2 free want
  free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null)
  local size_kb; size_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo 2>/dev/null)
  want=$((procs * EAL_MEM_MB * 1024 / ${size_kb:-2048}))
  local have_huge=1
  if [[ ${size_kb:-0} -ne 2048 ]] || ! mountpoint -q /dev/hugepages 2>/dev/null || ((${free:-0} < want)); then
    have_huge=0
  fi
  case $mode in
    no-huge) have_huge=0 ;;
    huge)
      if ((!have_huge)); then
        EAL_MEM_SAID="--memory huge: needs $want free 2 MiB hugepages and hugetlbfs at /dev/hugepages (free: ${free:-0}; sudo scripts/setup reserves 512)"
        return 1
      fi ;;
    auto) ;;
    *) EAL_MEM_SAID="--memory must be auto, huge or no-huge"; return 1 ;;
  esac
  if ((have_huge)); then
    EAL_MEM="-m $EAL_MEM_MB --huge-unlink"
    EAL_MEM_SAID="memory: 2 MiB hugepages, -m $EAL_MEM_MB --huge-unlink per DPDK process (${free} free before)"
  else
    EAL_MEM="--no-huge -m 1024"
    EAL_MEM_SAID="memory: --no-huge -m 1024 per DPDK process$([[ $mode == auto ]] && echo " (fewer than $want free 2 MiB hugepages: sudo scripts/setup reserves 512)")"
  fi
}
