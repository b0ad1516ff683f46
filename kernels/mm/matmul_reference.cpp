#include "kernels/mm/matmul_reference.h"

#include <math.h>

namespace utrain {

void matmul_reference(const MatMulArgs& args) {
  for (int32_t i = 0; i < args.m; ++i)
    for (int32_t j = 0; j < args.n; ++j) {
      double dot = 0.0;
      for (int32_t kk = 0; kk < args.k; ++kk)
        dot += static_cast<double>(mm_a_at(args, i, kk)) * mm_b_at(args, kk, j);
      mm_store(args, i, j, static_cast<float>(dot));
    }
}

double matmul_abs_dot(const MatMulArgs& args, int32_t i, int32_t j) {
  double sum = 0.0;
  for (int32_t kk = 0; kk < args.k; ++kk)
    sum += fabs(static_cast<double>(mm_a_at(args, i, kk)) * mm_b_at(args, kk, j));
  return sum;
}

}  // namespace utrain
