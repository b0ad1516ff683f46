#include "support/finite_difference.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace utrain::testing {

NumericalGradient numerical_gradient(const std::function<double()>& loss, std::span<float> values,
                                     FiniteDifferenceOptions options) {
  NumericalGradient result;
  result.slope.resize(values.size());
  result.one_sided_gap.resize(values.size());
  const double centre_loss = loss();
  for (size_t i = 0; i < values.size(); ++i) {
    const float original = values[i];
    const double h = options.relative_step * std::max(1.0, std::fabs(static_cast<double>(original)));
    const float plus = static_cast<float>(original + h);
    const float minus = static_cast<float>(original - h);
    values[i] = plus;
    const double loss_plus = loss();
    values[i] = minus;
    const double loss_minus = loss();
    values[i] = original;
    const double up = static_cast<double>(plus) - original;
    const double down = original - static_cast<double>(minus);
    result.slope[i] = (loss_plus - loss_minus) / (up + down);
    result.one_sided_gap[i] = std::fabs((loss_plus - centre_loss) / up - (centre_loss - loss_minus) / down);
  }
  return result;
}

::testing::AssertionResult gradients_agree(const char* what, std::span<const float> analytic,
                                           const NumericalGradient& numerical, GradientTolerance tolerance) {
  if (analytic.size() != numerical.slope.size())
    return ::testing::AssertionFailure() << what << ": " << analytic.size() << " analytic values against "
                                         << numerical.slope.size() << " numerical ones";
  size_t worst = 0;
  double worst_excess = 0.0;  // error beyond the tolerance
  size_t failures = 0;
  for (size_t i = 0; i < analytic.size(); ++i) {
    const double error = std::fabs(static_cast<double>(analytic[i]) - numerical.slope[i]);
    const double allowed = tolerance.abs + tolerance.rel * std::fabs(numerical.slope[i]);
    // Written so that a NaN on either side fails.
    if (!(error <= allowed)) {
      ++failures;
      const double excess = std::isnan(error) ? INFINITY : error - allowed;
      if (failures == 1 || excess > worst_excess) worst = i, worst_excess = excess;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": " << failures << " of " << analytic.size() << " values disagree; worst [" << worst
         << "]: analytic " << analytic[worst] << ", numerical " << numerical.slope[worst] << " (tolerance "
         << tolerance.abs << " + " << tolerance.rel << "·|numerical|); one-sided slopes differ by "
         << numerical.one_sided_gap[worst] << " (a gap of order one means a kink within the step)";
}

double probe_loss(std::span<const float> values, std::span<const float> weights) {
  // A size slip in a test must not pass quietly: NaN fails every comparison downstream.
  if (values.size() != weights.size()) return NAN;
  double sum = 0.0;
  for (size_t i = 0; i < values.size(); ++i)
    sum += static_cast<double>(weights[i]) * values[i];
  return sum;
}

}  // namespace utrain::testing
