#include "layers/instance_norm2d.h"

#include <math.h>

#include "layers/elementwise_checks.h"
#include "layers/group_statistics.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// x, and a second tensor of x's shape (y, dy or dx), both valid for the layer.
Status check_pair(const InstanceNorm2dParams& p, const TensorView& x, const TensorView& other, const char* x_subject,
                  const char* other_subject) {
  UT_TRY(check_channel_tensor(x, p.channels, p.layout, x_subject));
  // As PyTorch: a single value per plane has no variance to normalize by.
  if (int64_t{x.shape.h} * x.shape.w < 2)
    return Status::error(StatusCode::shape_mismatch, "needs more than one value per plane (H·W)",
                         int64_t{x.shape.h} * x.shape.w, 2)
        .about(x_subject);
  UT_TRY(check_dense_f32(other, other_subject));
  return check_same_shape(other, x, other_subject);
}

// Where the statistics of sample s's channels [first, first + groups) lie in `saved` (float or
// const float): the n·C means, then the n·C inverse standard deviations, sample-major.
template <class T>
struct PlaneStatistics {
  T* mean;
  T* inv_std;
};
template <class T>
PlaneStatistics<T> statistics_of(T* saved, const Shape& s, int32_t sample, int32_t first) {
  const int64_t planes = int64_t{s.n} * s.c, at = int64_t{sample} * s.c + first;
  return PlaneStatistics<T>{saved + at, saved + planes + at};
}

}  // namespace

Status check_instance_norm2d_params(const InstanceNorm2dParams& p) {
  if (p.channels <= 0)
    return Status::error(StatusCode::invalid_argument, "channels must be positive", p.channels, 1)
        .about("instance norm 2d");
  UT_TRY(check_norm_eps(p.eps, "instance norm 2d"));
  return check_layout_value(p.layout, "instance norm 2d");
}

Status instance_norm2d_forward(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                               const float* gamma, const float* beta, float* saved, const TensorView& y) {
  constexpr const char* kStep = "instance norm 2d forward";
  UT_TRY(check_instance_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_pair(p, x, y, "instance norm 2d forward: x", "instance norm 2d forward: y"));
  UT_CHECK(!overlaps_partially(y, x), StatusCode::invalid_argument,
           "instance norm 2d forward: y overlaps x without being x (only exact in-place is allowed)");
  UT_CHECK(!p.affine || (gamma != nullptr && beta != nullptr), StatusCode::invalid_argument,
           "instance norm 2d forward: the layer is affine but gamma or beta is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "instance norm 2d forward: saved is null");

  const GroupLayout l = channel_groups_of_sample(x.shape, p.layout);
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    for (int32_t s = 0; s < x.shape.n; ++s) {
      const int64_t at = s * x.shape.per_sample() + first * l.group_stride;
      const auto stats = statistics_of(saved, x.shape, s, first);
      float variance[kGroupBlock], scale[kGroupBlock], shift[kGroupBlock];
      group_moments(x.f32() + at, l, groups, stats.mean, variance);
      for (int32_t g = 0; g < groups; ++g) {
        stats.inv_std[g] = 1.0f / sqrtf(variance[g] + p.eps);
        scale[g] = p.affine ? stats.inv_std[g] * gamma[first + g] : stats.inv_std[g];
        shift[g] = p.affine ? beta[first + g] : 0.0f;
      }
      group_normalize(x.f32() + at, y.f32() + at, l, groups, stats.mean, scale, shift, nullptr, nullptr);
    }
  });
  return ok_status();
}

