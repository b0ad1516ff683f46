// The Linear layer's three steps checked against finite differences of its own forward pass,
// over shapes with batch 1 and 3, single features and primes, with and without bias, with each
// fused activation, on one member (the team split is checked by LinearAccumulate and the goldens);
// then the accumulate flags and the error messages.
#include "layers/linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "layers/activation.h"
#include "support/finite_difference.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

struct LinearCase {
  int32_t batch, in, out;
  bool bias;
  Activation act;
  int team;
};

// e.g. b3_in13_out7_bias_relu_team3
std::string case_name(const ::testing::TestParamInfo<LinearCase>& info) {
  const LinearCase& c = info.param;
  std::ostringstream name;
  name << "b" << c.batch << "_in" << c.in << "_out" << c.out << (c.bias ? "_bias_" : "_nobias_")
       << activation_name(c.act) << "_team" << c.team;
  return name.str();
}

std::string team_name(const ::testing::TestParamInfo<int>& info) { return "team" + std::to_string(info.param); }

std::vector<LinearCase> all_cases() {
  struct Dims {
    int32_t batch, in, out;
  };
  std::vector<LinearCase> cases;
  for (Dims d : {Dims{1, 1, 1}, Dims{1, 7, 13}, Dims{1, 13, 1}, Dims{3, 1, 7}, Dims{3, 13, 7}, Dims{3, 7, 1}})
    for (bool bias : {true, false})
      for (Activation act :
           {Activation::none, Activation::relu, Activation::leaky_relu, Activation::sigmoid, Activation::tanh})
        cases.push_back({d.batch, d.in, d.out, bias, act, 1});  // teams: LinearAccumulate and the goldens
  return cases;
}

// Everything one check needs: parameters, data and the upstream gradient dy.
struct LinearProblem {
  LinearParams p;
  int32_t batch = 0;
  std::vector<float> x, weight, bias, dy;

  TensorView x_view() { return TensorView::matrix(x.data(), batch, p.in_features); }
  const float* bias_or_null() const { return p.has_bias ? bias.data() : nullptr; }
};

// Pre-activation outputs z = x·Wᵀ + b, in double, to keep the data away from kinks.
double smallest_pre_activation(const LinearProblem& lp) {
  double smallest = INFINITY;
  for (int32_t s = 0; s < lp.batch; ++s)
    for (int32_t o = 0; o < lp.p.out_features; ++o) {
      double z = lp.p.has_bias ? lp.bias[static_cast<size_t>(o)] : 0.0;
      for (int32_t i = 0; i < lp.p.in_features; ++i)
        z += static_cast<double>(lp.x[static_cast<size_t>(s * lp.p.in_features + i)]) *
             lp.weight[static_cast<size_t>(o * lp.p.in_features + i)];
      smallest = std::fmin(smallest, std::fabs(z));
    }
  return smallest;
}

// Values in (-1, 1). ReLU and LeakyReLU have a kink at z = 0; perturbing one value by the step
// h = 1e-2 moves a z by at most h (every coefficient is below 1 in size), so data are redrawn
// until every |z| is at least 0.05.
bool draw_problem(const LinearCase& c, uint64_t seed, LinearProblem* lp) {
  lp->p.in_features = c.in, lp->p.out_features = c.out, lp->p.has_bias = c.bias, lp->p.act = c.act;
  lp->p.act_slope = 0.1f;
  lp->batch = c.batch;
  const bool has_kink = c.act == Activation::relu || c.act == Activation::leaky_relu;
  Rng rng(seed);
  const auto draw = [&](std::vector<float>& v, int64_t count) {
    v.resize(static_cast<size_t>(count));
    for (float& value : v) value = rng.uniform_symmetric(1.0f);
  };
  for (int attempt = 0; attempt < 1000; ++attempt) {
    draw(lp->x, int64_t{c.batch} * c.in);
    draw(lp->weight, linear_weight_count(lp->p));
    draw(lp->bias, c.out);
    draw(lp->dy, int64_t{c.batch} * c.out);
    if (!has_kink || smallest_pre_activation(*lp) >= 0.05) return true;
  }
  return false;
}

