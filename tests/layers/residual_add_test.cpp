// Residual add: the forward sum bit for bit over sizes that are and are not multiples of the
// team's chunk, in place on either branch, in both layouts and on every team size; the branch
// gradient against finite differences for both branches; accumulation and in-place gradients;
// and the errors.
#include "layers/residual_add.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "pool_norm_test_support.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

class ResidualAddLayouts : public ::testing::TestWithParam<Layout> {};

std::string layout_name(const ::testing::TestParamInfo<Layout>& info) { return testing::layout_tag(info.param); }

// 1 value, 315 (not a multiple of 16) and 384 (a multiple).
constexpr Shape kShapes[] = {{1, 1, 1, 1}, {3, 5, 7, 3}, {2, 16, 3, 4}};

TEST_P(ResidualAddLayouts, forward_is_the_exact_sum_in_place_or_not_on_every_team) {
  const Layout layout = GetParam();
  for (Shape s : kShapes) {
    SCOPED_TRACE(testing::shape_tag(s));
    const auto count = static_cast<size_t>(s.elements());
    const std::vector<float> a = testing::uniform_values(60, count), b = testing::uniform_values(61, count);
    std::vector<float> want(count);
    for (size_t i = 0; i < count; ++i) want[i] = a[i] + b[i];
    for (int team : testing::kTeamSizes) {
      const ExecContext ctx = testing::context_of(team);
      std::vector<float> y(count, NAN), on_a = a, on_b = b;
      ASSERT_TRUE(residual_add_forward(ctx, TensorView::dense(a.data(), s, layout), TensorView::dense(b.data(), s, layout),
                                       TensorView::dense(y.data(), s, layout))
                      .ok());
      EXPECT_EQ(y, want) << "team " << team;
      ASSERT_TRUE(residual_add_forward(ctx, TensorView::dense(on_a.data(), s, layout),
                                       TensorView::dense(b.data(), s, layout), TensorView::dense(on_a.data(), s, layout))
                      .ok());
      EXPECT_EQ(on_a, want) << "in place on a, team " << team;
      ASSERT_TRUE(residual_add_forward(ctx, TensorView::dense(a.data(), s, layout),
                                       TensorView::dense(on_b.data(), s, layout), TensorView::dense(on_b.data(), s, layout))
                      .ok());
      EXPECT_EQ(on_b, want) << "in place on b, team " << team;
    }
  }
}

// y = a + b is linear: the loss carries only float rounding (1e-7), tolerance 1e-4 + 1e-4·|g|.
TEST_P(ResidualAddLayouts, input_grad_agrees_with_finite_differences_for_both_branches) {
  const Layout layout = GetParam();
  const Shape s{3, 5, 3, 1};
  const auto count = static_cast<size_t>(s.elements());
  std::vector<float> a = testing::uniform_values(62, count), b = testing::uniform_values(63, count);
  const std::vector<float> dy = testing::uniform_values(64, count);
  const ExecContext ctx = testing::context_of(3);
  for (std::vector<float>* branch : {&a, &b}) {
    testing::LayerGradientCheck check;
    check.x = branch, check.dy = &dy;
    check.forward = [&](std::vector<float>& y) {
      return residual_add_forward(ctx, TensorView::dense(a.data(), s, layout), TensorView::dense(b.data(), s, layout),
                                  TensorView::dense(y.data(), s, layout));
    };
    check.input_grad = [&](std::vector<float>& dx) {
      return residual_add_input_grad(ctx, TensorView::dense(dy.data(), s, layout), TensorView::dense(dx.data(), s, layout),
                                     false);
    };
    testing::expect_gradients_agree(check, {1e-4, 1e-4});
  }
}

