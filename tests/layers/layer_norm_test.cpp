// LayerNorm: forward against the definition in double, every backward step against finite
// differences for feature vectors and for images in both layouts (gamma and beta in the tensor's
// memory order), batch 1 and 3; the same results in both layouts; the same bits on every team
// size; accumulation, frozen and bias-only gradients, a layer without affine parameters, a
// large mean; and the errors.
#include "layers/layer_norm.h"

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

struct LayerNormCase {
  Shape shape;
  Layout layout;
  int team;
};

std::string case_name(const ::testing::TestParamInfo<LayerNormCase>& info) {
  const LayerNormCase& c = info.param;
  std::ostringstream name;
  name << testing::shape_tag(c.shape) << "_" << testing::layout_tag(c.layout) << "_team" << c.team;
  return name.str();
}

std::vector<LayerNormCase> all_cases() {
  std::vector<LayerNormCase> cases;
  for (Shape s : {Shape{3, 7, 1, 1}, Shape{1, 13, 1, 1}})  // feature vectors: one layout is enough
    cases.push_back({s, Layout::chw, 1});  // other teams: the bit-identical team test below
  for (Shape s : {Shape{1, 3, 5, 3}, Shape{3, 2, 3, 5}})
    for (Layout layout : {Layout::chw, Layout::hwc})
      cases.push_back({s, layout, 1});
  return cases;
}

// Data drawn from a seed: x and dy in (-1, 1), gamma around 1, beta small, one of each per
// normalized value.
struct LayerNormData {
  LayerNormParams p;
  Shape shape;
  Layout layout;
  std::vector<float> x, gamma, beta, dy;

  LayerNormData(const Shape& s, Layout l, uint64_t seed) : shape(s), layout(l) {
    p.features = static_cast<int32_t>(s.per_sample());
    const auto count = static_cast<size_t>(s.elements()), features = static_cast<size_t>(p.features);
    x = testing::uniform_values(seed, count);
    dy = testing::uniform_values(seed + 1, count);
    gamma = testing::uniform_values(seed + 2, features, 0.5f);
    for (float& g : gamma) g += 1.0f;
    beta = testing::uniform_values(seed + 3, features, 0.5f);
  }
  TensorView view(std::vector<float>& v) const { return TensorView::dense(v.data(), shape, layout); }
  size_t saved_floats() const { return static_cast<size_t>(layer_norm_saved_floats(p, shape.n)); }
};

class LayerNormFiniteDifferences : public ::testing::TestWithParam<LayerNormCase> {};

// Step 3e-3 · max(1, |x|), tolerance 5e-4 + 1e-3·|g|, as in batch_norm2d_test.cpp; a sample's
// 7 or more values make the statistics less curved than there.
TEST_P(LayerNormFiniteDifferences, gamma_beta_and_input_grads_agree) {
  const LayerNormCase c = GetParam();
  LayerNormData d(c.shape, c.layout, 300 + static_cast<uint64_t>(c.shape.elements()));
  const ExecContext ctx = testing::context_of(c.team);
  std::vector<float> saved(d.saved_floats());
  testing::LayerGradientCheck check;
  check.x = &d.x, check.gamma = &d.gamma, check.beta = &d.beta, check.dy = &d.dy;
  check.forward = [&](std::vector<float>& y) {
    return layer_norm_forward(ctx, d.p, d.view(d.x), d.gamma.data(), d.beta.data(), saved.data(), d.view(y));
  };
  check.weight_grad = [&](std::vector<float>& gamma_grad, std::vector<float>& beta_grad) {
    return layer_norm_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), saved.data(), gamma_grad.data(),
                                  beta_grad.data(), false);
  };
  check.input_grad = [&](std::vector<float>& dx) {
    return layer_norm_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), d.gamma.data(), saved.data(), d.view(dx), false);
  };
  testing::expect_gradients_agree(check, {5e-4, 1e-3}, {3e-3});
}

INSTANTIATE_TEST_SUITE_P(Shapes, LayerNormFiniteDifferences, ::testing::ValuesIn(all_cases()), case_name);

