// A dot-form product (A not transposed, B transposed: a Linear forward) whose K is a handful, with
// B's rows dense (ldb = K) and C overwritten: the Deep AutoEncoder's 8 -> 128 layer after its
// 8-wide bottleneck. Each output is a K-term dot of a row of A with a row of B. The register
// tiles read every row of B through a pointer of its own, set up and stepped for each tile, which
// for K = 8 costs more than the products (0.27 MAC per instruction). With K fixed at compile
// time, a row of A's K values stays in registers for the whole row of C and the rows of B are
// immediate offsets from one pointer: per output K loads, K multiply-adds, its start (zero or the
// bias), the fused ReLU when asked and a store, about 0.42 MAC per instruction at K = 8.
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "kernels/generic/multiply_add.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/activation_fn.h"

namespace utrain::rv32 {

// The K this path is built for: each is code of its own.
constexpr int32_t kShortDotK = 8;
// Outputs per loop pass: their B rows are one pointer's immediate offsets (8·K floats apart at
// most, 256 bytes at K = 8).
constexpr int kShortDotOutputs = 8;

// Whether the product runs short_dot (the caller has checked the form: TA = n, TB = t).
inline bool runs_short_dot(const MatMulArgs& p) {
  return p.k == kShortDotK && p.ldb == p.k && !p.accumulate;
}

// `count` outputs of one row of C, whose row of A is `a`: `start` is each output's first value
// (column bias or a constant), RELU applies the fused ReLU. A's values are loaded here, into
// locals: read through a pointer they would be loaded again after every store to C.
template <int K, bool COLUMN_BIAS, bool RELU>
void short_dot_row(const float* a, const float* b, const float* bias, float start, float* out, int32_t count) {
  float x[K];
#pragma GCC unroll 16
  for (int k = 0; k < K; ++k) x[k] = a[k];
  auto one = [&](int g) {
    float sum = COLUMN_BIAS ? bias[g] : start;
#pragma GCC unroll 16
    for (int k = 0; k < K; ++k) sum = multiply_add(x[k], b[g * K + k], sum);
    out[g] = RELU ? relu(sum) : sum;
  };
  for (; count >= kShortDotOutputs; count -= kShortDotOutputs) {
#pragma GCC unroll 8
    for (int g = 0; g < kShortDotOutputs; ++g) one(g);
    b += kShortDotOutputs * K, out += kShortDotOutputs;
    if (COLUMN_BIAS) bias += kShortDotOutputs;
  }
  for (; count > 0; --count, b += K, ++out) {
    one(0);
    if (COLUMN_BIAS) ++bias;
  }
}

// Rows × cols of C. The bias and a ReLU are applied here; any other activation is left to the
// caller's pass (the return value says whether it still has to run, without the bias).
template <int K>
[[gnu::noinline]] bool short_dot(const MatMulArgs& p, Range rows, Range cols) {
  const bool relu_here = p.act == Activation::relu;
  for (int32_t i = rows.begin; i < rows.end; ++i) {
    const float* x = p.a + static_cast<intptr_t>(i) * p.lda;
    const float* b = p.b + static_cast<intptr_t>(cols.begin) * K;
    float* out = p.c + static_cast<intptr_t>(i) * p.ldc + cols.begin;
    const float row_start = p.bias_axis == BiasAxis::row ? p.bias[i] : 0.0f;
    if (p.bias_axis == BiasAxis::col) {
      const float* bias = p.bias + cols.begin;
      if (relu_here)
        short_dot_row<K, true, true>(x, b, bias, 0.0f, out, cols.size());
      else
        short_dot_row<K, true, false>(x, b, bias, 0.0f, out, cols.size());
    } else if (relu_here) {
      short_dot_row<K, false, true>(x, b, nullptr, row_start, out, cols.size());
    } else {
      short_dot_row<K, false, false>(x, b, nullptr, row_start, out, cols.size());
    }
  }
  return !relu_here && p.act != Activation::none;
}

}  // namespace utrain::rv32
