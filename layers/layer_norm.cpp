#include "layers/layer_norm.h"

#include <math.h>

#include "core/partition.h"
#include "layers/elementwise_checks.h"
#include "layers/group_statistics.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// x, whose samples hold the layer's features, and a second tensor of its shape (y, dy or dx).
Status check_pair(const LayerNormParams& p, const TensorView& x, const TensorView& other, const char* x_subject,
                  const char* other_subject) {
  UT_TRY(check_dense_f32(x, x_subject));
  if (x.shape.per_sample() != p.features)
    return Status::error(StatusCode::shape_mismatch, "values per sample differ from the layer's features",
                         x.shape.per_sample(), p.features)
        .about(x_subject);
  UT_TRY(check_dense_f32(other, other_subject));
  return check_same_shape(other, x, other_subject);
}

// Features per member in the weight gradient: whole cache lines, so members never write to the
// same line of gamma_grad or beta_grad.
constexpr int32_t kFeatureAlign = 16;

}  // namespace

Status check_layer_norm_params(const LayerNormParams& p) {
  if (p.features <= 0)
    return Status::error(StatusCode::invalid_argument, "features must be positive", p.features, 1)
        .about("layer norm");
  return check_norm_eps(p.eps, "layer norm");
}

Status layer_norm_forward(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                          const float* gamma, const float* beta, float* saved, const TensorView& y) {
  UT_TRY(check_layer_norm_params(p));
  UT_TRY(check_context(ctx, "layer norm forward"));
  UT_TRY(check_pair(p, x, y, "layer norm forward: x", "layer norm forward: y"));
  UT_CHECK(!overlaps_partially(y, x), StatusCode::invalid_argument,
           "layer norm forward: y overlaps x without being x (only exact in-place is allowed)");
  UT_CHECK(!p.affine || (gamma != nullptr && beta != nullptr), StatusCode::invalid_argument,
           "layer norm forward: the layer is affine but gamma or beta is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "layer norm forward: saved is null");

  const GroupLayout l = sample_groups(p.features);
  const int32_t batch = x.shape.n;
  // The work is split by sample: one sample's statistics are one reduction, which members could
  // only share through memory this step does not have.
  run_group_blocks(*ctx.team, batch, [&](int32_t first, int32_t samples) {
    const int64_t at = first * l.group_stride;
    float* mean = saved + first;
    float* inv_std = saved + batch + first;
    float variance[kGroupBlock];
    group_moments(x.f32() + at, l, samples, mean, variance);
    for (int32_t g = 0; g < samples; ++g) inv_std[g] = 1.0f / sqrtf(variance[g] + p.eps);
    group_normalize(x.f32() + at, y.f32() + at, l, samples, mean, inv_std, nullptr, p.affine ? gamma : nullptr,
                    p.affine ? beta : nullptr);
  });
  return ok_status();
}

Status layer_norm_weight_grad(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                              const TensorView& dy, const float* saved, float* gamma_grad, float* beta_grad,
                              bool accumulate) {
  UT_TRY(check_layer_norm_params(p));
  UT_TRY(check_context(ctx, "layer norm weight grad"));
  UT_TRY(check_pair(p, x, dy, "layer norm weight grad: x", "layer norm weight grad: dy"));
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "layer norm weight grad: saved is null");
  UT_CHECK(p.affine || (gamma_grad == nullptr && beta_grad == nullptr), StatusCode::invalid_argument,
           "layer norm weight grad: the layer is not affine, it has no gamma or beta to train");
  if (gamma_grad == nullptr && beta_grad == nullptr) return ok_status();  // frozen

  // Each gamma and beta collects one value per sample: the features are split over the team, and
  // every member adds the samples one after the other into its own features.
  const int32_t batch = x.shape.n, features = p.features;
  team_run(*ctx.team, [&](int member, int size) {
    const Range share = partition(features, member, size, kFeatureAlign);
    if (share.empty()) return;
    if (!accumulate) {
      for (int32_t i = share.begin; i < share.end; ++i) {
        if (gamma_grad != nullptr) gamma_grad[i] = 0.0f;
        if (beta_grad != nullptr) beta_grad[i] = 0.0f;
      }
    }
    for (int32_t s = 0; s < batch; ++s) {
      const float* xs = x.f32() + int64_t{s} * features;
      const float* dys = dy.f32() + int64_t{s} * features;
      const float mean = saved[s], inv_std = saved[batch + s];
      if (gamma_grad != nullptr)
        for (int32_t i = share.begin; i < share.end; ++i) gamma_grad[i] += dys[i] * ((xs[i] - mean) * inv_std);
      if (beta_grad != nullptr)
        for (int32_t i = share.begin; i < share.end; ++i) beta_grad[i] += dys[i];
    }
  });
  return ok_status();
}

Status layer_norm_input_grad(const ExecContext& ctx, const LayerNormParams& p, const TensorView& x,
                             const TensorView& dy, const float* gamma, const float* saved, const TensorView& dx,
                             bool accumulate) {
  UT_TRY(check_layer_norm_params(p));
  UT_TRY(check_context(ctx, "layer norm input grad"));
  UT_TRY(check_pair(p, x, dy, "layer norm input grad: x", "layer norm input grad: dy"));
  UT_TRY(check_pair(p, x, dx, "layer norm input grad: x", "layer norm input grad: dx"));
  UT_CHECK(!overlaps_partially(dx, dy) && !overlaps_partially(dx, x), StatusCode::invalid_argument,
           "layer norm input grad: dx overlaps dy or x without being it (only exact in-place is allowed)");
  UT_CHECK(!p.affine || gamma != nullptr, StatusCode::invalid_argument,
           "layer norm input grad: the layer is affine but gamma is null");
  UT_CHECK(saved != nullptr, StatusCode::invalid_argument, "layer norm input grad: saved is null");

  const GroupLayout l = sample_groups(p.features);
  const int32_t batch = x.shape.n;
  const float n = static_cast<float>(p.features);
  const float* value_gamma = p.affine ? gamma : nullptr;
  run_group_blocks(*ctx.team, batch, [&](int32_t first, int32_t samples) {
    const int64_t at = first * l.group_stride;
    const float* mean = saved + first;
    const float* inv_std = saved + batch + first;
    float mean_u[kGroupBlock], mean_u_xhat[kGroupBlock];
    group_gradient_sums(x.f32() + at, dy.f32() + at, l, samples, mean, inv_std, value_gamma, mean_u, mean_u_xhat);
    for (int32_t g = 0; g < samples; ++g) mean_u[g] /= n, mean_u_xhat[g] /= n;
    const NormInputGradCoefficients k{mean, inv_std, inv_std, mean_u, mean_u_xhat};
    group_input_grad(x.f32() + at, dy.f32() + at, dx.f32() + at, l, samples, k, value_gamma, accumulate);
  });
  return ok_status();
}

}  // namespace utrain
