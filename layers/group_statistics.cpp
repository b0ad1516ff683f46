#include "layers/group_statistics.h"

#include "core/arith.h"
#include "kernels/generic/multiply_add.h"

namespace utrain {

GroupLayout channel_groups_of_batch(const Shape& shape, Layout layout) {
  GroupLayout l = channel_groups_of_sample(shape, layout);
  l.runs = shape.n;
  l.run_stride = shape.per_sample();
  return l;
}

GroupLayout channel_groups_of_sample(const Shape& shape, Layout layout) {
  GroupLayout l;
  l.run_length = shape.h * shape.w;
  if (layout == Layout::chw) {
    l.step = 1;
    l.group_stride = l.run_length;
  } else {
    l.step = shape.c;
    l.group_stride = 1;
  }
  return l;
}

GroupLayout sample_groups(int32_t features) {
  GroupLayout l;
  l.run_length = features;
  l.group_stride = features;
  return l;
}

namespace {

// Per-group values copied into a local array, so the compiler knows no store through an output
// pointer changes them and can keep them in registers inside the walk. Null reads as zeros.
struct Local {
  float v[kGroupBlock];

  Local(const float* values, int32_t count) {
    for (int32_t g = 0; g < count; ++g) v[g] = values != nullptr ? values[g] : 0.0f;
  }
  float operator[](int32_t g) const { return v[g]; }
};

// ReLU and LeakyReLU (what BatchNorm fuses in the models) are template arguments, so they cost a
// compare or an fmax a value; the rarer activations run as a pass of their own over y.
template <bool kPerValue, Activation kAct>
void normalize_pass(const float* x, float* y, const GroupLayout& l, int32_t count, const Local& mean,
                    const Local& scale, const Local& shift, const float* value_gamma, const float* value_beta,
                    float slope) {
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t i) {
    const float scaled = (x[at] - mean[g]) * scale[g];
    const float v = kPerValue ? scaled * value_gamma[i] + shift[g] + value_beta[i] : scaled + shift[g];
    y[at] = activate(kAct, v, slope);
  });
}

template <bool kPerValue>
void gradient_sums_pass(const float* x, const float* dy, const GroupLayout& l, int32_t count, const Local& mean,
                        const Local& inv_std, const float* value_gamma, float* sum_u, float* sum_u_xhat) {
  // Σ u·x̂ = inv_std · Σ u·(x − mean): the scaling once per group, not per value.
  float su[kGroupBlock] = {}, sux[kGroupBlock] = {};
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t i) {
    const float u = kPerValue ? dy[at] * value_gamma[i] : dy[at];
    su[g] += u;
    sux[g] = multiply_add(u, x[at] - mean[g], sux[g]);
  });
  for (int32_t g = 0; g < count; ++g) sum_u[g] = su[g], sum_u_xhat[g] = sux[g] * inv_std[g];
}

// dx (+)= gain·(u − mean_u − x̂·mean_u_xhat) is, per group, gain·u + offset + slope·(x − mean) with
// offset = −gain·mean_u and slope = −gain·inv_std·mean_u_xhat: per value a subtraction and two
// multiply-adds (the formula as written took five operations).
template <bool kBatchStatistics, bool kPerValue>
void input_grad_pass(const float* x, const float* dy, float* dx, const GroupLayout& l, int32_t count,
                     const NormInputGradCoefficients& k, const float* value_gamma, bool accumulate) {
  float gain[kGroupBlock], mean[kGroupBlock], offset[kGroupBlock], slope[kGroupBlock];
  for (int32_t g = 0; g < count; ++g) {
    gain[g] = k.gain[g];
    if constexpr (kBatchStatistics) {
      mean[g] = k.mean[g];
      offset[g] = -gain[g] * k.mean_u[g];
      slope[g] = -gain[g] * k.inv_std[g] * k.mean_u_xhat[g];
    }
  }
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t i) {
    const float u = kPerValue ? dy[at] * value_gamma[i] : dy[at];
    float grad = gain[g] * u;
    if constexpr (kBatchStatistics) grad = multiply_add(slope[g], x[at] - mean[g], multiply_add(gain[g], u, offset[g]));
    dx[at] = accumulate ? dx[at] + grad : grad;
  });
}

}  // namespace

