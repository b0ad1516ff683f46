#include "layers/batch_norm2d.h"

#include <math.h>

#include "layers/elementwise_checks.h"
#include "layers/group_statistics.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// x, and a second tensor of x's shape (y, dy or dx), both valid for the layer.
Status check_pair(const BatchNorm2dParams& p, const TensorView& x, const TensorView& other, const char* x_subject,
                  const char* other_subject) {
  UT_TRY(check_channel_tensor(x, p.channels, p.layout, x_subject));
  UT_TRY(check_dense_f32(other, other_subject));
  return check_same_shape(other, x, other_subject);
}

Status check_mode(NormMode mode, const char* subject) {
  if (mode != NormMode::training && mode != NormMode::evaluation)
    return Status::error(StatusCode::invalid_argument, "mode must be training or evaluation").about(subject);
  return ok_status();
}

// Values that share one channel's statistics: n·H·W.
float values_per_channel(const Shape& s) { return static_cast<float>(int64_t{s.n} * s.h * s.w); }

}  // namespace

Status check_batch_norm2d_params(const BatchNorm2dParams& p) {
  if (p.channels <= 0)
    return Status::error(StatusCode::invalid_argument, "channels must be positive", p.channels, 1)
        .about("batch norm 2d");
  UT_TRY(check_norm_eps(p.eps, "batch norm 2d"));
  if (p.act == Activation::leaky_relu && !(p.act_slope > 0.0f))
    return Status::error(StatusCode::invalid_argument, "LeakyReLU slope must be positive").about("batch norm 2d");
  if (!(p.momentum >= 0.0f && p.momentum <= 1.0f))
    return Status::error(StatusCode::invalid_argument, "momentum must be in [0, 1]").about("batch norm 2d");
  return check_layout_value(p.layout, "batch norm 2d");
}

Status batch_norm2d_forward(const ExecContext& ctx, const BatchNorm2dParams& p, NormMode mode,
                            const TensorView& x, const float* gamma, const float* beta, float* running_mean,
                            float* running_var, float* saved, const TensorView& y) {
  constexpr const char* kStep = "batch norm 2d forward";
  UT_TRY(check_batch_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_mode(mode, kStep));
  UT_TRY(check_pair(p, x, y, "batch norm 2d forward: x", "batch norm 2d forward: y"));
  UT_CHECK(!overlaps_partially(y, x), StatusCode::invalid_argument,
           "batch norm 2d forward: y overlaps x without being x (only exact in-place is allowed)");
  UT_CHECK(!p.affine || (gamma != nullptr && beta != nullptr), StatusCode::invalid_argument,
           "batch norm 2d forward: the layer is affine but gamma or beta is null");
  UT_CHECK(running_mean != nullptr && running_var != nullptr, StatusCode::invalid_argument,
           "batch norm 2d forward: running_mean or running_var is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "batch norm 2d forward: saved is null");
  const int64_t count = int64_t{x.shape.n} * x.shape.h * x.shape.w;
  // As PyTorch: one value has no variance, and the unbiased running variance divides by N - 1.
  if (mode == NormMode::training && count < 2)
    return Status::error(StatusCode::shape_mismatch, "training needs more than one value per channel (n·H·W)",
                         count, 2)
        .about(kStep);

  const GroupLayout l = channel_groups_of_batch(x.shape, p.layout);
  const float n = values_per_channel(x.shape), unbiased = n / (n - 1.0f), m = p.momentum;
  const bool training = mode == NormMode::training;
  float* saved_inv_std = saved + p.channels;
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    float mean[kGroupBlock], variance[kGroupBlock], scale[kGroupBlock], shift[kGroupBlock];
    const int64_t at = first * l.group_stride;
    if (training) {
      group_moments(x.f32() + at, l, groups, mean, variance);
      for (int32_t g = 0; g < groups; ++g) {
        const int32_t c = first + g;
        running_mean[c] = (1.0f - m) * running_mean[c] + m * mean[g];
        running_var[c] = (1.0f - m) * running_var[c] + m * variance[g] * unbiased;
      }
    } else {
      for (int32_t g = 0; g < groups; ++g) mean[g] = running_mean[first + g], variance[g] = running_var[first + g];
    }
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t c = first + g;
      const float inv_std = 1.0f / sqrtf(variance[g] + p.eps);
      saved[c] = mean[g];
      saved_inv_std[c] = inv_std;
      scale[g] = p.affine ? inv_std * gamma[c] : inv_std;
      shift[g] = p.affine ? beta[c] : 0.0f;
    }
    group_normalize(x.f32() + at, y.f32() + at, l, groups, mean, scale, shift, nullptr, nullptr, p.act, p.act_slope);
  });
  return ok_status();
}

