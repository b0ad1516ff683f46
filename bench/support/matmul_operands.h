// Operands for a matrix product known only by its shape (sizes, transpositions, leading
// dimensions, bias axis), so a benchmark can run a kernel on a layer's own product without the
// layer: A, B, C and the bias, sized from the shape and filled with small random values.
#pragma once
#include <vector>

#include "kernels/mm/matmul_args.h"

namespace utrain::bench {

struct MatMulOperands {
  // Allocates the operands and points p's a, b, c and bias (when it has a bias axis) at them.
  explicit MatMulOperands(MatMulArgs* p);
  std::vector<float> a, b, c, bias;
};

}  // namespace utrain::bench
