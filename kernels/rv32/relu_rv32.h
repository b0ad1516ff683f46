// ReLU for the rv32 kernels' fused stores.
#pragma once
#include "kernels/activation_fn.h"

namespace utrain::rv32 {

// activate(relu, x) in one instruction where the ISA has one: RISC-V's fmax.s gives +0 for -0
// and the other operand for a NaN, exactly x > 0 ? x : 0, which GCC compiles to a compare and a
// branch (3.5 instructions a value on random signs). Written as asm: GCC 12 calls the library's
// fmaxf for __builtin_fmaxf.
inline float relu(float x) {
#if defined(__riscv)
  float y;
  asm("fmax.s %0, %1, %2" : "=f"(y) : "f"(x), "f"(0.0f));
  return y;
#else
  return activate(Activation::relu, x, 0.0f);
#endif
}

}  // namespace utrain::rv32
