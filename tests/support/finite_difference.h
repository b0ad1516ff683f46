// Central finite differences: the check of every backward step that does not depend on PyTorch
// (as ggml's test-backend-ops does). Any layer test can use it: the test gives a function that
// evaluates a scalar loss, in double, from the current contents of its float arrays (weights,
// bias, input), and the array to perturb; it gets back one numerical slope per value.
//
// Step size. The layers compute in float, so every loss evaluation carries rounding noise of
// about 1e-7 relative; the central difference turns that into an error of noise / h, while its
// truncation error grows as h² · f''' / 6. h = 1e-2 · max(1, |x|) keeps both near 1e-5 for
// values and curvatures of order one (h = 1e-3 would make the noise term ten times larger, and
// the layers under test are linear or gently curved in each value). The slope is divided by the
// step actually stored, float(x + h) - float(x - h), so rounding x ± h to float does not bias it.
//
// Kinks. A central difference across a kink (ReLU or LeakyReLU at 0, |d| at 0) averages the two
// one-sided slopes and matches neither side's analytic gradient. Tests keep their data at least a
// margin larger than h (times the largest coefficient the value is multiplied by) away from
// every kink. As a guard, each value's forward and backward one-sided slopes are kept too;
// their gap is O(h · f'') on smooth ground and O(1) across a kink, and a failed comparison prints
// it, so a test that strayed onto a kink says so instead of reporting a wrong gradient.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <span>
#include <vector>

namespace utrain::testing {

struct FiniteDifferenceOptions {
  double relative_step = 1e-2;  // h = relative_step · max(1, |x|)
};

struct NumericalGradient {
  std::vector<double> slope;          // central difference per value
  std::vector<double> one_sided_gap;  // |forward slope - backward slope| per value
};

// Perturbs each value of `values` in turn (restoring it exactly afterwards) and differentiates
// `loss`, which must read `values` through whatever buffers it captured.
NumericalGradient numerical_gradient(const std::function<double()>& loss, std::span<float> values,
                                     FiniteDifferenceOptions options = {});

// |analytic - numerical| <= abs + rel · |numerical| for each value.
struct GradientTolerance {
  double abs = 1e-3;
  double rel = 1e-3;
};

// Passes when every analytic value agrees with its numerical slope; otherwise names `what`, the
// worst index, both values and the one-sided gap.
::testing::AssertionResult gradients_agree(const char* what, std::span<const float> analytic,
                                           const NumericalGradient& numerical, GradientTolerance tolerance);

// Σ weights[i] · values[i] in double: a scalar loss whose gradient with respect to `values` is
// `weights` itself, so a test feeds `weights` to the backward step as the upstream gradient.
// NaN when the sizes differ.
double probe_loss(std::span<const float> values, std::span<const float> weights);

}  // namespace utrain::testing