// y = (x − mean) / sqrt(var + eps) · gamma + beta per sample, in double, with x offset by `offset`;
// `saved` holds the means, then the inverse deviations.
void expect_forward_matches_definition(float offset, double tolerance) {
  const Shape s{3, 5, 4, 3};
  LayerNormData d(s, Layout::chw, 7);
  for (float& v : d.x) v += offset;
  std::vector<float> y(d.x.size()), saved(d.saved_floats());
  ASSERT_TRUE(layer_norm_forward(testing::context_of(2), d.p, d.view(d.x), d.gamma.data(), d.beta.data(), saved.data(),
                                 d.view(y))
                  .ok());
  const testing::ReferenceMoments m =
      testing::reference_moments(d.x, s, s.n, [](int32_t n, int32_t, int32_t, int32_t) { return n; });
  std::vector<double> want_saved = m.mean, want_y(d.x.size());
  for (double v : m.variance) want_saved.push_back(1.0 / std::sqrt(v + d.p.eps));
  const auto features = static_cast<size_t>(d.p.features);
  for (size_t i = 0; i < d.x.size(); ++i) {
    const size_t n = i / features, f = i % features;
    want_y[i] = (d.x[i] - m.mean[n]) * want_saved[static_cast<size_t>(s.n) + n] * d.gamma[f] + d.beta[f];
  }
  EXPECT_TRUE(testing::close_to_reference("y", y, want_y, tolerance));
  EXPECT_TRUE(testing::close_to_reference("saved", saved, want_saved, tolerance));
}

// Float results within 1e-5·max(1, |want|) of the definition in double.
TEST(LayerNormForward, matches_the_definition) { expect_forward_matches_definition(0.0f, 1e-5); }

// Values 1000 ± 1: within 1e-4, for the reasons given in batch_norm2d_test.cpp (the mean, a float
// near 1000, is off by up to 3e-5, over a standard deviation of about 0.6).
TEST(LayerNormForward, statistics_stay_accurate_far_from_zero) { expect_forward_matches_definition(1000.0f, 1e-4); }

struct LayerNormResults {
  std::vector<float> y, saved, gamma_grad, beta_grad, dx;
  bool operator==(const LayerNormResults&) const = default;
};

LayerNormResults run_all_steps(const ExecContext& ctx, LayerNormData& d, const float* gamma, const float* beta) {
  const auto features = static_cast<size_t>(d.p.features);
  LayerNormResults r{std::vector<float>(d.x.size()), std::vector<float>(d.saved_floats()),
                     std::vector<float>(features), std::vector<float>(features), std::vector<float>(d.x.size())};
  EXPECT_TRUE(layer_norm_forward(ctx, d.p, d.view(d.x), gamma, beta, r.saved.data(), d.view(r.y)).ok());
  if (d.p.affine) {
    EXPECT_TRUE(layer_norm_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), r.saved.data(), r.gamma_grad.data(),
                                       r.beta_grad.data(), false)
                    .ok());
  }
  EXPECT_TRUE(layer_norm_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), gamma, r.saved.data(), d.view(r.dx), false).ok());
  return r;
}

// Gamma and beta follow the tensor's memory order, so an HWC run with every tensor (parameters
// included) rearranged gives the CHW results rearranged. Sums run in another order: within 1e-6.
TEST(LayerNormLayouts, hwc_is_chw_rearranged) {
  const Shape s{3, 5, 3, 4}, one{1, 5, 3, 4};
  LayerNormData chw(s, Layout::chw, 20), hwc(s, Layout::hwc, 20);
  hwc.x = testing::to_layout(chw.x, s, Layout::hwc), hwc.dy = testing::to_layout(chw.dy, s, Layout::hwc);
  hwc.gamma = testing::to_layout(chw.gamma, one, Layout::hwc), hwc.beta = testing::to_layout(chw.beta, one, Layout::hwc);
  const LayerNormResults a = run_all_steps(testing::context_of(1), chw, chw.gamma.data(), chw.beta.data());
  const LayerNormResults b = run_all_steps(testing::context_of(1), hwc, hwc.gamma.data(), hwc.beta.data());
  const auto near = [](const std::vector<float>& got, const std::vector<float>& want) {
    return testing::close_to_reference("values", got, std::vector<double>(want.begin(), want.end()), 1e-6);
  };
  EXPECT_TRUE(near(testing::from_layout(b.y, s, Layout::hwc), a.y));
  EXPECT_TRUE(near(testing::from_layout(b.dx, s, Layout::hwc), a.dx));
  EXPECT_TRUE(near(testing::from_layout(b.gamma_grad, one, Layout::hwc), a.gamma_grad));
  EXPECT_TRUE(near(testing::from_layout(b.beta_grad, one, Layout::hwc), a.beta_grad));
  EXPECT_TRUE(near(b.saved, a.saved));
}

