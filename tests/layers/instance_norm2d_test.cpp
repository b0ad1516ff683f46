// InstanceNorm2d: forward against the definition in double, every backward step against finite
// differences in both layouts, batch 1 and 3, odd sizes, planes of three values and more
// channels than one block of groups; the same bits on every team size; accumulation, frozen and bias-only
// gradients, a layer without affine parameters, a large mean; and the errors.
#include "layers/instance_norm2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "pool_norm_test_support.h"
#include "support/status_text.h"
#include "support/tensor_layout.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

struct InstanceNormCase {
  Shape shape;
  Layout layout;
  int team;
};

std::string case_name(const ::testing::TestParamInfo<InstanceNormCase>& info) {
  const InstanceNormCase& c = info.param;
  std::ostringstream name;
  name << testing::shape_tag(c.shape) << "_" << testing::layout_tag(c.layout) << "_team" << c.team;
  return name.str();
}

constexpr Shape kShapes[] = {{1, 3, 5, 3}, {3, 2, 3, 5}, {3, 5, 1, 3}, {1, 17, 3, 3}};

std::vector<InstanceNormCase> all_cases() {
  std::vector<InstanceNormCase> cases;
  for (Shape s : kShapes)
    for (Layout layout : {Layout::chw, Layout::hwc})
      cases.push_back({s, layout, 1});  // other teams: the bit-identical team test below
  return cases;
}

// Data drawn from a seed: x and dy in (-1, 1), gamma around 1, beta small.
struct InstanceNormData {
  InstanceNorm2dParams p;
  Shape shape;
  std::vector<float> x, gamma, beta, dy;

  InstanceNormData(const Shape& s, Layout layout, uint64_t seed) : shape(s) {
    p.channels = s.c, p.layout = layout;
    const auto count = static_cast<size_t>(s.elements()), channels = static_cast<size_t>(s.c);
    x = testing::uniform_values(seed, count);
    dy = testing::uniform_values(seed + 1, count);
    gamma = testing::uniform_values(seed + 2, channels, 0.5f);
    for (float& g : gamma) g += 1.0f;
    beta = testing::uniform_values(seed + 3, channels, 0.5f);
  }
  TensorView view(std::vector<float>& v) const { return TensorView::dense(v.data(), shape, p.layout); }
  size_t saved_floats() const { return static_cast<size_t>(instance_norm2d_saved_floats(p, shape.n)); }
};

class InstanceNormFiniteDifferences : public ::testing::TestWithParam<InstanceNormCase> {};

// Step 3e-3 · max(1, |x|), tolerance 5e-4 + 1e-3·|g|, for the reasons given in
// batch_norm2d_test.cpp: planes of 3 values are the most curved case, as channels of 3 values
// are there, and the loss's float noise stays below 1e-4 in a slope. (Planes of 2 values are
// too curved for any step: x̂ is ±1 but near the point where the two values meet.)
TEST_P(InstanceNormFiniteDifferences, gamma_beta_and_input_grads_agree) {
  const InstanceNormCase c = GetParam();
  InstanceNormData d(c.shape, c.layout, 200 + static_cast<uint64_t>(c.shape.elements()));
  const ExecContext ctx = testing::context_of(c.team);
  std::vector<float> saved(d.saved_floats());
  testing::LayerGradientCheck check;
  check.x = &d.x, check.gamma = &d.gamma, check.beta = &d.beta, check.dy = &d.dy;
  check.forward = [&](std::vector<float>& y) {
    return instance_norm2d_forward(ctx, d.p, d.view(d.x), d.gamma.data(), d.beta.data(), saved.data(), d.view(y));
  };
  check.weight_grad = [&](std::vector<float>& gamma_grad, std::vector<float>& beta_grad) {
    return instance_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), saved.data(), gamma_grad.data(),
                                       beta_grad.data(), false);
  };
  check.input_grad = [&](std::vector<float>& dx) {
    return instance_norm2d_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), d.gamma.data(), saved.data(), d.view(dx),
                                      false);
  };
  testing::expect_gradients_agree(check, {5e-4, 1e-3}, {3e-3});
}

