// BatchNorm2d: forward against the definition in double (training: batch statistics and the
// running averages; evaluation: running statistics), every backward step against finite
// differences in both modes and layouts, batch 1 and 3, odd sizes and more channels than one
// block of groups; the same bits on every team size; accumulation, frozen and bias-only
// gradients, a layer without affine parameters, a large mean; and the errors.
#include "layers/batch_norm2d.h"

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

struct BatchNormCase {
  Shape shape;
  Layout layout;
  NormMode mode;
  int team;
};

std::string case_name(const ::testing::TestParamInfo<BatchNormCase>& info) {
  const BatchNormCase& c = info.param;
  std::ostringstream name;
  name << testing::shape_tag(c.shape) << "_" << testing::layout_tag(c.layout)
       << (c.mode == NormMode::training ? "_training" : "_evaluation") << "_team" << c.team;
  return name.str();
}

// Batch 1 and 3, odd sizes, a single pixel per sample, and 17 channels (more than one block).
constexpr Shape kShapes[] = {{1, 3, 5, 3}, {3, 2, 3, 5}, {3, 5, 1, 1}, {1, 17, 3, 3}};

std::vector<BatchNormCase> all_cases() {
  std::vector<BatchNormCase> cases;
  for (Shape s : kShapes)
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (NormMode mode : {NormMode::training, NormMode::evaluation})
        cases.push_back({s, layout, mode, 1});  // other teams: the bit-identical team test below
  return cases;
}

// A layer's parameters and state, drawn from a seed: gamma around 1, beta small, running
// statistics as after some training (variance in [0.5, 1.5)).
struct BatchNormData {
  BatchNorm2dParams p;
  Shape shape;
  std::vector<float> x, gamma, beta, running_mean, running_var, dy;

  BatchNormData(const Shape& s, Layout layout, uint64_t seed) : shape(s) {
    p.channels = s.c, p.layout = layout, p.momentum = 0.25f;
    const auto count = static_cast<size_t>(s.elements()), channels = static_cast<size_t>(s.c);
    x = testing::uniform_values(seed, count);
    dy = testing::uniform_values(seed + 1, count);
    gamma = testing::uniform_values(seed + 2, channels, 0.5f);
    for (float& g : gamma) g += 1.0f;
    beta = testing::uniform_values(seed + 3, channels, 0.5f);
    running_mean = testing::uniform_values(seed + 4, channels, 0.5f);
    running_var = testing::uniform_values(seed + 5, channels, 0.5f);
    for (float& v : running_var) v += 1.0f;
  }
  TensorView view(std::vector<float>& v) const { return TensorView::dense(v.data(), shape, p.layout); }
};

class BatchNormFiniteDifferences : public ::testing::TestWithParam<BatchNormCase> {};

// Step h = 3e-3 · max(1, |x|) and tolerance 5e-4 + 1e-3·|g|. In training every output is a
// smooth but curved function of every input of its channel through the batch statistics; with
// as few as 3 values per channel the truncation error h²·f'''/6 reached 1.2e-3 on a slope of 4
// (3e-4 relative) at this step, and five times more at the default 1e-2. The rounding noise of
// a loss over at most 162 float outputs, ~1e-7 relative, stays below 1e-4 in a slope over 2h.
// Evaluation mode is affine in x, gamma and beta, so only that noise remains.
TEST_P(BatchNormFiniteDifferences, gamma_beta_and_input_grads_agree) {
  const BatchNormCase c = GetParam();
  BatchNormData d(c.shape, c.layout, 100 + static_cast<uint64_t>(c.shape.elements()));
  const ExecContext ctx = testing::context_of(c.team);
  std::vector<float> saved(static_cast<size_t>(batch_norm2d_saved_floats(d.p)));
  testing::LayerGradientCheck check;
  check.x = &d.x, check.gamma = &d.gamma, check.beta = &d.beta, check.dy = &d.dy;
  check.forward = [&](std::vector<float>& y) {
    // Training updates the running statistics on every call; evaluation must see them unchanged.
    std::vector<float> running_mean = d.running_mean, running_var = d.running_var;
    return batch_norm2d_forward(ctx, d.p, c.mode, d.view(d.x), d.gamma.data(), d.beta.data(), running_mean.data(),
                                running_var.data(), saved.data(), d.view(y));
  };
  check.weight_grad = [&](std::vector<float>& gamma_grad, std::vector<float>& beta_grad) {
    return batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), saved.data(), gamma_grad.data(),
                                    beta_grad.data(), false);
  };
  check.input_grad = [&](std::vector<float>& dx) {
    return batch_norm2d_input_grad(ctx, d.p, c.mode, d.view(d.x), d.view(d.dy), d.gamma.data(), saved.data(),
                                   d.view(dx), false);
  };
  testing::expect_gradients_agree(check, {5e-4, 1e-3}, {3e-3});
}

