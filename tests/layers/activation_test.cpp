// Standalone activation layers: forward values against the formulas, backward against finite
// differences, in-place use, the same bits on every team size, and the errors that name a bad
// call.
#include "layers/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "pool_norm_test_support.h"
#include "support/finite_difference.h"
#include "support/same_bits.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

constexpr Activation kAllKinds[] = {Activation::none, Activation::relu, Activation::leaky_relu,
                                    Activation::sigmoid, Activation::tanh};
// A 4-D shape with every dimension above 1, so a loop that only walks one dimension shows.
constexpr Shape kShape{2, 3, 2, 2};
// The tests of the values run on one member; ActivationTeams compares the other team sizes with it.
const ExecContext serial = testing::context_of(1);

double reference(Activation kind, double x, double slope) {
  switch (kind) {
    case Activation::none: return x;
    case Activation::relu: return x > 0 ? x : 0;
    case Activation::leaky_relu: return x > 0 ? x : x * slope;
    case Activation::sigmoid: return 1 / (1 + std::exp(-x));
    case Activation::tanh: return std::tanh(x);
  }
  return NAN;
}

// Values in (-3, 3) at least 0.1 from 0, the ReLU and LeakyReLU kink: more than the
// finite-difference step (1e-2 · max(1, |x|) ≤ 0.03) can cross.
std::vector<float> inputs_away_from_zero(Rng& rng, size_t count) {
  std::vector<float> x(count);
  for (float& v : x) {
    do v = rng.uniform_symmetric(3.0f);
    while (std::fabs(v) < 0.1f);
  }
  return x;
}

TEST(ActivationForward, each_kind_matches_its_formula) {
  Rng rng(11);
  std::vector<float> x = inputs_away_from_zero(rng, static_cast<size_t>(kShape.elements()));
  x[0] = 0.0f;  // the kink itself: ReLU and LeakyReLU give exactly 0
  const ActivationParams leaky{Activation::leaky_relu, 0.2f};
  for (Activation kind : kAllKinds) {
    SCOPED_TRACE(activation_name(kind));
    const ActivationParams p{kind, leaky.slope};
    std::vector<float> y(x.size(), NAN);
    ASSERT_TRUE(
        activation_forward(serial, p, TensorView::dense(x.data(), kShape), TensorView::dense(y.data(), kShape)).ok());
    for (size_t i = 0; i < x.size(); ++i) {
      // Exact for the piecewise-linear kinds; sigmoid and tanh (outputs ≤ 1 in size) within a few
      // float ulps of expf/tanhf.
      EXPECT_NEAR(y[i], reference(kind, x[i], p.slope), 4e-7) << "x = " << x[i];
    }
  }
}

TEST(ActivationForward, relu_and_leaky_relu_are_exact_including_the_kink) {
  const std::vector<float> x = {-2.5f, -0.0f, 0.0f, 1e-30f, 3.0f, -1e-30f};
  std::vector<float> y(x.size());
  const Shape s{1, 6, 1, 1};
  ASSERT_TRUE(
      activation_forward(serial, {Activation::relu}, TensorView::dense(x.data(), s), TensorView::dense(y.data(), s))
          .ok());
  EXPECT_EQ(y, (std::vector<float>{0.0f, 0.0f, 0.0f, 1e-30f, 3.0f, 0.0f}));
  ASSERT_TRUE(activation_forward(serial, {Activation::leaky_relu, 0.5f}, TensorView::dense(x.data(), s),
                                 TensorView::dense(y.data(), s))
                  .ok());
  EXPECT_EQ(y, (std::vector<float>{-1.25f, -0.0f, 0.0f, 1e-30f, 3.0f, -0.5e-30f}));
}

TEST(ActivationForward, sigmoid_and_tanh_saturate_to_finite_values) {
  const std::vector<float> x = {-200.0f, -90.0f, 90.0f, 200.0f};
  const Shape s{4, 1, 1, 1};
  std::vector<float> y(x.size()), dx(x.size());
  const std::vector<float> dy(x.size(), 1.0f);
  for (Activation kind : {Activation::sigmoid, Activation::tanh}) {
    SCOPED_TRACE(activation_name(kind));
    const ActivationParams p{kind};
    ASSERT_TRUE(activation_forward(serial, p, TensorView::dense(x.data(), s), TensorView::dense(y.data(), s)).ok());
    ASSERT_TRUE(activation_backward(serial, p, TensorView::dense(y.data(), s), TensorView::dense(dy.data(), s),
                                    TensorView::dense(dx.data(), s))
                    .ok());
    EXPECT_EQ(y[0], kind == Activation::sigmoid ? 0.0f : -1.0f);
    EXPECT_EQ(y[3], 1.0f);
    for (float g : dx) EXPECT_EQ(g, 0.0f);  // flat where saturated, not NaN
  }
}

