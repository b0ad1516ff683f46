// What the pooling, normalization and residual-add tests share: random data, the team contexts,
// moments by the definition in double, comparison with such a reference, and one finite-
// difference check for a layer's input gradient and, where it has them, its gamma and beta
// gradients.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"
#include "support/finite_difference.h"

namespace utrain::testing {

// `count` values uniform in [-bound, bound) from Rng(seed).
std::vector<float> uniform_values(uint64_t seed, size_t count, float bound = 1.0f);

// Generic kernels on the shared team of `members` (one of kTeamSizes).
ExecContext context_of(int members);

// "chw" or "hwc", and e.g. "b3_c2_h5_w1", for test names.
std::string layout_tag(Layout layout);
std::string shape_tag(const Shape& s);

// The mean and biased variance, in double, of each group of a tensor given in NCHW order, where
// group_of(n, c, h, w) says which group (0..groups-1) an element belongs to.
struct ReferenceMoments {
  std::vector<double> mean, variance;
};
ReferenceMoments reference_moments(const std::vector<float>& nchw, const Shape& s, int groups,
                                   const std::function<int(int32_t n, int32_t c, int32_t h, int32_t w)>& group_of);

// |got − want| ≤ tolerance · max(1, |want|) for every value; a failure names `what`, the count and
// the worst index.
::testing::AssertionResult close_to_reference(const std::string& what, const std::vector<float>& got,
                                              const std::vector<double>& want, double tolerance);

// A layer's steps over the buffers a test owns. forward writes y (sized like dy) from the current
// x, gamma and beta; weight_grad (absent for layers without parameters) and input_grad overwrite
// their outputs, using what the last forward call saved.
struct LayerGradientCheck {
  std::vector<float>* x = nullptr;
  std::vector<float>* gamma = nullptr;  // null or empty: no gamma to check
  std::vector<float>* beta = nullptr;   // null or empty: no beta to check
  const std::vector<float>* dy = nullptr;
  std::function<Status(std::vector<float>& y)> forward;
  std::function<Status(std::vector<float>& gamma_grad, std::vector<float>& beta_grad)> weight_grad;
  std::function<Status(std::vector<float>& dx)> input_grad;
};

// Differentiates Σ dy ⊙ forward() numerically with respect to every value of x, gamma and beta,
// and expects the analytic gradients to agree within `tolerance`.
void expect_gradients_agree(const LayerGradientCheck& check, GradientTolerance tolerance,
                            FiniteDifferenceOptions options = {});

}  // namespace utrain::testing