class LinearFiniteDifferences : public ::testing::TestWithParam<LinearCase> {};

// Tolerance 2e-4 + 1e-3·|g|. Each loss is Σ dy ⊙ y over at most 39 float outputs of dot products
// of at most 13 terms, so its rounding noise is about 1e-6 and, over 2h = 2e-2, 5e-5 in a slope;
// sigmoid and tanh add a truncation error of at most h²·|f'''|/6 ≈ 3e-5. The worst error seen
// over all cases is 5e-5.
TEST_P(LinearFiniteDifferences, weight_bias_and_input_grads_agree) {
  const LinearCase c = GetParam();
  LinearProblem lp;
  ASSERT_TRUE(draw_problem(c, 1000 + static_cast<uint64_t>(c.batch * 100 + c.in * 10 + c.out), &lp));
  const ExecContext ctx{&testing::team_of(c.team), IsaSet::generic_only()};
  std::vector<float> y(lp.dy.size());
  const TensorView y_view = TensorView::matrix(y.data(), c.batch, c.out);
  const auto loss = [&] {
    EXPECT_TRUE(linear_forward(ctx, lp.p, lp.x_view(), lp.weight.data(), lp.bias_or_null(), y_view).ok());
    return testing::probe_loss(y, lp.dy);
  };
  const testing::NumericalGradient numerical_weight = testing::numerical_gradient(loss, lp.weight);
  const testing::NumericalGradient numerical_bias = testing::numerical_gradient(loss, lp.bias);
  const testing::NumericalGradient numerical_x = testing::numerical_gradient(loss, lp.x);

  // Analytic: forward, dy → dz through the saved output, then the two gradient steps.
  ASSERT_TRUE(linear_forward(ctx, lp.p, lp.x_view(), lp.weight.data(), lp.bias_or_null(), y_view).ok());
  std::vector<float> dz(lp.dy.size());
  const TensorView dz_view = TensorView::matrix(dz.data(), c.batch, c.out);
  ASSERT_TRUE(activation_backward(ctx, {c.act, lp.p.act_slope}, y_view,
                                  TensorView::matrix(lp.dy.data(), c.batch, c.out), dz_view)
                  .ok());
  std::vector<float> weight_grad(lp.weight.size(), NAN), bias_grad(lp.bias.size(), NAN), dx(lp.x.size(), NAN);
  ASSERT_TRUE(linear_weight_grad(ctx, lp.p, lp.x_view(), dz_view, weight_grad.data(), bias_grad.data(), false).ok());
  ASSERT_TRUE(linear_input_grad(ctx, lp.p, dz_view, lp.weight.data(), TensorView::matrix(dx.data(), c.batch, c.in),
                                false)
                  .ok());

  const testing::GradientTolerance tolerance{2e-4, 1e-3};
  EXPECT_TRUE(testing::gradients_agree("weight grad", weight_grad, numerical_weight, tolerance));
  EXPECT_TRUE(testing::gradients_agree("input grad", dx, numerical_x, tolerance));
  if (c.bias) {
    EXPECT_TRUE(testing::gradients_agree("bias grad", bias_grad, numerical_bias, tolerance));
  } else {
    // A layer without bias leaves bias_grad alone; its loss does not depend on the bias.
    for (float g : bias_grad) EXPECT_TRUE(std::isnan(g));
    for (double g : numerical_bias.slope) EXPECT_EQ(g, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, LinearFiniteDifferences, ::testing::ValuesIn(all_cases()), case_name);

class LinearAccumulate : public ::testing::TestWithParam<int> {};

// accumulate = true adds the step's result to what the output holds (gradient accumulation over
// samples); false overwrites it. Sums of two floats of order one: tolerance 1e-6.
TEST_P(LinearAccumulate, weight_bias_and_input_grads_add_to_what_is_there) {
  const LinearCase c{3, 13, 7, true, Activation::none, GetParam()};
  LinearProblem lp;
  ASSERT_TRUE(draw_problem(c, 55, &lp));
  const ExecContext ctx{&testing::team_of(c.team), IsaSet::generic_only()};
  const TensorView dz = TensorView::matrix(lp.dy.data(), c.batch, c.out);
  std::vector<float> fresh_w(lp.weight.size()), fresh_b(lp.bias.size()), fresh_x(lp.x.size());
  ASSERT_TRUE(linear_weight_grad(ctx, lp.p, lp.x_view(), dz, fresh_w.data(), fresh_b.data(), false).ok());
  ASSERT_TRUE(linear_input_grad(ctx, lp.p, dz, lp.weight.data(), TensorView::matrix(fresh_x.data(), c.batch, c.in), false)
                  .ok());

  Rng rng(56);
  const auto random_like = [&](const std::vector<float>& v) {
    std::vector<float> r(v.size());
    for (float& value : r) value = rng.uniform_symmetric(1.0f);
    return r;
  };
  const std::vector<float> old_w = random_like(fresh_w), old_b = random_like(fresh_b), old_x = random_like(fresh_x);
  std::vector<float> acc_w = old_w, acc_b = old_b, acc_x = old_x;
  ASSERT_TRUE(linear_weight_grad(ctx, lp.p, lp.x_view(), dz, acc_w.data(), acc_b.data(), true).ok());
  ASSERT_TRUE(linear_input_grad(ctx, lp.p, dz, lp.weight.data(), TensorView::matrix(acc_x.data(), c.batch, c.in), true)
                  .ok());
  for (size_t i = 0; i < acc_w.size(); ++i) EXPECT_NEAR(acc_w[i], old_w[i] + fresh_w[i], 1e-6) << "weight " << i;
  for (size_t i = 0; i < acc_b.size(); ++i) EXPECT_NEAR(acc_b[i], old_b[i] + fresh_b[i], 1e-6) << "bias " << i;
  for (size_t i = 0; i < acc_x.size(); ++i) EXPECT_NEAR(acc_x[i], old_x[i] + fresh_x[i], 1e-6) << "input " << i;

  // Overwriting ignores what was there.
  std::vector<float> over_w = old_w, over_b = old_b;
  ASSERT_TRUE(linear_weight_grad(ctx, lp.p, lp.x_view(), dz, over_w.data(), over_b.data(), false).ok());
  EXPECT_EQ(over_w, fresh_w);
  EXPECT_EQ(over_b, fresh_b);
  // A frozen bias (null bias_grad) still gets its weight gradient.
  std::vector<float> frozen_w(fresh_w.size());
  ASSERT_TRUE(linear_weight_grad(ctx, lp.p, lp.x_view(), dz, frozen_w.data(), nullptr, false).ok());
  EXPECT_EQ(frozen_w, fresh_w);
}

INSTANTIATE_TEST_SUITE_P(Teams, LinearAccumulate, ::testing::Values(1, 3), team_name);

class LinearErrors : public ::testing::Test {
 protected:
  LinearErrors() {
    p.in_features = 7, p.out_features = 5;
  }
  LinearParams p;
  ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  std::vector<float> x = std::vector<float>(3 * 7, 0.5f), y = std::vector<float>(3 * 5), w = std::vector<float>(35, 0.1f),
                     b = std::vector<float>(5, 0.0f), wg = std::vector<float>(35), bg = std::vector<float>(5);
};

TEST_F(LinearErrors, forward_names_x_y_weight_and_bias) {
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 6), w.data(), b.data(),
                                       TensorView::matrix(y.data(), 3, 5))),
            "shape mismatch: linear forward: x: values per sample differ from the layer's features (got 6, expected 7)");
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 7), w.data(), b.data(),
                                       TensorView::matrix(y.data(), 3, 4))),
            "shape mismatch: linear forward: y: values per sample differ from the layer's features (got 4, expected 5)");
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 7), w.data(), b.data(),
                                       TensorView::matrix(y.data(), 2, 5))),
            "shape mismatch: linear forward: y: batch sizes differ (got 2, expected 3)");
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 7), nullptr, b.data(),
                                       TensorView::matrix(y.data(), 3, 5))),
            "invalid argument: linear forward: weight is null");
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 7), w.data(), nullptr,
                                       TensorView::matrix(y.data(), 3, 5))),
            "invalid argument: linear forward: the layer has a bias but bias is null");
  EXPECT_EQ(status_text(linear_forward(ctx, p, TensorView{}, w.data(), b.data(), TensorView::matrix(y.data(), 3, 5))),
            "invalid argument: linear forward: x: data is null");
  // Without a bias, a null bias is what is expected.
  p.has_bias = false;
  EXPECT_TRUE(linear_forward(ctx, p, TensorView::matrix(x.data(), 3, 7), w.data(), nullptr,
                             TensorView::matrix(y.data(), 3, 5))
                  .ok());
}