// dx (+)= dy; dx may be dy itself when not accumulating (then there is nothing to do).
TEST_P(ResidualAddLayouts, input_grad_accumulates_and_may_be_dy_itself) {
  const Layout layout = GetParam();
  const Shape s{3, 5, 7, 3};
  const auto count = static_cast<size_t>(s.elements());
  std::vector<float> dy = testing::uniform_values(65, count);
  const std::vector<float> old = testing::uniform_values(66, count), dy_before = dy;
  for (int team : testing::kTeamSizes) {
    const ExecContext ctx = testing::context_of(team);
    std::vector<float> copied(count, NAN), accumulated = old;
    ASSERT_TRUE(residual_add_input_grad(ctx, TensorView::dense(dy.data(), s, layout),
                                        TensorView::dense(copied.data(), s, layout), false)
                    .ok());
    EXPECT_EQ(copied, dy);
    ASSERT_TRUE(residual_add_input_grad(ctx, TensorView::dense(dy.data(), s, layout),
                                        TensorView::dense(accumulated.data(), s, layout), true)
                    .ok());
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(accumulated[i], old[i] + dy[i]) << i;
    ASSERT_TRUE(residual_add_input_grad(ctx, TensorView::dense(dy.data(), s, layout), TensorView::dense(dy.data(), s, layout),
                                        false)
                    .ok());
    EXPECT_EQ(dy, dy_before);
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, ResidualAddLayouts, ::testing::Values(Layout::chw, Layout::hwc), layout_name);

class ResidualAddErrors : public ::testing::Test {
 protected:
  ExecContext ctx = testing::context_of(1);
  Shape s{2, 3, 2, 2};
  std::vector<float> a = std::vector<float>(24, 0.5f), b = std::vector<float>(24, 0.25f), y = std::vector<float>(24);
  TensorView view(std::vector<float>& v, Shape shape = {2, 3, 2, 2}, Layout layout = Layout::chw) {
    return TensorView::dense(v.data(), shape, layout);
  }
};

TEST_F(ResidualAddErrors, forward_names_the_branch) {
  EXPECT_EQ(status_text(residual_add_forward(ctx, view(a), view(b, {2, 3, 4, 1}), view(y))),
            "shape mismatch: residual add forward: b: height differs (got 4, expected 2)");
  EXPECT_EQ(status_text(residual_add_forward(ctx, view(a), view(b), view(y, s, Layout::hwc))),
            "shape mismatch: residual add forward: y: layout differs (CHW against HWC)");
  EXPECT_EQ(status_text(residual_add_forward(ctx, view(a), TensorView{}, view(y))),
            "invalid argument: residual add forward: b: data is null");
  EXPECT_EQ(status_text(residual_add_forward(ctx, view(a), view(b), TensorView::dense(a.data() + 1, s))),
            "invalid argument: residual add forward: y overlaps a or b without being it (only exact in-place is "
            "allowed)");
  EXPECT_EQ(status_text(residual_add_forward(ExecContext{}, view(a), view(b), view(y))),
            "invalid argument: residual add forward: the context has no team");
  // The two branches may be one tensor (y = 2a).
  EXPECT_TRUE(residual_add_forward(ctx, view(a), view(a), view(y)).ok());
  EXPECT_EQ(y, std::vector<float>(24, 1.0f));
}

TEST_F(ResidualAddErrors, input_grad_names_dx) {
  EXPECT_EQ(status_text(residual_add_input_grad(ctx, view(a), view(y, {1, 3, 2, 2}), false)),
            "shape mismatch: residual add input grad: dx: batch size differs (got 1, expected 2)");
  EXPECT_EQ(status_text(residual_add_input_grad(ctx, view(a), view(a), true)),
            "invalid argument: residual add input grad: dx is dy, which cannot also accumulate (it would add dy "
            "twice)");
  EXPECT_EQ(status_text(residual_add_input_grad(ctx, view(a), TensorView::dense(a.data() + 4, s), false)),
            "invalid argument: residual add input grad: dx overlaps dy without being it (only exact in-place is "
            "allowed)");
  EXPECT_EQ(status_text(residual_add_input_grad(ctx, TensorView{}, view(y), false)),
            "invalid argument: residual add input grad: dy: data is null");
}

}  // namespace
}  // namespace utrain
