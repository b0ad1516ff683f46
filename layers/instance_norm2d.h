// InstanceNorm2d, PyTorch's nn.InstanceNorm2d(affine=True): each (sample, channel) plane
// normalized over its H × W values with biased variance, then per-channel gamma and beta.
// No running statistics (PyTorch's default track_running_stats=False). `saved` holds 2·n·C
// floats written by forward for backward: the n·C plane means, then the n·C values
// 1/sqrt(var + eps), each sample-major (plane (s, c) at s·C + c). Planes need H·W ≥ 2, as in
// PyTorch. x, y, dy, dx are dense n × C × H × W views in p.layout; y may be x and dx may be dy
// (exactly in place). Channels are split over the team.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"

namespace utrain {

struct InstanceNorm2dParams {
  int32_t channels = 0;
  float eps = 1e-5f;
  bool affine = true;
  Layout layout = Layout::chw;
};

constexpr int64_t instance_norm2d_saved_floats(const InstanceNorm2dParams& p, int32_t batch) {
  return 2 * int64_t{batch} * p.channels;
}

Status check_instance_norm2d_params(const InstanceNorm2dParams& p);

Status instance_norm2d_forward(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                               const float* gamma, const float* beta, float* saved, const TensorView& y);
Status instance_norm2d_weight_grad(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                                   const TensorView& dy, const float* saved, float* gamma_grad,
                                   float* beta_grad, bool accumulate);
Status instance_norm2d_input_grad(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                                  const TensorView& dy, const float* gamma, const float* saved,
                                  const TensorView& dx, bool accumulate);

}  // namespace utrain