INSTANTIATE_TEST_SUITE_P(Shapes, BatchNormFiniteDifferences, ::testing::ValuesIn(all_cases()), case_name);

class BatchNormForward : public ::testing::TestWithParam<Layout> {};

std::string layout_name(const ::testing::TestParamInfo<Layout>& info) { return testing::layout_tag(info.param); }

// Float results within 1e-5·max(1, |want|) of the definition evaluated in double.
TEST_P(BatchNormForward, training_and_evaluation_match_the_definition) {
  const Shape s{3, 19, 3, 2};
  const Layout layout = GetParam();
  BatchNormData d(s, layout, 7);
  const std::vector<float> x_nchw = d.x;
  d.x = testing::to_layout(x_nchw, s, layout);
  const ExecContext ctx = testing::context_of(3);
  const auto per_channel = [&](int32_t, int32_t c, int32_t, int32_t) { return c; };
  const testing::ReferenceMoments batch = testing::reference_moments(x_nchw, s, s.c, per_channel);
  const double n = static_cast<double>(s.n) * s.h * s.w, m = d.p.momentum, eps = d.p.eps;

  for (NormMode mode : {NormMode::training, NormMode::evaluation}) {
    SCOPED_TRACE(mode == NormMode::training ? "training" : "evaluation");
    std::vector<float> running_mean = d.running_mean, running_var = d.running_var, y(d.x.size());
    std::vector<float> saved(static_cast<size_t>(2 * s.c));
    ASSERT_TRUE(batch_norm2d_forward(ctx, d.p, mode, d.view(d.x), d.gamma.data(), d.beta.data(), running_mean.data(),
                                     running_var.data(), saved.data(), d.view(y))
                    .ok());
    const bool training = mode == NormMode::training;
    std::vector<double> mean(static_cast<size_t>(s.c)), inv_std(mean.size()), want_running_mean(mean.size()),
        want_running_var(mean.size()), want_saved;
    for (size_t c = 0; c < mean.size(); ++c) {
      mean[c] = training ? batch.mean[c] : d.running_mean[c];
      inv_std[c] = 1.0 / std::sqrt((training ? batch.variance[c] : d.running_var[c]) + eps);
      want_running_mean[c] = training ? (1 - m) * d.running_mean[c] + m * batch.mean[c] : d.running_mean[c];
      want_running_var[c] =
          training ? (1 - m) * d.running_var[c] + m * batch.variance[c] * n / (n - 1) : d.running_var[c];
    }
    want_saved = mean;
    want_saved.insert(want_saved.end(), inv_std.begin(), inv_std.end());
    std::vector<double> want_y(x_nchw.size());
    for (size_t i = 0; i < x_nchw.size(); ++i) {
      const size_t c = (i / static_cast<size_t>(s.h * s.w)) % static_cast<size_t>(s.c);
      want_y[i] = (x_nchw[i] - mean[c]) * inv_std[c] * d.gamma[c] + d.beta[c];
    }
    EXPECT_TRUE(testing::close_to_reference("y", testing::from_layout(y, s, layout), want_y, 1e-5));
    EXPECT_TRUE(testing::close_to_reference("saved", saved, want_saved, 1e-5));
    EXPECT_TRUE(testing::close_to_reference("running_mean", running_mean, want_running_mean, 1e-6));
    EXPECT_TRUE(testing::close_to_reference("running_var", running_var, want_running_var, 1e-6));
  }
}