TEST(ActivationForward, in_place_gives_the_out_of_place_result) {
  Rng rng(12);
  const std::vector<float> x = inputs_away_from_zero(rng, static_cast<size_t>(kShape.elements()));
  for (Activation kind : kAllKinds) {
    SCOPED_TRACE(activation_name(kind));
    std::vector<float> out_of_place(x.size()), in_place = x;
    ASSERT_TRUE(activation_forward(serial, {kind}, TensorView::dense(x.data(), kShape),
                                   TensorView::dense(out_of_place.data(), kShape))
                    .ok());
    const TensorView both = TensorView::dense(in_place.data(), kShape);
    ASSERT_TRUE(activation_forward(serial, {kind}, both, both).ok());
    EXPECT_EQ(in_place, out_of_place);
  }
}

// dx from the saved output against central differences of Σ dy ⊙ act(x). Tolerance 1e-4 +
// 1e-3·|slope|: the rounding noise of a 24-term float loss over 2h is about 1e-5, and sigmoid's
// and tanh's truncation error (h up to 0.03 for |x| up to 3) stays near 2e-5, the worst seen;
// the piecewise-linear kinds agree to the noise.
TEST(ActivationBackward, each_kind_matches_finite_differences) {
  Rng rng(13);
  std::vector<float> x = inputs_away_from_zero(rng, static_cast<size_t>(kShape.elements()));
  std::vector<float> dy(x.size());
  for (float& v : dy) v = rng.uniform_symmetric(1.0f);
  for (Activation kind : kAllKinds) {
    SCOPED_TRACE(activation_name(kind));
    const ActivationParams p{kind, 0.05f};
    std::vector<float> y(x.size()), dx(x.size());
    const auto loss = [&] {
      EXPECT_TRUE(
          activation_forward(serial, p, TensorView::dense(x.data(), kShape), TensorView::dense(y.data(), kShape)).ok());
      return testing::probe_loss(y, dy);
    };
    const testing::NumericalGradient numerical = testing::numerical_gradient(loss, x);
    ASSERT_TRUE(
        activation_forward(serial, p, TensorView::dense(x.data(), kShape), TensorView::dense(y.data(), kShape)).ok());
    ASSERT_TRUE(activation_backward(serial, p, TensorView::dense(y.data(), kShape),
                                    TensorView::dense(dy.data(), kShape), TensorView::dense(dx.data(), kShape))
                    .ok());
    EXPECT_TRUE(testing::gradients_agree("dx", dx, numerical, {1e-4, 1e-3}));
  }
}

// PyTorch's choice at x = 0 (an output of exactly 0): ReLU passes nothing, LeakyReLU the slope.
TEST(ActivationBackward, relu_and_leaky_relu_slopes_at_zero_follow_pytorch) {
  const Shape s{1, 1, 1, 1};
  const float y = 0.0f, dy = 2.0f;
  float dx = NAN;
  ASSERT_TRUE(activation_backward(serial, {Activation::relu}, TensorView::dense(&y, s), TensorView::dense(&dy, s),
                                  TensorView::dense(&dx, s))
                  .ok());
  EXPECT_EQ(dx, 0.0f);
  ASSERT_TRUE(activation_backward(serial, {Activation::leaky_relu, 0.25f}, TensorView::dense(&y, s),
                                  TensorView::dense(&dy, s), TensorView::dense(&dx, s))
                  .ok());
  EXPECT_EQ(dx, 0.5f);
}

