// Prints this machine's measured single-thread floating-point peak as JSON: every vector level
// the CPU supports (SSE2 mul+add, AVX2 FMA, AVX-512 FMA) and the fastest of them.
//
//   bench_machine_peak [--seconds S]   (S per level, default 0.3)
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/support/machine_peak.h"
#include "bench/support/peak_json.h"

int main(int argc, char** argv) {
  double seconds = 0.3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::cerr << "usage: " << argv[0] << " [--seconds S]\n";
      return 2;
    }
  }
  std::cout << utrain::bench::to_json(utrain::bench::measure_machine_peak(seconds)).dump(2) << "\n";
  return 0;
}