// Values 1000 ± 1: a one-pass Σx² − (Σx)²/N in float would lose the whole variance (x² ~ 1e6 has
// a resolution of 0.06). The two-pass statistics keep y within 2e-4 of the double definition:
// the mean itself, rounded to float near 1000, is off by up to 3e-5, and divided by a standard
// deviation of about 0.6.
TEST_P(BatchNormForward, statistics_stay_accurate_far_from_zero) {
  const Shape s{3, 4, 5, 7};
  const Layout layout = GetParam();
  BatchNormData d(s, layout, 8);
  for (float& v : d.x) v += 1000.0f;
  const std::vector<float> x_nchw = d.x;
  d.x = testing::to_layout(x_nchw, s, layout);
  d.p.affine = false;
  std::vector<float> y(d.x.size()), saved(static_cast<size_t>(2 * s.c));
  ASSERT_TRUE(batch_norm2d_forward(testing::context_of(1), d.p, NormMode::training, d.view(d.x), nullptr, nullptr,
                                   d.running_mean.data(), d.running_var.data(), saved.data(), d.view(y))
                  .ok());
  const testing::ReferenceMoments batch =
      testing::reference_moments(x_nchw, s, s.c, [](int32_t, int32_t c, int32_t, int32_t) { return c; });
  std::vector<double> want_y(x_nchw.size());
  for (size_t i = 0; i < x_nchw.size(); ++i) {
    const size_t c = (i / static_cast<size_t>(s.h * s.w)) % static_cast<size_t>(s.c);
    want_y[i] = (x_nchw[i] - batch.mean[c]) / std::sqrt(batch.variance[c] + d.p.eps);
  }
  EXPECT_TRUE(testing::close_to_reference("y", testing::from_layout(y, s, layout), want_y, 2e-4));
}

INSTANTIATE_TEST_SUITE_P(Layouts, BatchNormForward, ::testing::Values(Layout::chw, Layout::hwc), layout_name);

// All three steps of one layer, as the tests below compare them.
struct BatchNormResults {
  std::vector<float> y, saved, running_mean, running_var, gamma_grad, beta_grad, dx;
  bool operator==(const BatchNormResults&) const = default;
};

BatchNormResults run_all_steps(const ExecContext& ctx, BatchNormData& d, NormMode mode, const float* gamma,
                               const float* beta) {
  BatchNormResults r{std::vector<float>(d.x.size()), std::vector<float>(static_cast<size_t>(2 * d.p.channels)),
                     d.running_mean, d.running_var, std::vector<float>(static_cast<size_t>(d.p.channels)),
                     std::vector<float>(static_cast<size_t>(d.p.channels)), std::vector<float>(d.x.size())};
  EXPECT_TRUE(batch_norm2d_forward(ctx, d.p, mode, d.view(d.x), gamma, beta, r.running_mean.data(),
                                   r.running_var.data(), r.saved.data(), d.view(r.y))
                  .ok());
  if (d.p.affine) {
    EXPECT_TRUE(batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), r.saved.data(), r.gamma_grad.data(),
                                         r.beta_grad.data(), false)
                    .ok());
  }
  EXPECT_TRUE(batch_norm2d_input_grad(ctx, d.p, mode, d.view(d.x), d.view(d.dy), gamma, r.saved.data(), d.view(r.dx),
                                      false)
                  .ok());
  return r;
}