TEST_F(LinearErrors, weight_grad_names_x_dz_and_weight_grad) {
  EXPECT_EQ(status_text(linear_weight_grad(ctx, p, TensorView::matrix(x.data(), 3, 7), TensorView::matrix(y.data(), 3, 3),
                                           wg.data(), bg.data(), false)),
            "shape mismatch: linear weight grad: dz: values per sample differ from the layer's features (got 3, expected 5)");
  EXPECT_EQ(status_text(linear_weight_grad(ctx, p, TensorView::matrix(x.data(), 3, 7), TensorView::matrix(y.data(), 1, 5),
                                           wg.data(), bg.data(), false)),
            "shape mismatch: linear weight grad: dz: batch sizes differ (got 1, expected 3)");
  EXPECT_EQ(status_text(linear_weight_grad(ctx, p, TensorView::matrix(x.data(), 1, 21), TensorView::matrix(y.data(), 1, 5),
                                           wg.data(), bg.data(), false)),
            "shape mismatch: linear weight grad: x: values per sample differ from the layer's features (got 21, expected 7)");
  EXPECT_EQ(status_text(linear_weight_grad(ctx, p, TensorView::matrix(x.data(), 3, 7), TensorView::matrix(y.data(), 3, 5),
                                           nullptr, bg.data(), false)),
            "invalid argument: linear weight grad: weight_grad is null");
}

