// Rng: a seeded random generator that produces the same numbers on every target, so an
// initialisation made on the device equals the one made on the host and in the golden script
// (tests/golden/portable_rng.py mirrors it bit for bit).
//
// The generator is PCG32 (XSH-RR output of a 64-bit LCG). Floats are built with integer
// arithmetic and at most one rounding, so no compiler flag (FMA contraction, x87) changes them.
#pragma once
#include <stdint.h>

namespace utrain {

class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0);

  uint32_t next_u32();
  // Uniform in [0, 1), a multiple of 2^-24.
  float uniform();
  // Uniform in [-bound, bound): (k / 2^24) * bound for an integer k in [-2^24, 2^24).
  float uniform_symmetric(float bound);
  // Uniform integer in [0, n), without modulo bias; n >= 1.
  uint32_t below(uint32_t n);

 private:
  uint64_t state_ = 0;
  uint64_t increment_ = 0;
};

}  // namespace utrain