// Channels are split over the team, and each channel's sums run in the same order whoever
// computes them, so every team size gives the same bits.
TEST_P(BatchNormForward, every_team_size_gives_the_same_bits) {
  BatchNormData d({3, 19, 3, 5}, GetParam(), 9);
  for (NormMode mode : {NormMode::training, NormMode::evaluation}) {
    const BatchNormResults one = run_all_steps(testing::context_of(1), d, mode, d.gamma.data(), d.beta.data());
    for (int team : testing::kTeamSizes)
      EXPECT_TRUE(run_all_steps(testing::context_of(team), d, mode, d.gamma.data(), d.beta.data()) == one)
          << "team " << team;
  }
}

// Without affine parameters the layer is the affine one with gamma = 1, beta = 0, bit for bit.
TEST_P(BatchNormForward, without_affine_equals_unit_gamma_and_zero_beta) {
  BatchNormData d({3, 5, 2, 3}, GetParam(), 10);
  const std::vector<float> ones(5, 1.0f), zeros(5, 0.0f);
  for (NormMode mode : {NormMode::training, NormMode::evaluation}) {
    BatchNormResults affine = run_all_steps(testing::context_of(2), d, mode, ones.data(), zeros.data());
    d.p.affine = false;
    const BatchNormResults plain = run_all_steps(testing::context_of(2), d, mode, nullptr, nullptr);
    d.p.affine = true;
    affine.gamma_grad = plain.gamma_grad, affine.beta_grad = plain.beta_grad;  // not computed without affine
    EXPECT_TRUE(plain == affine);
  }
}

// A fused activation (the trainer fuses a following activation layer) is that activation applied
// to the plain layer's output, bit for bit, in both modes; the statistics and the running averages
// do not see it.
TEST_P(BatchNormForward, a_fused_activation_is_the_activation_of_the_output) {
  BatchNormData d({3, 19, 3, 5}, GetParam(), 12);
  for (NormMode mode : {NormMode::training, NormMode::evaluation}) {
    d.p.act = Activation::none;
    const BatchNormResults plain = run_all_steps(testing::context_of(3), d, mode, d.gamma.data(), d.beta.data());
    for (Activation act : {Activation::relu, Activation::leaky_relu, Activation::sigmoid, Activation::tanh}) {
      d.p.act = act, d.p.act_slope = 0.2f;
      const BatchNormResults fused = run_all_steps(testing::context_of(3), d, mode, d.gamma.data(), d.beta.data());
      ASSERT_EQ(fused.y.size(), plain.y.size());
      for (size_t i = 0; i < plain.y.size(); ++i)
        ASSERT_EQ(fused.y[i], activate(act, plain.y[i], 0.2f)) << activation_name(act) << " value " << i;
      EXPECT_TRUE(fused.saved == plain.saved && fused.running_mean == plain.running_mean &&
                  fused.running_var == plain.running_var && fused.dx == plain.dx)
          << activation_name(act);
    }
  }
  d.p.act = Activation::leaky_relu, d.p.act_slope = 0.0f;
  EXPECT_EQ(status_text(check_batch_norm2d_params(d.p)), "invalid argument: batch norm 2d: LeakyReLU slope must be positive");
}