INSTANTIATE_TEST_SUITE_P(Shapes, InstanceNormFiniteDifferences, ::testing::ValuesIn(all_cases()), case_name);

class InstanceNormLayouts : public ::testing::TestWithParam<Layout> {};

std::string layout_name(const ::testing::TestParamInfo<Layout>& info) { return testing::layout_tag(info.param); }

// y = (x − mean) / sqrt(var + eps) · gamma + beta per (sample, channel) plane, in double, with
// x offset by `offset`. `saved` is checked too (the means, then the inverse deviations).
void expect_forward_matches_definition(Layout layout, float offset, double tolerance) {
  const Shape s{3, 19, 3, 2};
  InstanceNormData d(s, layout, 7);
  for (float& v : d.x) v += offset;
  const std::vector<float> x_nchw = d.x;
  d.x = testing::to_layout(x_nchw, s, layout);
  std::vector<float> y(d.x.size()), saved(d.saved_floats());
  ASSERT_TRUE(instance_norm2d_forward(testing::context_of(3), d.p, d.view(d.x), d.gamma.data(), d.beta.data(),
                                      saved.data(), d.view(y))
                  .ok());
  const int planes = s.n * s.c;
  const testing::ReferenceMoments m = testing::reference_moments(
      x_nchw, s, planes, [&](int32_t n, int32_t c, int32_t, int32_t) { return n * s.c + c; });
  std::vector<double> want_saved = m.mean, want_y(x_nchw.size());
  for (int g = 0; g < planes; ++g) want_saved.push_back(1.0 / std::sqrt(m.variance[static_cast<size_t>(g)] + d.p.eps));
  const auto plane_size = static_cast<size_t>(s.h * s.w);
  for (size_t i = 0; i < x_nchw.size(); ++i) {
    const size_t g = i / plane_size, c = g % static_cast<size_t>(s.c);
    want_y[i] = (x_nchw[i] - m.mean[g]) * want_saved[planes + g] * d.gamma[c] + d.beta[c];
  }
  EXPECT_TRUE(testing::close_to_reference("y", testing::from_layout(y, s, layout), want_y, tolerance));
  EXPECT_TRUE(testing::close_to_reference("saved", saved, want_saved, tolerance));
}

// Float results within 1e-5·max(1, |want|) of the definition in double.
TEST_P(InstanceNormLayouts, forward_matches_the_definition) { expect_forward_matches_definition(GetParam(), 0.0f, 1e-5); }

// Values 1000 ± 1: within 2e-4, for the reasons given in batch_norm2d_test.cpp: the mean, a float
// near 1000, is off by up to 3e-5, divided here by standard deviations down to about 0.2 (planes
// of six values); the worst error seen is 1.3e-4. A one-pass variance would be lost entirely.
TEST_P(InstanceNormLayouts, statistics_stay_accurate_far_from_zero) {
  expect_forward_matches_definition(GetParam(), 1000.0f, 2e-4);
}

struct InstanceNormResults {
  std::vector<float> y, saved, gamma_grad, beta_grad, dx;
  bool operator==(const InstanceNormResults&) const = default;
};

InstanceNormResults run_all_steps(const ExecContext& ctx, InstanceNormData& d, const float* gamma, const float* beta) {
  const auto channels = static_cast<size_t>(d.p.channels);
  InstanceNormResults r{std::vector<float>(d.x.size()), std::vector<float>(d.saved_floats()),
                        std::vector<float>(channels), std::vector<float>(channels), std::vector<float>(d.x.size())};
  EXPECT_TRUE(instance_norm2d_forward(ctx, d.p, d.view(d.x), gamma, beta, r.saved.data(), d.view(r.y)).ok());
  if (d.p.affine) {
    EXPECT_TRUE(instance_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), r.saved.data(), r.gamma_grad.data(),
                                            r.beta_grad.data(), false)
                    .ok());
  }
  EXPECT_TRUE(
      instance_norm2d_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), gamma, r.saved.data(), d.view(r.dx), false).ok());
  return r;
}

