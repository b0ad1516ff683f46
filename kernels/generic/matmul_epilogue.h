// The part of a matrix multiply that follows the products: adding the bias and applying the
// activation to a finished block of C. The generic kernels store (or accumulate) their raw sums
// tile by tile and then call this once on their share of C, so the tiles' stores stay branch-free
// and vectorizable and the activation is chosen once per block, not once per element.
//
// The arithmetic is mm_store's (kernels/mm/matmul_args.h) in the same order, so both give
// bit-identical results: C = act((accumulate ? C + dot : dot) + bias).
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "kernels/activation_fn.h"
#include "kernels/mm/matmul_args.h"

namespace utrain::generic {

template <Activation A>
void bias_activation_rows(const MatMulArgs& p, Range rows, Range cols) {
  for (int32_t i = rows.begin; i < rows.end; ++i) {
    float* row = p.c + static_cast<intptr_t>(i) * p.ldc;
    if (p.bias_axis == BiasAxis::col) {
      for (int32_t j = cols.begin; j < cols.end; ++j) row[j] = activate(A, row[j] + p.bias[j], p.act_slope);
    } else if (p.bias_axis == BiasAxis::row) {
      const float b = p.bias[i];
      for (int32_t j = cols.begin; j < cols.end; ++j) row[j] = activate(A, row[j] + b, p.act_slope);
    } else {
      for (int32_t j = cols.begin; j < cols.end; ++j) row[j] = activate(A, row[j], p.act_slope);
    }
  }
}

// Rows × cols of C (already holding the accumulated products) get the bias and the activation.
inline void apply_bias_activation(const MatMulArgs& p, Range rows, Range cols) {
  switch (p.act) {
    case Activation::none:
      if (p.bias_axis != BiasAxis::none) bias_activation_rows<Activation::none>(p, rows, cols);
      return;
    case Activation::relu: return bias_activation_rows<Activation::relu>(p, rows, cols);
    case Activation::leaky_relu: return bias_activation_rows<Activation::leaky_relu>(p, rows, cols);
    case Activation::sigmoid: return bias_activation_rows<Activation::sigmoid>(p, rows, cols);
    case Activation::tanh: return bias_activation_rows<Activation::tanh>(p, rows, cols);
  }
}

}  // namespace utrain::generic