// accumulate adds to what the outputs hold; a null gamma_grad or beta_grad (frozen scale,
// bias-only training) leaves the other one as it would be.
TEST_P(BatchNormForward, accumulate_and_null_gradients) {
  BatchNormData d({3, 4, 3, 3}, GetParam(), 11);
  const ExecContext ctx = testing::context_of(3);
  const BatchNormResults fresh = run_all_steps(ctx, d, NormMode::training, d.gamma.data(), d.beta.data());
  const std::vector<float> old_gamma = testing::uniform_values(12, 4), old_beta = testing::uniform_values(13, 4),
                           old_dx = testing::uniform_values(14, d.x.size());
  std::vector<float> gamma_grad = old_gamma, beta_grad = old_beta, dx = old_dx;
  ASSERT_TRUE(batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), gamma_grad.data(),
                                       beta_grad.data(), true)
                  .ok());
  ASSERT_TRUE(batch_norm2d_input_grad(ctx, d.p, NormMode::training, d.view(d.x), d.view(d.dy), d.gamma.data(),
                                      fresh.saved.data(), d.view(dx), true)
                  .ok());
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(gamma_grad[c], old_gamma[c] + fresh.gamma_grad[c], 1e-6) << c;
    EXPECT_NEAR(beta_grad[c], old_beta[c] + fresh.beta_grad[c], 1e-6) << c;
  }
  for (size_t i = 0; i < dx.size(); ++i) EXPECT_NEAR(dx[i], old_dx[i] + fresh.dx[i], 1e-6) << i;

  std::vector<float> only_beta = old_beta, only_gamma = old_gamma;
  ASSERT_TRUE(batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), nullptr,
                                       only_beta.data(), false)
                  .ok());
  ASSERT_TRUE(batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), only_gamma.data(),
                                       nullptr, false)
                  .ok());
  EXPECT_EQ(only_beta, fresh.beta_grad);
  EXPECT_EQ(only_gamma, fresh.gamma_grad);
  EXPECT_TRUE(
      batch_norm2d_weight_grad(ctx, d.p, d.view(d.x), d.view(d.dy), fresh.saved.data(), nullptr, nullptr, false).ok());
}

// The training-mode input gradient given the weight gradient's fresh sums (gamma_grad = Σ dy·x̂,
// beta_grad = Σ dy) gives the bits it gives computing them; other sums give another result, so
// they are the ones it uses.
TEST_P(BatchNormForward, input_grad_from_the_weight_gradient_sums_gives_the_same_bits) {
  BatchNormData d({3, 19, 2, 3}, GetParam(), 16);
  const ExecContext ctx = testing::context_of(3);
  const BatchNormResults r = run_all_steps(ctx, d, NormMode::training, d.gamma.data(), d.beta.data());
  std::vector<float> dx(d.x.size());
  ASSERT_TRUE(batch_norm2d_input_grad(ctx, d.p, NormMode::training, d.view(d.x), d.view(d.dy), d.gamma.data(),
                                      r.saved.data(), d.view(dx), false,
                                      BatchNormGradSums{r.gamma_grad.data(), r.beta_grad.data()})
                  .ok());
  EXPECT_EQ(dx, r.dx);
  std::vector<float> other_sums = r.beta_grad;
  other_sums[5] += 1.0f;
  ASSERT_TRUE(batch_norm2d_input_grad(ctx, d.p, NormMode::training, d.view(d.x), d.view(d.dy), d.gamma.data(),
                                      r.saved.data(), d.view(dx), false,
                                      BatchNormGradSums{r.gamma_grad.data(), other_sums.data()})
                  .ok());
  EXPECT_NE(dx, r.dx);
}

// y may be x and dx may be dy: each block of channels is read whole before it is written.
TEST_P(BatchNormForward, in_place_equals_out_of_place) {
  BatchNormData d({3, 19, 2, 3}, GetParam(), 15);
  const ExecContext ctx = testing::context_of(3);
  for (NormMode mode : {NormMode::training, NormMode::evaluation}) {
    const BatchNormResults apart = run_all_steps(ctx, d, mode, d.gamma.data(), d.beta.data());
    std::vector<float> y = d.x, dx = d.dy, mean = d.running_mean, var = d.running_var, saved(apart.saved.size());
    ASSERT_TRUE(batch_norm2d_forward(ctx, d.p, mode, d.view(y), d.gamma.data(), d.beta.data(), mean.data(), var.data(),
                                     saved.data(), d.view(y))
                    .ok());
    ASSERT_TRUE(batch_norm2d_input_grad(ctx, d.p, mode, d.view(d.x), d.view(dx), d.gamma.data(), saved.data(),
                                        d.view(dx), false)
                    .ok());
    EXPECT_EQ(y, apart.y);
    EXPECT_EQ(dx, apart.dx);
  }
}

