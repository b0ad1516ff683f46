// The epilogue of a matrix-multiply property test's `variant`-th problem, shared by the host and
// the device tests (freestanding). Any six consecutive variants cover overwriting and
// accumulating C each with no bias, a bias per row and a bias per column: the rv32 register
// tiles add the bias as they store an overwritten C, and a pass adds it in every other case.
#pragma once
#include "kernels/mm/matmul_args.h"

namespace utrain::testing {

inline void set_epilogue_variant(MatMulArgs& p, int variant, const float* bias) {
  p.accumulate = variant / 3 % 2 == 1;
  p.bias_axis = variant % 3 == 0 ? BiasAxis::none : variant % 3 == 1 ? BiasAxis::row : BiasAxis::col;
  p.bias = p.bias_axis == BiasAxis::none ? nullptr : bias;
  constexpr Activation kActivations[] = {Activation::none, Activation::relu, Activation::leaky_relu,
                                         Activation::sigmoid, Activation::tanh};
  p.act = kActivations[variant % 5];
}

}  // namespace utrain::testing