// Channels are split over the team; each plane's sums run in the same order whoever computes them.
TEST_P(InstanceNormLayouts, every_team_size_gives_the_same_bits) {
  InstanceNormData d({3, 19, 3, 5}, GetParam(), 9);
  const InstanceNormResults one = run_all_steps(testing::context_of(1), d, d.gamma.data(), d.beta.data());
  for (int team : testing::kTeamSizes)
    EXPECT_TRUE(run_all_steps(testing::context_of(team), d, d.gamma.data(), d.beta.data()) == one) << "team " << team;
}

// Without affine parameters the layer is the affine one with gamma = 1, beta = 0, bit for bit.
TEST_P(InstanceNormLayouts, without_affine_equals_unit_gamma_and_zero_beta) {
  InstanceNormData d({3, 5, 2, 3}, GetParam(), 10);
  const std::vector<float> ones(5, 1.0f), zeros(5, 0.0f);
  InstanceNormResults affine = run_all_steps(testing::context_of(2), d, ones.data(), zeros.data());
  d.p.affine = false;
  const InstanceNormResults plain = run_all_steps(testing::context_of(2), d, nullptr, nullptr);
  affine.gamma_grad = plain.gamma_grad, affine.beta_grad = plain.beta_grad;  // not computed without affine
  EXPECT_TRUE(plain == affine);
}

// accumulate adds to what the outputs hold; a null gamma_grad or beta_grad leaves the other as it
// would be.
TEST_P(InstanceNormLayouts, accumulate_and_null_gradients) {
  InstanceNormData d({3, 4, 3, 3}, GetParam(), 11);
  const ExecContext ctx = testing::context_of(3);
  const InstanceNormResults fresh = run_all_steps(ctx, d, d.gamma.data(), d.beta.data());
  const std::vector<float> old_gamma = testing::uniform_values(12, 4), old_beta = testing::uniform_values(13, 4),
                           old_dx = testing::uniform_values(14, d.x.size());
  std::vector<float> gamma_grad = old_gamma, beta_grad = old_beta, dx = old_dx;
  ASSERT_TRUE(instance_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), gamma_grad.data(),
                                          beta_grad.data(), true)
                  .ok());
  ASSERT_TRUE(instance_norm2d_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), d.gamma.data(), fresh.saved.data(),
                                         d.view(dx), true)
                  .ok());
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(gamma_grad[c], old_gamma[c] + fresh.gamma_grad[c], 1e-6) << c;
    EXPECT_NEAR(beta_grad[c], old_beta[c] + fresh.beta_grad[c], 1e-6) << c;
  }
  for (size_t i = 0; i < dx.size(); ++i) EXPECT_NEAR(dx[i], old_dx[i] + fresh.dx[i], 1e-6) << i;

  std::vector<float> only_beta = old_beta, only_gamma = old_gamma;
  ASSERT_TRUE(instance_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), nullptr,
                                          only_beta.data(), false)
                  .ok());
  ASSERT_TRUE(instance_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), only_gamma.data(),
                                          nullptr, false)
                  .ok());
  EXPECT_EQ(only_beta, fresh.beta_grad);
  EXPECT_EQ(only_gamma, fresh.gamma_grad);
}

// y may be x and dx may be dy: each block of planes is read whole before it is written.
TEST_P(InstanceNormLayouts, in_place_equals_out_of_place) {
  InstanceNormData d({3, 19, 2, 3}, GetParam(), 15);
  const ExecContext ctx = testing::context_of(3);
  const InstanceNormResults apart = run_all_steps(ctx, d, d.gamma.data(), d.beta.data());
  std::vector<float> y = d.x, dx = d.dy, saved(apart.saved.size());
  ASSERT_TRUE(instance_norm2d_forward(ctx, d.p, d.view(y), d.gamma.data(), d.beta.data(), saved.data(), d.view(y)).ok());
  ASSERT_TRUE(
      instance_norm2d_input_grad(ctx, d.p, d.view(d.x), d.view(dx), d.gamma.data(), saved.data(), d.view(dx), false).ok());
  EXPECT_EQ(y, apart.y);
  EXPECT_EQ(dx, apart.dx);
}

INSTANTIATE_TEST_SUITE_P(Layouts, InstanceNormLayouts, ::testing::Values(Layout::chw, Layout::hwc), layout_name);