class BatchNormErrors : public ::testing::Test {
 protected:
  BatchNormErrors() { p.channels = 3; }
  BatchNorm2dParams p;
  ExecContext ctx = testing::context_of(1);
  Shape s{2, 3, 2, 2};
  std::vector<float> x = std::vector<float>(24, 0.5f), y = std::vector<float>(24), gamma = std::vector<float>(3, 1.0f),
                     beta = std::vector<float>(3), mean = std::vector<float>(3), var = std::vector<float>(3, 1.0f),
                     saved = std::vector<float>(6);
  TensorView view(std::vector<float>& v, Shape shape) { return TensorView::dense(v.data(), shape); }
  Status forward(NormMode mode, Shape x_shape, Shape y_shape) {
    return batch_norm2d_forward(ctx, p, mode, view(x, x_shape), gamma.data(), beta.data(), mean.data(), var.data(),
                                saved.data(), view(y, y_shape));
  }
};

TEST_F(BatchNormErrors, params_channels_eps_momentum_and_layout) {
  BatchNorm2dParams bad = p;
  bad.channels = 0;
  EXPECT_EQ(status_text(check_batch_norm2d_params(bad)),
            "invalid argument: batch norm 2d: channels must be positive (got 0, expected 1)");
  for (float eps : {0.0f, -1e-5f, NAN, INFINITY}) {
    bad = p;
    bad.eps = eps;
    EXPECT_EQ(status_text(check_batch_norm2d_params(bad)), "invalid argument: batch norm 2d: eps must be positive and finite")
        << eps;
  }
  for (float momentum : {-0.1f, 1.5f, NAN}) {
    bad = p;
    bad.momentum = momentum;
    EXPECT_EQ(status_text(check_batch_norm2d_params(bad)), "invalid argument: batch norm 2d: momentum must be in [0, 1]")
        << momentum;
  }
  bad = p;
  bad.layout = static_cast<Layout>(7);
  EXPECT_EQ(status_text(check_batch_norm2d_params(bad)), "invalid argument: batch norm 2d: layout must be CHW or HWC");
  bad = p;
  bad.momentum = 0.0f;  // the bounds themselves are fine
  EXPECT_TRUE(check_batch_norm2d_params(bad).ok());
  bad.momentum = 1.0f;
  EXPECT_TRUE(check_batch_norm2d_params(bad).ok());
}

TEST_F(BatchNormErrors, forward_names_the_tensor_and_the_pointer) {
  EXPECT_EQ(status_text(forward(NormMode::training, {2, 2, 3, 2}, s)),
            "shape mismatch: batch norm 2d forward: x: channel count differs from the layer's (got 2, expected 3)");
  EXPECT_EQ(status_text(forward(NormMode::training, s, {2, 3, 4, 1})),
            "shape mismatch: batch norm 2d forward: y: height differs (got 4, expected 2)");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::training, TensorView::dense(x.data(), s, Layout::hwc),
                                             gamma.data(), beta.data(), mean.data(), var.data(), saved.data(),
                                             view(y, s))),
            "shape mismatch: batch norm 2d forward: x: layout differs from the layer's");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::training, view(x, s), nullptr, beta.data(), mean.data(),
                                             var.data(), saved.data(), view(y, s))),
            "invalid argument: batch norm 2d forward: the layer is affine but gamma or beta is null");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::evaluation, view(x, s), gamma.data(), beta.data(),
                                             mean.data(), nullptr, saved.data(), view(y, s))),
            "invalid argument: batch norm 2d forward: running_mean or running_var is null");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::training, view(x, s), gamma.data(), beta.data(),
                                             mean.data(), var.data(), nullptr, view(y, s))),
            "invalid argument: batch norm 2d forward: saved is null");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, static_cast<NormMode>(5), view(x, s), gamma.data(), beta.data(),
                                             mean.data(), var.data(), saved.data(), view(y, s))),
            "invalid argument: batch norm 2d forward: mode must be training or evaluation");
  EXPECT_EQ(status_text(batch_norm2d_forward(ExecContext{}, p, NormMode::training, view(x, s), gamma.data(),
                                             beta.data(), mean.data(), var.data(), saved.data(), view(y, s))),
            "invalid argument: batch norm 2d forward: the context has no team");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::training, TensorView{}, gamma.data(), beta.data(),
                                             mean.data(), var.data(), saved.data(), view(y, s))),
            "invalid argument: batch norm 2d forward: x: data is null");
  EXPECT_EQ(status_text(batch_norm2d_forward(ctx, p, NormMode::training, view(x, s), gamma.data(), beta.data(),
                                             mean.data(), var.data(), saved.data(),
                                             TensorView::dense(x.data() + 1, s))),
            "invalid argument: batch norm 2d forward: y overlaps x without being x (only exact in-place is allowed)");
}

