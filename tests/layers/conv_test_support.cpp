#include "conv_test_support.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "support/finite_difference.h"

namespace utrain::testing {

std::vector<float> random_values(size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> values(count);
  for (float& v : values) v = rng.uniform_symmetric(1.0f);
  return values;
}

ConvReference reference_conv(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& weight,
                             const std::vector<float>& bias, const std::vector<float>& dz) {
  const Window2d& w = s.window;
  const bool chw = s.layout == Layout::chw;
  const auto act = [&](int32_t n, int32_t c, int32_t h, int32_t wi, int32_t channels, int32_t height, int32_t width) {
    return static_cast<size_t>(chw ? ((int64_t{n} * channels + c) * height + h) * width + wi
                                   : ((int64_t{n} * height + h) * width + wi) * channels + c);
  };
  const auto wt = [&](int32_t o, int32_t c, int32_t i, int32_t j) {
    return static_cast<size_t>(chw ? ((int64_t{o} * s.in_channels + c) * w.kernel_h + i) * w.kernel_w + j
                                   : ((int64_t{o} * w.kernel_h + i) * w.kernel_w + j) * s.in_channels + c);
  };
  ConvReference r;
  r.y.assign(static_cast<size_t>(s.output().elements()), 0.0);
  r.weight_grad.assign(weight.size(), 0.0);
  r.bias_grad.assign(static_cast<size_t>(s.out_channels), 0.0);
  r.input_grad.assign(x.size(), 0.0);
  for (int32_t n = 0; n < s.batch; ++n)
    for (int32_t o = 0; o < s.out_channels; ++o)
      for (int32_t oh = 0; oh < s.out_h; ++oh)
        for (int32_t ow = 0; ow < s.out_w; ++ow) {
          const size_t yi = act(n, o, oh, ow, s.out_channels, s.out_h, s.out_w);
          if (!bias.empty()) r.y[yi] += bias[static_cast<size_t>(o)];
          r.bias_grad[static_cast<size_t>(o)] += dz[yi];
          for (int32_t c = 0; c < s.in_channels; ++c)
            for (int32_t i = 0; i < w.kernel_h; ++i)
              for (int32_t j = 0; j < w.kernel_w; ++j) {
                const int32_t ih = oh * w.stride_h - w.pad.top + i * w.dilation_h;
                const int32_t iw = ow * w.stride_w - w.pad.left + j * w.dilation_w;
                if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
                const size_t xi = act(n, c, ih, iw, s.in_channels, s.in_h, s.in_w);
                r.y[yi] += static_cast<double>(weight[wt(o, c, i, j)]) * x[xi];
                r.weight_grad[wt(o, c, i, j)] += static_cast<double>(dz[yi]) * x[xi];
                r.input_grad[xi] += static_cast<double>(weight[wt(o, c, i, j)]) * dz[yi];
              }
        }
  return r;
}

::testing::AssertionResult values_near(const std::string& what, const std::vector<float>& got,
                                       const std::vector<double>& want, double tolerance) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << what << ": " << got.size() << " values against " << want.size();
  size_t worst = 0, failures = 0;
  double worst_error = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i]));
    if (!(error <= tolerance)) ++failures;  // NaN fails too
    if (!(error <= worst_error)) worst = i, worst_error = std::isnan(error) ? INFINITY : error;
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << failures << " of " << got.size()
                                       << " values differ; worst [" << worst << "]: got " << got[worst] << ", want "
                                       << want[worst] << " (tolerance " << tolerance << " · max(1, |want|))";
}

// The loss Σ dy ⊙ y is linear in every value of x, the weight and the bias (no activation), so
// the central difference has no truncation error at any step: a step of 1 · max(1, |value|)
// makes the float rounding noise of the forward pass as small as it gets. That noise is at most
// a few ulps of each output the value feeds: at most 3e-6 in a slope over all cases here.
void expect_gradients_match_finite_differences(const LayerSteps& steps, uint64_t seed) {
  std::vector<float> x = random_values(steps.x_count, seed), weight = random_values(steps.weight_count, seed + 1),
                     bias = random_values(steps.bias_count, seed + 2);
  const std::vector<float> dy = random_values(steps.y_count, seed + 3);
  std::vector<float> y(steps.y_count);
  const auto loss = [&] {
    const Status s = steps.forward(x.data(), weight.data(), bias.data(), y.data());
    EXPECT_TRUE(s.ok()) << s.what();
    return probe_loss(y, dy);
  };
  const FiniteDifferenceOptions options{1.0};
  const NumericalGradient numerical_weight = numerical_gradient(loss, weight, options);
  const NumericalGradient numerical_bias = numerical_gradient(loss, bias, options);
  const NumericalGradient numerical_x = numerical_gradient(loss, x, options);

  std::vector<float> weight_grad(weight.size(), NAN), bias_grad(bias.size(), NAN), dx(x.size(), NAN);
  Status s = steps.weight_grad(x.data(), dy.data(), weight_grad.data(), bias_grad.data());
  ASSERT_TRUE(s.ok()) << s.what();
  s = steps.input_grad(dy.data(), weight.data(), dx.data());
  ASSERT_TRUE(s.ok()) << s.what();
  const GradientTolerance tolerance{2e-5, 1e-5};
  EXPECT_TRUE(gradients_agree("weight grad", weight_grad, numerical_weight, tolerance));
  EXPECT_TRUE(gradients_agree("bias grad", bias_grad, numerical_bias, tolerance));
  EXPECT_TRUE(gradients_agree("input grad", dx, numerical_x, tolerance));
}

}  // namespace utrain::testing