// Samples (forward, input grad) and features (weight grad) are split over the team; each sum
// runs in the same order whoever computes it.
TEST(LayerNormTeams, every_team_size_gives_the_same_bits) {
  LayerNormData d({19, 3, 5, 3}, Layout::hwc, 9);
  const LayerNormResults one = run_all_steps(testing::context_of(1), d, d.gamma.data(), d.beta.data());
  for (int team : testing::kTeamSizes)
    EXPECT_TRUE(run_all_steps(testing::context_of(team), d, d.gamma.data(), d.beta.data()) == one) << "team " << team;
}

// Without affine parameters the layer is the affine one with gamma = 1, beta = 0, bit for bit.
TEST(LayerNormAffine, without_affine_equals_unit_gamma_and_zero_beta) {
  LayerNormData d({3, 5, 2, 3}, Layout::chw, 10);
  const std::vector<float> ones(30, 1.0f), zeros(30, 0.0f);
  LayerNormResults affine = run_all_steps(testing::context_of(2), d, ones.data(), zeros.data());
  d.p.affine = false;
  const LayerNormResults plain = run_all_steps(testing::context_of(2), d, nullptr, nullptr);
  affine.gamma_grad = plain.gamma_grad, affine.beta_grad = plain.beta_grad;  // not computed without affine
  EXPECT_TRUE(plain == affine);
}

// accumulate adds to what the outputs hold; a null gamma_grad or beta_grad leaves the other as it
// would be.
TEST(LayerNormAccumulate, accumulate_and_null_gradients) {
  LayerNormData d({3, 4, 3, 3}, Layout::hwc, 11);
  const ExecContext ctx = testing::context_of(3);
  const LayerNormResults fresh = run_all_steps(ctx, d, d.gamma.data(), d.beta.data());
  const std::vector<float> old_gamma = testing::uniform_values(12, 36), old_beta = testing::uniform_values(13, 36),
                           old_dx = testing::uniform_values(14, d.x.size());
  std::vector<float> gamma_grad = old_gamma, beta_grad = old_beta, dx = old_dx;
  ASSERT_TRUE(layer_norm_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), gamma_grad.data(),
                                     beta_grad.data(), true)
                  .ok());
  ASSERT_TRUE(layer_norm_input_grad(ctx, d.p, d.view(d.x), d.view(d.dy), d.gamma.data(), fresh.saved.data(), d.view(dx),
                                    true)
                  .ok());
  for (size_t i = 0; i < 36; ++i) {
    EXPECT_NEAR(gamma_grad[i], old_gamma[i] + fresh.gamma_grad[i], 1e-6) << i;
    EXPECT_NEAR(beta_grad[i], old_beta[i] + fresh.beta_grad[i], 1e-6) << i;
  }
  for (size_t i = 0; i < dx.size(); ++i) EXPECT_NEAR(dx[i], old_dx[i] + fresh.dx[i], 1e-6) << i;

  std::vector<float> only_beta = old_beta, only_gamma = old_gamma;
  ASSERT_TRUE(layer_norm_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), nullptr, only_beta.data(),
                                     false)
                  .ok());
  ASSERT_TRUE(layer_norm_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), only_gamma.data(), nullptr,
                                     false)
                  .ok());
  EXPECT_EQ(only_beta, fresh.beta_grad);
  EXPECT_EQ(only_gamma, fresh.gamma_grad);
}