TEST(ActivationBackward, in_place_over_dy_gives_the_out_of_place_result) {
  Rng rng(14);
  const std::vector<float> x = inputs_away_from_zero(rng, static_cast<size_t>(kShape.elements()));
  std::vector<float> dy(x.size());
  for (float& v : dy) v = rng.uniform_symmetric(1.0f);
  for (Activation kind : kAllKinds) {
    SCOPED_TRACE(activation_name(kind));
    std::vector<float> y(x.size()), dx(x.size());
    ASSERT_TRUE(
        activation_forward(serial, {kind}, TensorView::dense(x.data(), kShape), TensorView::dense(y.data(), kShape))
            .ok());
    ASSERT_TRUE(activation_backward(serial, {kind}, TensorView::dense(y.data(), kShape),
                                    TensorView::dense(dy.data(), kShape), TensorView::dense(dx.data(), kShape))
                    .ok());
    std::vector<float> in_place = dy;
    const TensorView both = TensorView::dense(in_place.data(), kShape);
    ASSERT_TRUE(activation_backward(serial, {kind}, TensorView::dense(y.data(), kShape), both, both).ok());
    EXPECT_EQ(in_place, dx);
    // Over y as well: each element's slope is read before its gradient is written.
    std::vector<float> over_y = y;
    const TensorView y_and_dx = TensorView::dense(over_y.data(), kShape);
    ASSERT_TRUE(activation_backward(serial, {kind}, y_and_dx, TensorView::dense(dy.data(), kShape), y_and_dx).ok());
    EXPECT_EQ(over_y, dx);
  }
}

// Element counts around the team's 16-float chunks: one value and one chunk and a bit (run on the
// caller alone on every team), then counts that split unevenly over 2, 3 and 8 members.
constexpr int32_t kTeamCounts[] = {1, 17, 1000, 4099};

// Forward and backward, out of place and in place, on each team size against one member, bit for
// bit: every element is computed by the same code whichever member runs it. The inputs include
// exact zeros (ReLU's kink) and both signs of zero.
TEST(ActivationTeams, every_kind_forward_and_backward_is_bitwise_the_one_member_result) {
  for (int32_t count : kTeamCounts) {
    const Shape s{1, count, 1, 1};
    std::vector<float> x = testing::uniform_values(15, static_cast<size_t>(count), 4.0f);
    const std::vector<float> dy = testing::uniform_values(16, x.size());
    for (size_t i = 0; i < x.size(); i += 7) x[i] = i % 2 == 0 ? 0.0f : -0.0f;
    for (Activation kind : kAllKinds) {
      SCOPED_TRACE(::testing::Message() << activation_name(kind) << ", " << count << " values");
      const ActivationParams p{kind, 0.1f};
      std::vector<float> y_one(x.size()), dx_one(x.size());
      ASSERT_TRUE(
          activation_forward(serial, p, TensorView::dense(x.data(), s), TensorView::dense(y_one.data(), s)).ok());
      ASSERT_TRUE(activation_backward(serial, p, TensorView::dense(y_one.data(), s), TensorView::dense(dy.data(), s),
                                      TensorView::dense(dx_one.data(), s))
                      .ok());
      for (int team : testing::kTeamSizes) {
        SCOPED_TRACE(::testing::Message() << "team " << team);
        const ExecContext ctx = testing::context_of(team);
        std::vector<float> y(x.size(), NAN), dx(x.size(), NAN), y_in_place = x, dx_in_place = dy;
        ASSERT_TRUE(activation_forward(ctx, p, TensorView::dense(x.data(), s), TensorView::dense(y.data(), s)).ok());
        ASSERT_TRUE(activation_backward(ctx, p, TensorView::dense(y.data(), s), TensorView::dense(dy.data(), s),
                                        TensorView::dense(dx.data(), s))
                        .ok());
        const TensorView y_both = TensorView::dense(y_in_place.data(), s);
        const TensorView dx_both = TensorView::dense(dx_in_place.data(), s);
        ASSERT_TRUE(activation_forward(ctx, p, y_both, y_both).ok());
        ASSERT_TRUE(activation_backward(ctx, p, y_both, dx_both, dx_both).ok());
        EXPECT_TRUE(testing::same_bits("y", y, y_one));
        EXPECT_TRUE(testing::same_bits("dx", dx, dx_one));
        EXPECT_TRUE(testing::same_bits("in-place y", y_in_place, y_one));
        EXPECT_TRUE(testing::same_bits("in-place dx", dx_in_place, dx_one));
      }
    }
  }
}

class ActivationErrors : public ::testing::Test {
 protected:
  std::vector<float> a = std::vector<float>(64, 0.5f), b = std::vector<float>(64, 0.5f),
                     c = std::vector<float>(64, 0.5f);
  TensorView x = TensorView::dense(a.data(), kShape);
  TensorView y = TensorView::dense(b.data(), kShape);
  TensorView g = TensorView::dense(c.data(), kShape);
};

