// The plain reference every matrix-multiply kernel is tested against: a triple loop that
// accumulates in double, then applies the same epilogue (accumulate, bias, activation).
// Deliberately simple and slow; it runs on every target so the device tests use it too.
#pragma once
#include "kernels/mm/matmul_args.h"

namespace utrain {

void matmul_reference(const MatMulArgs& args);

// Σ_k |op(A)(i,k)·op(B)(k,j)|: the scale of the rounding error of C(i, j), for tolerances.
double matmul_abs_dot(const MatMulArgs& args, int32_t i, int32_t j);

}  // namespace utrain