TEST_F(LinearErrors, input_grad_names_dz_dx_and_weight) {
  EXPECT_EQ(status_text(linear_input_grad(ctx, p, TensorView::matrix(y.data(), 3, 5), w.data(),
                                          TensorView::matrix(x.data(), 3, 6), false)),
            "shape mismatch: linear input grad: dx: values per sample differ from the layer's features (got 6, expected 7)");
  EXPECT_EQ(status_text(linear_input_grad(ctx, p, TensorView::matrix(y.data(), 3, 5), w.data(),
                                          TensorView::matrix(x.data(), 2, 7), false)),
            "shape mismatch: linear input grad: dx: batch sizes differ (got 2, expected 3)");
  EXPECT_EQ(status_text(linear_input_grad(ctx, p, TensorView::matrix(y.data(), 3, 4), w.data(),
                                          TensorView::matrix(x.data(), 3, 7), false)),
            "shape mismatch: linear input grad: dz: values per sample differ from the layer's features (got 4, expected 5)");
  EXPECT_EQ(status_text(linear_input_grad(ctx, p, TensorView::matrix(y.data(), 3, 5), nullptr,
                                          TensorView::matrix(x.data(), 3, 7), false)),
            "invalid argument: linear input grad: weight is null");
}

TEST_F(LinearErrors, params_must_be_positive_with_a_positive_leaky_slope) {
  LinearParams bad = p;
  bad.in_features = 0;
  EXPECT_EQ(status_text(check_linear_params(bad)), "invalid argument: linear: in_features must be positive");
  bad = p;
  bad.out_features = -2;
  EXPECT_EQ(status_text(linear_forward(ctx, bad, TensorView::matrix(x.data(), 3, 7), w.data(), b.data(),
                                       TensorView::matrix(y.data(), 3, 5))),
            "invalid argument: linear: out_features must be positive");
  bad = p;
  bad.act = Activation::leaky_relu, bad.act_slope = 0.0f;
  EXPECT_EQ(status_text(check_linear_params(bad)), "invalid argument: linear: LeakyReLU slope must be positive");
}

}  // namespace
}  // namespace utrain
