// Benchmarks stop at the first failing call: a number measured after an error would mean nothing.
#pragma once
#include <cstdio>
#include <cstdlib>

#include "core/status.h"

namespace utrain::bench {

// Prints "<doing>: <status>" to stderr and exits with 1 when `s` is an error.
inline void check(const Status& s, const char* doing) {
  if (s.ok()) return;
  char text[256];
  std::fprintf(stderr, "benchmark failed while %s: %s\n", doing, s.format(text, sizeof text));
  std::exit(1);
}

}  // namespace utrain::bench