TEST_F(BatchNormErrors, training_needs_two_values_per_channel_evaluation_does_not) {
  const Shape one{1, 3, 1, 1};
  EXPECT_EQ(status_text(forward(NormMode::training, one, one)),
            "shape mismatch: batch norm 2d forward: training needs more than one value per channel (n·H·W) "
            "(got 1, expected 2)");
  EXPECT_TRUE(forward(NormMode::evaluation, one, one).ok());
}

TEST_F(BatchNormErrors, backward_names_the_tensor_and_the_pointer) {
  std::vector<float> dy(24), dx(24), gg(3), bg(3);
  EXPECT_EQ(status_text(batch_norm2d_weight_grad(ctx, p, view(x, s), view(dy, {2, 3, 2, 1}), saved.data(), gg.data(),
                                                 bg.data(), false)),
            "shape mismatch: batch norm 2d weight grad: dy: width differs (got 1, expected 2)");
  EXPECT_EQ(status_text(batch_norm2d_weight_grad(ctx, p, view(x, s), view(dy, s), nullptr, gg.data(), bg.data(), false)),
            "invalid argument: batch norm 2d weight grad: saved is null");
  EXPECT_EQ(status_text(batch_norm2d_input_grad(ctx, p, NormMode::training, view(x, s), view(dy, s), gamma.data(),
                                                saved.data(), view(dx, {1, 3, 2, 2}), false)),
            "shape mismatch: batch norm 2d input grad: dx: batch size differs (got 1, expected 2)");
  EXPECT_EQ(status_text(batch_norm2d_input_grad(ctx, p, NormMode::training, view(x, s), view(dy, s), nullptr,
                                                saved.data(), view(dx, s), false)),
            "invalid argument: batch norm 2d input grad: the layer is affine but gamma is null");
  EXPECT_EQ(status_text(batch_norm2d_input_grad(ctx, p, NormMode::training, view(x, s), view(dy, s), gamma.data(),
                                                saved.data(), view(dx, s), false, BatchNormGradSums{gg.data(), nullptr})),
            "invalid argument: batch norm 2d input grad: give both gradient sums (dy and dy·x̂) or neither");
  p.affine = false;
  EXPECT_EQ(status_text(batch_norm2d_weight_grad(ctx, p, view(x, s), view(dy, s), saved.data(), gg.data(), nullptr,
                                                 false)),
            "invalid argument: batch norm 2d weight grad: the layer is not affine, it has no gamma or beta to train");
  EXPECT_TRUE(batch_norm2d_input_grad(ctx, p, NormMode::training, view(x, s), view(dy, s), nullptr, saved.data(),
                                      view(dx, s), false)
                  .ok());
}

}  // namespace
}  // namespace utrain