TEST_F(ActivationErrors, forward_names_a_mismatched_output_dimension) {
  y.shape.c = 4;
  y.strides = dense_strides(y.shape, y.layout);
  const Status s = activation_forward(serial, {Activation::relu}, x, y);
  EXPECT_EQ(s.code(), StatusCode::shape_mismatch);
  EXPECT_EQ(status_text(s), "shape mismatch: activation forward: y: channel count differs (got 4, expected 3)");
  y = TensorView::dense(b.data(), Shape{3, 3, 2, 2});
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::relu}, x, y)),
            "shape mismatch: activation forward: y: batch size differs (got 3, expected 2)");
  y = TensorView::dense(b.data(), Shape{2, 3, 2, 1});
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::relu}, x, y)),
            "shape mismatch: activation forward: y: width differs (got 1, expected 2)");
  y = TensorView::dense(b.data(), kShape, Layout::hwc);
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::relu}, x, y)),
            "shape mismatch: activation forward: y: layout differs (CHW against HWC)");
}

TEST_F(ActivationErrors, forward_refuses_null_f16_and_strided_tensors) {
  x.data = nullptr;
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::tanh}, x, y)),
            "invalid argument: activation forward: x: data is null");
  x = TensorView::dense(a.data(), kShape);
  y.dtype = DType::f16;
  EXPECT_EQ(activation_forward(serial, {Activation::tanh}, x, y).code(), StatusCode::unsupported);
  y = TensorView::dense(b.data(), kShape);
  y.strides.n = 20;
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::tanh}, x, y)),
            "unsupported: activation forward: y: strided views are not supported here");
}

TEST_F(ActivationErrors, both_steps_need_a_context_with_a_team) {
  EXPECT_EQ(status_text(activation_forward(ExecContext{}, {Activation::relu}, x, y)),
            "invalid argument: activation forward: the context has no team");
  EXPECT_EQ(status_text(activation_backward(ExecContext{}, {Activation::relu}, y, g, g)),
            "invalid argument: activation backward: the context has no team");
}

TEST_F(ActivationErrors, leaky_relu_slope_must_be_positive_and_the_kind_known) {
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::leaky_relu, 0.0f}, x, y)),
            "invalid argument: activation forward: LeakyReLU slope must be positive");
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::leaky_relu, -0.1f}, y, g, g)),
            "invalid argument: activation backward: LeakyReLU slope must be positive");
  EXPECT_EQ(activation_forward(serial, {Activation::leaky_relu, NAN}, x, y).code(), StatusCode::invalid_argument);
  EXPECT_EQ(status_text(activation_forward(serial, {static_cast<Activation>(42)}, x, y)),
            "invalid argument: activation forward: unknown activation kind");
  // The slope is only LeakyReLU's business.
  EXPECT_TRUE(activation_forward(serial, {Activation::relu, 0.0f}, x, y).ok());
}

TEST_F(ActivationErrors, a_shifted_overlap_is_refused_but_exact_in_place_is_not) {
  const Shape half{1, 3, 2, 2};  // 12 of the 64 floats
  const TensorView first = TensorView::dense(a.data(), half);
  const TensorView shifted = TensorView::dense(a.data() + 5, half);
  EXPECT_EQ(status_text(activation_forward(serial, {Activation::relu}, first, shifted)),
            "invalid argument: activation forward: y overlaps x without being x (only exact in-place is allowed)");
  EXPECT_TRUE(activation_forward(serial, {Activation::relu}, first, first).ok());
  EXPECT_TRUE(activation_forward(serial, {Activation::relu}, first, TensorView::dense(a.data() + 12, half)).ok());
  const TensorView other = TensorView::dense(b.data(), half);
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::relu}, other, first, shifted)),
            "invalid argument: activation backward: dx overlaps dy without being dy (only exact in-place is allowed)");
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::relu}, first, other, shifted)),
            "invalid argument: activation backward: dx overlaps y without being y (only exact in-place is allowed)");
}

TEST_F(ActivationErrors, backward_names_dy_and_dx_shape_problems) {
  const TensorView small = TensorView::dense(c.data(), Shape{2, 3, 1, 2});
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::sigmoid}, y, small, g)),
            "shape mismatch: activation backward: dy: height differs (got 1, expected 2)");
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::sigmoid}, y, g, small)),
            "shape mismatch: activation backward: dx: height differs (got 1, expected 2)");
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::sigmoid}, TensorView{}, g, g)),
            "invalid argument: activation backward: y: data is null");
  TensorView empty = g;
  empty.shape.n = 0;
  EXPECT_EQ(status_text(activation_backward(serial, {Activation::sigmoid}, y, empty, g)),
            "invalid argument: activation backward: dy: every dimension must be positive");
}

}  // namespace
}  // namespace utrain
