// Linear (fully connected) layer: y = act(x · Wᵀ + b), PyTorch's layout and semantics.
//
// x is n × in_features, y is n × out_features (TensorView with c = features; an input whose
// per-sample size is in_features, e.g. n × C × H × W, is read as flattened in memory order).
// W is out_features × in_features, row-major; b has out_features values. Batch > 1 makes the
// products wider (more rows), it does not loop over samples.
//
// The three training steps are independent calls, so a frozen layer skips the weight gradient
// and the first layer skips the input gradient:
//   forward       y  = act(x · Wᵀ + b)          matmul n_t   M=n    N=out K=in
//   weight grad   dW (+)= dzᵀ · x, db (+)= Σ dz  matmul t_n   M=out  N=in  K=n
//   input grad    dx (+)= dz · W                 matmul n_n   M=n    N=in  K=out
// dz is the gradient with respect to the pre-activation output. Without a fused activation it
// is dy; with one, first turn dy into dz with activation_backward() (layers/activation.h) using
// the saved output y, which is why a fused layer keeps only y.
//
// Each step takes an optional kernel (from tuning); null means the default choice.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_kernel.h"

namespace utrain {

struct LinearParams {
  int32_t in_features = 0;
  int32_t out_features = 0;
  bool has_bias = true;
  Activation act = Activation::none;  // fused into the forward matmul
  float act_slope = kDefaultLeakySlope;
};

constexpr int64_t linear_weight_count(const LinearParams& p) {
  return int64_t{p.in_features} * p.out_features;
}
constexpr int64_t linear_bias_count(const LinearParams& p) { return p.has_bias ? p.out_features : 0; }
// Multiply-accumulates of one step for a batch of n (each of the three steps costs the same).
constexpr int64_t linear_step_macs(const LinearParams& p, int32_t n) { return n * linear_weight_count(p); }

Status check_linear_params(const LinearParams& p);

Status linear_forward(const ExecContext& ctx, const LinearParams& p, const TensorView& x,
                      const float* weight, const float* bias, const TensorView& y,
                      const MatMulKernel* kernel = nullptr);

// bias_grad may be null when the layer has no bias or its bias is frozen.
Status linear_weight_grad(const ExecContext& ctx, const LinearParams& p, const TensorView& x,
                          const TensorView& dz, float* weight_grad, float* bias_grad,
                          bool accumulate, const MatMulKernel* kernel = nullptr);

// The bias gradient alone, db (+)= Σ over the batch of dz (bias-only training needs no dW).
Status linear_bias_grad(const LinearParams& p, const TensorView& dz, float* bias_grad, bool accumulate);

Status linear_input_grad(const ExecContext& ctx, const LinearParams& p, const TensorView& dz,
                         const float* weight, const TensorView& dx, bool accumulate,
                         const MatMulKernel* kernel = nullptr);

}  // namespace utrain