// y may be x and dx may be dy: each block of samples is read whole before it is written.
TEST(LayerNormInPlace, in_place_equals_out_of_place) {
  LayerNormData d({19, 3, 2, 3}, Layout::chw, 15);
  const ExecContext ctx = testing::context_of(3);
  const LayerNormResults apart = run_all_steps(ctx, d, d.gamma.data(), d.beta.data());
  std::vector<float> y = d.x, dx = d.dy, saved(apart.saved.size());
  ASSERT_TRUE(layer_norm_forward(ctx, d.p, d.view(y), d.gamma.data(), d.beta.data(), saved.data(), d.view(y)).ok());
  ASSERT_TRUE(layer_norm_input_grad(ctx, d.p, d.view(d.x), d.view(dx), d.gamma.data(), saved.data(), d.view(dx), false).ok());
  EXPECT_EQ(y, apart.y);
  EXPECT_EQ(dx, apart.dx);
}

class LayerNormErrors : public ::testing::Test {
 protected:
  LayerNormErrors() { p.features = 12; }
  LayerNormParams p;
  ExecContext ctx = testing::context_of(1);
  Shape s{2, 3, 2, 2};
  std::vector<float> x = std::vector<float>(24, 0.5f), y = std::vector<float>(24), dy = std::vector<float>(24),
                     gamma = std::vector<float>(12, 1.0f), beta = std::vector<float>(12), saved = std::vector<float>(4),
                     gg = std::vector<float>(12);
  TensorView view(std::vector<float>& v, Shape shape, Layout layout = Layout::chw) {
    return TensorView::dense(v.data(), shape, layout);
  }
};

TEST_F(LayerNormErrors, params_features_and_eps) {
  LayerNormParams bad = p;
  bad.features = 0;
  EXPECT_EQ(status_text(check_layer_norm_params(bad)),
            "invalid argument: layer norm: features must be positive (got 0, expected 1)");
  bad = p;
  bad.eps = NAN;
  EXPECT_EQ(status_text(check_layer_norm_params(bad)), "invalid argument: layer norm: eps must be positive and finite");
  EXPECT_EQ(layer_norm_parameter_count(p), 12);
  EXPECT_EQ(layer_norm_saved_floats(p, 5), 10);
}

TEST_F(LayerNormErrors, steps_name_the_tensor_and_the_pointer) {
  EXPECT_EQ(status_text(layer_norm_forward(ctx, p, view(x, {2, 4, 1, 3}), gamma.data(), beta.data(), saved.data(),
                                           view(y, s))),
            "shape mismatch: layer norm forward: y: channel count differs (got 3, expected 4)");
  EXPECT_EQ(status_text(layer_norm_forward(ctx, p, view(x, {2, 3, 1, 2}), gamma.data(), beta.data(), saved.data(),
                                           view(y, s))),
            "shape mismatch: layer norm forward: x: values per sample differ from the layer's features (got 6, expected 12)");
  EXPECT_EQ(status_text(layer_norm_forward(ctx, p, view(x, s), nullptr, beta.data(), saved.data(), view(y, s))),
            "invalid argument: layer norm forward: the layer is affine but gamma or beta is null");
  EXPECT_EQ(status_text(layer_norm_forward(ctx, p, view(x, s), gamma.data(), beta.data(), nullptr, view(y, s))),
            "invalid argument: layer norm forward: saved is null");
  EXPECT_EQ(status_text(layer_norm_weight_grad(ctx, p, view(x, s), view(dy, s, Layout::hwc), saved.data(), gg.data(),
                                               nullptr, false)),
            "shape mismatch: layer norm weight grad: dy: layout differs (CHW against HWC)");
  EXPECT_EQ(status_text(layer_norm_input_grad(ctx, p, view(x, s), view(dy, s), gamma.data(), saved.data(),
                                              TensorView::dense(dy.data() + 2, s), false)),
            "invalid argument: layer norm input grad: dx overlaps dy or x without being it (only exact in-place is "
            "allowed)");
  EXPECT_EQ(status_text(layer_norm_input_grad(ExecContext{}, p, view(x, s), view(dy, s), gamma.data(), saved.data(),
                                              view(y, s), false)),
            "invalid argument: layer norm input grad: the context has no team");
  p.affine = false;
  EXPECT_EQ(status_text(layer_norm_weight_grad(ctx, p, view(x, s), view(dy, s), saved.data(), nullptr, gg.data(), false)),
            "invalid argument: layer norm weight grad: the layer is not affine, it has no gamma or beta to train");
  EXPECT_EQ(layer_norm_parameter_count(p), 0);
}

}  // namespace
}  // namespace utrain
