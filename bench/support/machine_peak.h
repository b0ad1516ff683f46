// The single-thread floating-point peak of the machine the benchmark runs on, measured, not
// looked up: a loop of independent multiply-accumulate chains in the widest vector unit the CPU
// has (chosen at run time from CPUID, the build stays baseline x86-64).
//
// Benchmarks divide their MAC/s by peak().macs_per_second to report a fraction of peak that
// means the same on an Intel CI machine and an AMD developer machine. Every level the CPU
// supports is measured too, so a generic (SSE2, no FMA) kernel can also be compared with the
// ceiling of the instructions it actually uses.
#pragma once
#include <string>
#include <vector>

namespace utrain::bench {

struct PeakLevel {
  std::string isa;          // "avx512f_fma", "avx2_fma" or "sse2_mul_add"
  int lanes = 0;            // f32 lanes per vector
  int chains = 0;           // independent accumulator vectors in the loop
  double macs_per_second = 0.0;
};

struct MachinePeak {
  PeakLevel peak;                 // the fastest level: the widest one, unless it clocks down
  std::vector<PeakLevel> levels;  // every supported level, narrowest first
};

// Measures every level for about `seconds_per_level` (best of several short trials, so a
// moment of interference from other processes lowers no figure).
MachinePeak measure_machine_peak(double seconds_per_level = 0.2);

}  // namespace utrain::bench
