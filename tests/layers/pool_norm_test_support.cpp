#include "pool_norm_test_support.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/rng.h"
#include "support/test_teams.h"

namespace utrain::testing {

std::vector<float> uniform_values(uint64_t seed, size_t count, float bound) {
  Rng rng(seed);
  std::vector<float> values(count);
  for (float& v : values) v = rng.uniform_symmetric(bound);
  return values;
}

ExecContext context_of(int members) { return ExecContext{&team_of(members), IsaSet::generic_only()}; }

std::string layout_tag(Layout layout) { return layout == Layout::chw ? "chw" : "hwc"; }

std::string shape_tag(const Shape& s) {
  std::ostringstream tag;
  tag << "b" << s.n << "_c" << s.c << "_h" << s.h << "_w" << s.w;
  return tag.str();
}

ReferenceMoments reference_moments(const std::vector<float>& nchw, const Shape& s, int groups,
                                   const std::function<int(int32_t n, int32_t c, int32_t h, int32_t w)>& group_of) {
  ReferenceMoments m{std::vector<double>(static_cast<size_t>(groups)), std::vector<double>(static_cast<size_t>(groups))};
  std::vector<double> count(static_cast<size_t>(groups));
  const auto each = [&](const std::function<void(size_t group, double value)>& f) {
    size_t i = 0;
    for (int32_t n = 0; n < s.n; ++n)
      for (int32_t c = 0; c < s.c; ++c)
        for (int32_t h = 0; h < s.h; ++h)
          for (int32_t w = 0; w < s.w; ++w) f(static_cast<size_t>(group_of(n, c, h, w)), nchw[i++]);
  };
  each([&](size_t g, double v) { m.mean[g] += v, count[g] += 1; });
  for (size_t g = 0; g < m.mean.size(); ++g) m.mean[g] /= count[g];
  each([&](size_t g, double v) { m.variance[g] += (v - m.mean[g]) * (v - m.mean[g]); });
  for (size_t g = 0; g < m.variance.size(); ++g) m.variance[g] /= count[g];
  return m;
}

::testing::AssertionResult close_to_reference(const std::string& what, const std::vector<float>& got,
                                              const std::vector<double>& want, double tolerance) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << what << ": " << got.size() << " values against " << want.size();
  size_t failures = 0, worst = 0;
  double worst_error = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i]));
    if (!(error <= tolerance)) {
      ++failures;
      if (failures == 1 || !(error <= worst_error)) worst = i, worst_error = error;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << failures << " of " << got.size()
                                       << " values differ from the reference; worst [" << worst << "]: got "
                                       << got[worst] << ", want " << want[worst] << " (tolerance " << tolerance
                                       << " · max(1, |want|))";
}

void expect_gradients_agree(const LayerGradientCheck& check, GradientTolerance tolerance,
                            FiniteDifferenceOptions options) {
  std::vector<float> y(check.dy->size());
  const auto loss = [&] {
    EXPECT_TRUE(check.forward(y).ok());
    return probe_loss(y, *check.dy);
  };
  const bool has_gamma = check.gamma != nullptr && !check.gamma->empty();
  const bool has_beta = check.beta != nullptr && !check.beta->empty();
  const NumericalGradient numerical_x = numerical_gradient(loss, *check.x, options);
  NumericalGradient numerical_gamma, numerical_beta;
  if (has_gamma) numerical_gamma = numerical_gradient(loss, *check.gamma, options);
  if (has_beta) numerical_beta = numerical_gradient(loss, *check.beta, options);

  ASSERT_TRUE(check.forward(y).ok());
  if (has_gamma || has_beta) {
    std::vector<float> gamma_grad(has_gamma ? check.gamma->size() : 0, NAN),
        beta_grad(has_beta ? check.beta->size() : 0, NAN);
    ASSERT_TRUE(check.weight_grad(gamma_grad, beta_grad).ok());
    if (has_gamma) {
      EXPECT_TRUE(gradients_agree("gamma grad", gamma_grad, numerical_gamma, tolerance));
    }
    if (has_beta) {
      EXPECT_TRUE(gradients_agree("beta grad", beta_grad, numerical_beta, tolerance));
    }
  }
  std::vector<float> dx(check.x->size(), NAN);
  ASSERT_TRUE(check.input_grad(dx).ok());
  EXPECT_TRUE(gradients_agree("input grad", dx, numerical_x, tolerance));
}

}  // namespace utrain::testing
