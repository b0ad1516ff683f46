// The one matrix-multiply interface every layer step is lowered to:
//
//   C[M×N] = act( (accumulate ? C : 0) + op(A)[M×K] · op(B)[K×N] + bias )
//
// op(X) is X or Xᵀ. Matrices are row-major with a leading dimension (elements between rows of
// the matrix *as stored*): A stored M×K (ta = n, lda ≥ K) or K×M (ta = t, lda ≥ M); B stored
// K×N (tb = n, ldb ≥ N) or N×K (tb = t, ldb ≥ K); C is M×N with ldc ≥ N. The bias has one value
// per row of C (length M) or per column (length N). C must not overlap A, B or the bias.
// With b_panels, B (not transposed) is K·N floats in column panels instead (matmul_b_panels.h;
// ldb unused), for the kernels that read them.
#pragma once
#include <stdint.h>

#include "kernels/activation_fn.h"
#include "kernels/mm/matmul_b_panels.h"

namespace utrain {

enum class Trans : uint8_t { n, t };
enum class BiasAxis : uint8_t { none, row, col };

struct MatMulArgs {
  int32_t m = 0, n = 0, k = 0;
  Trans ta = Trans::n;
  const float* a = nullptr;
  int32_t lda = 0;
  Trans tb = Trans::n;
  const float* b = nullptr;
  int32_t ldb = 0;
  float* c = nullptr;
  int32_t ldc = 0;
  bool accumulate = false;
  BiasAxis bias_axis = BiasAxis::none;
  bool b_panels = false;  // B in column panels (matmul_b_panels.h); beside the other flags, in their padding
  const float* bias = nullptr;
  Activation act = Activation::none;
  float act_slope = kDefaultLeakySlope;  // LeakyReLU's negative slope
};

// The value of op(A)(i, kk) and op(B)(kk, j) for any transposition; the reference and the
// generic kernels read through these so the index arithmetic is written once.
inline float mm_a_at(const MatMulArgs& p, int32_t i, int32_t kk) {
  return p.ta == Trans::n ? p.a[static_cast<intptr_t>(i) * p.lda + kk]
                          : p.a[static_cast<intptr_t>(kk) * p.lda + i];
}
inline float mm_b_at(const MatMulArgs& p, int32_t kk, int32_t j) {
  if (p.b_panels) return p.b[b_panel_index(p.n, p.k, kk, j)];
  return p.tb == Trans::n ? p.b[static_cast<intptr_t>(kk) * p.ldb + j]
                          : p.b[static_cast<intptr_t>(j) * p.ldb + kk];
}

// Finishes one output element from its dot product: accumulate, bias, activation, store.
inline void mm_store(const MatMulArgs& p, int32_t i, int32_t j, float dot) {
  float* out = p.c + static_cast<intptr_t>(i) * p.ldc + j;
  float v = p.accumulate ? *out + dot : dot;
  if (p.bias_axis == BiasAxis::row) v += p.bias[i];
  if (p.bias_axis == BiasAxis::col) v += p.bias[j];
  *out = activate(p.act, v, p.act_slope);
}

}  // namespace utrain