void group_sums(const float* x, const GroupLayout& l, int32_t count, float* sum) {
  float s[kGroupBlock] = {};
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t) { s[g] += x[at]; });
  for (int32_t g = 0; g < count; ++g) sum[g] = s[g];
}

void group_moments(const float* x, const GroupLayout& l, int32_t count, float* mean, float* variance) {
  const float n = static_cast<float>(l.values());
  float m[kGroupBlock];
  group_sums(x, l, count, m);
  for (int32_t g = 0; g < count; ++g) m[g] /= n;
  // Σ(x − m) is zero but for the rounding of m (and of the sum that gave it), and the deviations
  // are small enough to be summed almost exactly: adding their mean corrects m, and subtracting
  // their square over n removes that rounding's effect on the variance (the "corrected two-pass"
  // algorithm).
  float deviation[kGroupBlock] = {}, square[kGroupBlock] = {};
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t) {
    const float d = x[at] - m[g];
    deviation[g] += d;
    square[g] += d * d;
  });
  for (int32_t g = 0; g < count; ++g) {
    mean[g] = m[g] + deviation[g] / n;
    variance[g] = max_of(0.0f, (square[g] - deviation[g] * deviation[g] / n) / n);
  }
}

void group_normalize(const float* x, float* y, const GroupLayout& l, int32_t count, const float* mean,
                     const float* scale, const float* shift, const float* value_gamma, const float* value_beta,
                     Activation act, float act_slope) {
  const Local m(mean, count), s(scale, count), t(shift, count);
  if (value_gamma == nullptr && act == Activation::relu)
    return normalize_pass<false, Activation::relu>(x, y, l, count, m, s, t, nullptr, nullptr, act_slope);
  if (value_gamma == nullptr && act == Activation::leaky_relu)
    return normalize_pass<false, Activation::leaky_relu>(x, y, l, count, m, s, t, nullptr, nullptr, act_slope);
  if (value_gamma != nullptr)
    normalize_pass<true, Activation::none>(x, y, l, count, m, s, t, value_gamma, value_beta, act_slope);
  else
    normalize_pass<false, Activation::none>(x, y, l, count, m, s, t, nullptr, nullptr, act_slope);
  if (act != Activation::none)
    for_each_group_value(l, count, [&](int32_t, intptr_t at, intptr_t) { y[at] = activate(act, y[at], act_slope); });
}

void group_gradient_sums(const float* x, const float* dy, const GroupLayout& l, int32_t count, const float* mean,
                         const float* inv_std, const float* value_gamma, float* sum_u, float* sum_u_xhat) {
  const Local m(mean, count), r(inv_std, count);
  if (value_gamma != nullptr)
    gradient_sums_pass<true>(x, dy, l, count, m, r, value_gamma, sum_u, sum_u_xhat);
  else
    gradient_sums_pass<false>(x, dy, l, count, m, r, nullptr, sum_u, sum_u_xhat);
}

void group_input_grad(const float* x, const float* dy, float* dx, const GroupLayout& l, int32_t count,
                      const NormInputGradCoefficients& k, const float* value_gamma, bool accumulate) {
  const bool batch_statistics = k.mean_u != nullptr;
  if (batch_statistics && value_gamma != nullptr)
    input_grad_pass<true, true>(x, dy, dx, l, count, k, value_gamma, accumulate);
  else if (batch_statistics)
    input_grad_pass<true, false>(x, dy, dx, l, count, k, nullptr, accumulate);
  else if (value_gamma != nullptr)
    input_grad_pass<false, true>(x, dy, dx, l, count, k, value_gamma, accumulate);
  else
    input_grad_pass<false, false>(x, dy, dx, l, count, k, nullptr, accumulate);
}

void group_broadcast(float* out, const GroupLayout& l, int32_t count, const float* value, bool accumulate) {
  const Local v(value, count);
  for_each_group_value(l, count, [&](int32_t g, intptr_t at, intptr_t) {
    out[at] = (accumulate ? out[at] : 0.0f) + v[g];
  });
}

}  // namespace utrain