class InstanceNormErrors : public ::testing::Test {
 protected:
  InstanceNormErrors() { p.channels = 3; }
  InstanceNorm2dParams p;
  ExecContext ctx = testing::context_of(1);
  Shape s{2, 3, 2, 2};
  std::vector<float> x = std::vector<float>(24, 0.5f), y = std::vector<float>(24), dy = std::vector<float>(24),
                     gamma = std::vector<float>(3, 1.0f), beta = std::vector<float>(3), saved = std::vector<float>(12),
                     gg = std::vector<float>(3);
  TensorView view(std::vector<float>& v, Shape shape, Layout layout = Layout::chw) {
    return TensorView::dense(v.data(), shape, layout);
  }
};

TEST_F(InstanceNormErrors, params_channels_eps_and_layout) {
  InstanceNorm2dParams bad = p;
  bad.channels = -1;
  EXPECT_EQ(status_text(check_instance_norm2d_params(bad)),
            "invalid argument: instance norm 2d: channels must be positive (got -1, expected 1)");
  bad = p;
  bad.eps = 0.0f;
  EXPECT_EQ(status_text(check_instance_norm2d_params(bad)),
            "invalid argument: instance norm 2d: eps must be positive and finite");
  bad = p;
  bad.layout = static_cast<Layout>(2);
  EXPECT_EQ(status_text(check_instance_norm2d_params(bad)),
            "invalid argument: instance norm 2d: layout must be CHW or HWC");
}

TEST_F(InstanceNormErrors, steps_name_the_tensor_and_the_pointer) {
  EXPECT_EQ(status_text(instance_norm2d_forward(ctx, p, view(x, {2, 3, 1, 1}), gamma.data(), beta.data(), saved.data(),
                                                view(y, {2, 3, 1, 1}))),
            "shape mismatch: instance norm 2d forward: x: needs more than one value per plane (H·W) (got 1, expected 2)");
  EXPECT_EQ(status_text(instance_norm2d_forward(ctx, p, view(x, s), gamma.data(), beta.data(), saved.data(),
                                                view(y, s, Layout::hwc))),
            "shape mismatch: instance norm 2d forward: y: layout differs (CHW against HWC)");
  EXPECT_EQ(status_text(instance_norm2d_forward(ctx, p, view(x, {2, 4, 3, 1}), gamma.data(), beta.data(), saved.data(),
                                                view(y, s))),
            "shape mismatch: instance norm 2d forward: x: channel count differs from the layer's (got 4, expected 3)");
  EXPECT_EQ(status_text(instance_norm2d_forward(ctx, p, view(x, s), gamma.data(), nullptr, saved.data(), view(y, s))),
            "invalid argument: instance norm 2d forward: the layer is affine but gamma or beta is null");
  EXPECT_EQ(status_text(instance_norm2d_forward(ctx, p, view(x, s), gamma.data(), beta.data(), nullptr, view(y, s))),
            "invalid argument: instance norm 2d forward: saved is null");
  EXPECT_EQ(status_text(instance_norm2d_weight_grad(ctx, p, view(x, s), view(dy, {2, 3, 1, 4}), saved.data(),
                                                    gg.data(), nullptr, false)),
            "shape mismatch: instance norm 2d weight grad: dy: height differs (got 1, expected 2)");
  EXPECT_EQ(status_text(instance_norm2d_input_grad(ctx, p, view(x, s), view(dy, s), nullptr, saved.data(),
                                                   view(y, s), false)),
            "invalid argument: instance norm 2d input grad: the layer is affine but gamma is null");
  EXPECT_EQ(status_text(instance_norm2d_input_grad(ExecContext{}, p, view(x, s), view(dy, s), gamma.data(),
                                                   saved.data(), view(y, s), false)),
            "invalid argument: instance norm 2d input grad: the context has no team");
  p.affine = false;
  EXPECT_EQ(status_text(instance_norm2d_weight_grad(ctx, p, view(x, s), view(dy, s), saved.data(), nullptr, gg.data(),
                                                    false)),
            "invalid argument: instance norm 2d weight grad: the layer is not affine, it has no gamma or beta to train");
}

}  // namespace
}  // namespace utrain