Status batch_norm2d_weight_grad(const ExecContext& ctx, const BatchNorm2dParams& p, const TensorView& x,
                                const TensorView& dy, const float* saved, float* gamma_grad, float* beta_grad,
                                bool accumulate) {
  constexpr const char* kStep = "batch norm 2d weight grad";
  UT_TRY(check_batch_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_pair(p, x, dy, "batch norm 2d weight grad: x", "batch norm 2d weight grad: dy"));
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "batch norm 2d weight grad: saved is null");
  UT_CHECK(p.affine || (gamma_grad == nullptr && beta_grad == nullptr), StatusCode::invalid_argument,
           "batch norm 2d weight grad: the layer is not affine, it has no gamma or beta to train");
  if (gamma_grad == nullptr && beta_grad == nullptr) return ok_status();  // frozen

  const GroupLayout l = channel_groups_of_batch(x.shape, p.layout);
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    float sum_dy[kGroupBlock], sum_dy_xhat[kGroupBlock];
    const int64_t at = first * l.group_stride;
    group_gradient_sums(x.f32() + at, dy.f32() + at, l, groups, saved + first, saved + p.channels + first, nullptr,
                        sum_dy, sum_dy_xhat);
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t c = first + g;
      if (gamma_grad != nullptr) gamma_grad[c] = (accumulate ? gamma_grad[c] : 0.0f) + sum_dy_xhat[g];
      if (beta_grad != nullptr) beta_grad[c] = (accumulate ? beta_grad[c] : 0.0f) + sum_dy[g];
    }
  });
  return ok_status();
}

Status batch_norm2d_input_grad(const ExecContext& ctx, const BatchNorm2dParams& p, NormMode mode,
                               const TensorView& x, const TensorView& dy, const float* gamma, const float* saved,
                               const TensorView& dx, bool accumulate, BatchNormGradSums sums) {
  constexpr const char* kStep = "batch norm 2d input grad";
  UT_TRY(check_batch_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_mode(mode, kStep));
  UT_TRY(check_pair(p, x, dy, "batch norm 2d input grad: x", "batch norm 2d input grad: dy"));
  UT_TRY(check_pair(p, x, dx, "batch norm 2d input grad: x", "batch norm 2d input grad: dx"));
  UT_CHECK(!overlaps_partially(dx, dy) && !overlaps_partially(dx, x), StatusCode::invalid_argument,
           "batch norm 2d input grad: dx overlaps dy or x without being it (only exact in-place is allowed)");
  UT_CHECK(!p.affine || gamma != nullptr, StatusCode::invalid_argument,
           "batch norm 2d input grad: the layer is affine but gamma is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "batch norm 2d input grad: saved is null");
  UT_CHECK((sums.dy == nullptr) == (sums.dy_xhat == nullptr), StatusCode::invalid_argument,
           "batch norm 2d input grad: give both gradient sums (dy and dy·x̂) or neither");

  const GroupLayout l = channel_groups_of_batch(x.shape, p.layout);
  const float n = values_per_channel(x.shape);
  const bool training = mode == NormMode::training;
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    const int64_t at = first * l.group_stride;
    const float* mean = saved + first;
    const float* inv_std = saved + p.channels + first;
    float gain[kGroupBlock], mean_dy[kGroupBlock], mean_dy_xhat[kGroupBlock];
    for (int32_t g = 0; g < groups; ++g) gain[g] = p.affine ? inv_std[g] * gamma[first + g] : inv_std[g];
    NormInputGradCoefficients k{mean, inv_std, gain, nullptr, nullptr};
    if (training) {
      if (sums.dy != nullptr) {
        for (int32_t g = 0; g < groups; ++g) mean_dy[g] = sums.dy[first + g], mean_dy_xhat[g] = sums.dy_xhat[first + g];
      } else {
        group_gradient_sums(x.f32() + at, dy.f32() + at, l, groups, mean, inv_std, nullptr, mean_dy, mean_dy_xhat);
      }
      for (int32_t g = 0; g < groups; ++g) mean_dy[g] /= n, mean_dy_xhat[g] /= n;
      k.mean_u = mean_dy, k.mean_u_xhat = mean_dy_xhat;
    }
    group_input_grad(x.f32() + at, dy.f32() + at, dx.f32() + at, l, groups, k, nullptr, accumulate);
  });
  return ok_status();
}

}  // namespace utrain
