// LayerNorm, PyTorch's nn.LayerNorm(normalized_shape = [C, H, W]) (or [C] for feature vectors):
// each sample normalized over all of its C·H·W values with biased variance,
//   y = (x - mean) / sqrt(var + eps) · gamma + beta
// with one gamma and one beta per normalized value, stored in the tensor's memory order (for
// HWC that is the [H][W][C] order). `saved` holds 2·n floats written by forward for backward:
// the n sample means, then the n values 1/sqrt(var + eps). y may be x and dx may be dy (exactly
// in place). Forward and input grad split the samples over the team (one sample's statistics are
// one reduction), the weight gradient splits the features.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"

namespace utrain {

struct LayerNormParams {
  int32_t features = 0;  // C·H·W of one sample
  float eps = 1e-5f;
  bool affine = true;
};

constexpr int64_t layer_norm_parameter_count(const LayerNormParams& p) { return p.affine ? p.features : 0; }
constexpr int64_t layer_norm_saved_floats(const LayerNormParams& p, int32_t batch) {
  return p.features > 0 ? 2 * int64_t{batch} : 0;
}

Status check_layer_norm_params(const LayerNormParams& p);

Status layer_norm_forward(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                          const float* gamma, const float* beta, float* saved, const TensorView& y);
// gamma_grad, beta_grad may each be null.
Status layer_norm_weight_grad(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                              const TensorView& dy, const float* saved, float* gamma_grad, float* beta_grad,
                              bool accumulate);
Status layer_norm_input_grad(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                             const TensorView& dy, const float* gamma, const float* saved, const TensorView& dx,
                             bool accumulate);

}  // namespace utrain