Status instance_norm2d_weight_grad(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                                   const TensorView& dy, const float* saved, float* gamma_grad,
                                   float* beta_grad, bool accumulate) {
  constexpr const char* kStep = "instance norm 2d weight grad";
  UT_TRY(check_instance_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_pair(p, x, dy, "instance norm 2d weight grad: x", "instance norm 2d weight grad: dy"));
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "instance norm 2d weight grad: saved is null");
  UT_CHECK(p.affine || (gamma_grad == nullptr && beta_grad == nullptr), StatusCode::invalid_argument,
           "instance norm 2d weight grad: the layer is not affine, it has no gamma or beta to train");
  if (gamma_grad == nullptr && beta_grad == nullptr) return ok_status();  // frozen

  const GroupLayout l = channel_groups_of_sample(x.shape, p.layout);
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    float sum_dy[kGroupBlock] = {}, sum_dy_xhat[kGroupBlock] = {};
    for (int32_t s = 0; s < x.shape.n; ++s) {
      const int64_t at = s * x.shape.per_sample() + first * l.group_stride;
      const auto stats = statistics_of(saved, x.shape, s, first);
      float plane_dy[kGroupBlock], plane_dy_xhat[kGroupBlock];
      group_gradient_sums(x.f32() + at, dy.f32() + at, l, groups, stats.mean, stats.inv_std, nullptr, plane_dy,
                          plane_dy_xhat);
      for (int32_t g = 0; g < groups; ++g) sum_dy[g] += plane_dy[g], sum_dy_xhat[g] += plane_dy_xhat[g];
    }
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t c = first + g;
      if (gamma_grad != nullptr) gamma_grad[c] = (accumulate ? gamma_grad[c] : 0.0f) + sum_dy_xhat[g];
      if (beta_grad != nullptr) beta_grad[c] = (accumulate ? beta_grad[c] : 0.0f) + sum_dy[g];
    }
  });
  return ok_status();
}

Status instance_norm2d_input_grad(const ExecContext& ctx, const InstanceNorm2dParams& p, const TensorView& x,
                                  const TensorView& dy, const float* gamma, const float* saved,
                                  const TensorView& dx, bool accumulate) {
  constexpr const char* kStep = "instance norm 2d input grad";
  UT_TRY(check_instance_norm2d_params(p));
  UT_TRY(check_context(ctx, kStep));
  UT_TRY(check_pair(p, x, dy, "instance norm 2d input grad: x", "instance norm 2d input grad: dy"));
  UT_TRY(check_pair(p, x, dx, "instance norm 2d input grad: x", "instance norm 2d input grad: dx"));
  UT_CHECK(!overlaps_partially(dx, dy) && !overlaps_partially(dx, x), StatusCode::invalid_argument,
           "instance norm 2d input grad: dx overlaps dy or x without being it (only exact in-place is allowed)");
  UT_CHECK(!p.affine || gamma != nullptr, StatusCode::invalid_argument,
           "instance norm 2d input grad: the layer is affine but gamma is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "instance norm 2d input grad: saved is null");

  const GroupLayout l = channel_groups_of_sample(x.shape, p.layout);
  const float n = static_cast<float>(l.values());
  run_group_blocks(*ctx.team, p.channels, [&](int32_t first, int32_t groups) {
    for (int32_t s = 0; s < x.shape.n; ++s) {
      const int64_t at = s * x.shape.per_sample() + first * l.group_stride;
      const auto stats = statistics_of(saved, x.shape, s, first);
      float gain[kGroupBlock], mean_dy[kGroupBlock], mean_dy_xhat[kGroupBlock];
      group_gradient_sums(x.f32() + at, dy.f32() + at, l, groups, stats.mean, stats.inv_std, nullptr, mean_dy,
                          mean_dy_xhat);
      for (int32_t g = 0; g < groups; ++g) {
        gain[g] = p.affine ? stats.inv_std[g] * gamma[first + g] : stats.inv_std[g];
        mean_dy[g] /= n, mean_dy_xhat[g] /= n;
      }
      const NormInputGradCoefficients k{stats.mean, stats.inv_std, gain, mean_dy, mean_dy_xhat};
      group_input_grad(x.f32() + at, dy.f32() + at, dx.f32() + at, l, groups, k, nullptr, accumulate);
    }
  });
  return ok_status();
}

}  // namespace utrain
