// a * b + c, fused into one instruction where the target has a fused multiply-add (rv32 F,
// Cortex-M4F, x86 with FMA) and two instructions elsewhere (baseline x86-64). Written out rather
// than left to -ffp-contract, whose default differs between -std=c++20 and -std=gnu++20.
#pragma once

namespace utrain {

inline float multiply_add(float a, float b, float c) {
#ifdef __FP_FAST_FMAF
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

}  // namespace utrain
