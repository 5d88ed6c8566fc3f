// A prefetch the compiler keeps. GCC 12 at -O2 and above dropped every __builtin_prefetch of
// table::Shard::prefetch() as dead code (the disassembly of Lcore::prefetch_flow had none), so
// the table lines were never asked for ahead; an asm volatile is never removed. In lib/wire
// because every layer above it includes it (wire, tcp, table, dpdk).
#pragma once

namespace ts::wire {

inline void prefetch_line(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const volatile char*>(p)));
#elif defined(__aarch64__)
  asm volatile("prfm pldl1keep, %0" : : "Q"(*static_cast<const volatile char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace ts::wire
