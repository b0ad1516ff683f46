// Pooling: MaxPool2d and AvgPool2d forward against the definition (taps inside the input only,
// -infinity padding for max, both divisors for average), the input gradient against finite
// differences, over overlapping and strided windows, asymmetric padding, dilation, batch 1 and
// 3, odd sizes, both layouts; ties, NaN, accumulation, every team size; global average pooling;
// and the errors.
#include "layers/pool2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "pool_norm_test_support.h"
#include "support/status_text.h"
#include "support/tensor_layout.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

struct NamedWindow {
  const char* name;
  PoolKind kind;
  Window2d window;
  bool count_include_pad;
};

Window2d window(int32_t kh, int32_t kw, int32_t sh, int32_t sw, Padding2d pad = {}, int32_t dh = 1, int32_t dw = 1) {
  Window2d w;
  w.kernel_h = kh, w.kernel_w = kw, w.stride_h = sh, w.stride_w = sw, w.pad = pad, w.dilation_h = dh,
  w.dilation_w = dw;
  return w;
}

const NamedWindow kWindows[] = {
    {"max_k3_s1_pad1", PoolKind::max, window(3, 3, 1, 1, Padding2d::same(1)), true},
    {"max_k2_s2", PoolKind::max, window(2, 2, 2, 2), true},
    {"max_k3x2_s2x1_pad_asym_dil2x1", PoolKind::max, window(3, 2, 2, 1, {1, 0, 0, 1}, 2, 1), true},
    {"max_k2x3_s1x2_pad_asym_dil1x2", PoolKind::max, window(2, 3, 1, 2, {0, 1, 2, 1}, 1, 2), true},
    {"avg_k3_s2_pad1_include_pad", PoolKind::average, window(3, 3, 2, 2, Padding2d::same(1)), true},
    {"avg_k3_s2_pad1_exclude_pad", PoolKind::average, window(3, 3, 2, 2, Padding2d::same(1)), false},
    {"avg_k2x3_s1x2_pad_asym_exclude_pad", PoolKind::average, window(2, 3, 1, 2, {1, 0, 0, 2}), false},
    {"avg_k2_s2", PoolKind::average, window(2, 2, 2, 2), true},
};

constexpr Shape kShapes[] = {{1, 2, 7, 6}, {3, 3, 5, 7}};

struct PoolCase {
  NamedWindow w;
  Shape shape;
  Layout layout;
  int team;

  Pool2dParams params() const {
    Pool2dParams p;
    p.kind = w.kind, p.window = w.window, p.count_include_pad = w.count_include_pad, p.layout = layout;
    return p;
  }
};

std::string case_name(const ::testing::TestParamInfo<PoolCase>& info) {
  const PoolCase& c = info.param;
  std::ostringstream name;
  name << c.w.name << "_" << testing::shape_tag(c.shape) << "_" << testing::layout_tag(c.layout) << "_team" << c.team;
  return name.str();
}

std::vector<PoolCase> all_cases() {
  std::vector<PoolCase> cases;
  for (const NamedWindow& w : kWindows)
    for (Shape s : kShapes)
      for (Layout layout : {Layout::chw, Layout::hwc})
        cases.push_back({w, s, layout, 1});  // other teams: the bit-identical team test below
  return cases;
}

// `count` distinct values 0.01 apart, centred on 0, in random order: a max-pool window never
// has a tie, and a perturbation smaller than 0.01 never changes which value is its maximum.
std::vector<float> distinct_values(uint64_t seed, size_t count) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = (static_cast<float>(i) - static_cast<float>(count) / 2) * 0.01f;
  Rng rng(seed);
  for (size_t i = count; i > 1; --i) std::swap(values[i - 1], values[rng.below(static_cast<uint32_t>(i))]);
  return values;
}

Shape output_shape(const Pool2dParams& p, const Shape& input) {
  Shape out;
  EXPECT_TRUE(pool2d_output_shape(p, input, &out).ok());
  return out;
}

// The definition, in double over NCHW data: the taps of each window that fall inside the input,
// their first maximum or their sum over the divisor.
std::vector<double> reference_pool(const Pool2dParams& p, const std::vector<float>& x, const Shape& s) {
  const Shape o = output_shape(p, s);
  const Window2d& w = p.window;
  std::vector<double> y;
  for (int32_t n = 0; n < s.n; ++n)
    for (int32_t c = 0; c < s.c; ++c)
      for (int32_t oh = 0; oh < o.h; ++oh)
        for (int32_t ow = 0; ow < o.w; ++ow) {
          double best = -INFINITY, sum = 0.0;
          int inside = 0;
          for (int32_t i = 0; i < w.kernel_h; ++i)
            for (int32_t j = 0; j < w.kernel_w; ++j) {
              const int32_t h = oh * w.stride_h - w.pad.top + i * w.dilation_h;
              const int32_t col = ow * w.stride_w - w.pad.left + j * w.dilation_w;
              if (h < 0 || h >= s.h || col < 0 || col >= s.w) continue;
              const double v = x[static_cast<size_t>(((n * s.c + c) * s.h + h) * s.w + col)];
              best = std::max(best, v), sum += v, ++inside;
            }
          if (p.kind == PoolKind::max)
            y.push_back(best);
          else
            y.push_back(sum / (p.count_include_pad ? w.taps() : inside));
        }
  return y;
}

class PoolSteps : public ::testing::TestWithParam<PoolCase> {};

// Max pooling copies values, so it is exact; average pooling sums at most 9 values of order one
// in float: within 1e-6 of the double definition.
TEST_P(PoolSteps, forward_matches_the_definition) {
  const PoolCase c = GetParam();
  const Pool2dParams p = c.params();
  const std::vector<float> x = testing::uniform_values(40, static_cast<size_t>(c.shape.elements()));
  const Shape o = output_shape(p, c.shape);
  std::vector<float> x_in = testing::to_layout(x, c.shape, c.layout), y(static_cast<size_t>(o.elements()), NAN);
  ASSERT_TRUE(pool2d_forward(testing::context_of(c.team), p, TensorView::dense(x_in.data(), c.shape, c.layout),
                             TensorView::dense(y.data(), o, c.layout))
                  .ok());
  EXPECT_TRUE(testing::close_to_reference("y", testing::from_layout(y, o, c.layout), reference_pool(p, x, c.shape),
                                          p.kind == PoolKind::max ? 0.0 : 1e-6));
}

// The loss is piecewise linear in x. Max pooling's outputs are copies of inputs, so the loss has
// no rounding at all; its data are distinct values 0.01 apart and the step 1e-3 · max(1, |x|)
// (at most 1.6e-3 here) never changes a window's maximum. Average pooling's loss carries float
// rounding of about 1e-7, 1e-5 in a slope over the default step. Tolerance 1e-4 + 1e-4·|g|.
TEST_P(PoolSteps, input_grad_agrees_with_finite_differences) {
  const PoolCase c = GetParam();
  const Pool2dParams p = c.params();
  const ExecContext ctx = testing::context_of(c.team);
  const Shape o = output_shape(p, c.shape);
  const auto count = static_cast<size_t>(c.shape.elements());
  std::vector<float> x = p.kind == PoolKind::max ? distinct_values(41, count) : testing::uniform_values(41, count);
  const std::vector<float> dy = testing::uniform_values(42, static_cast<size_t>(o.elements()));
  testing::LayerGradientCheck check;
  check.x = &x, check.dy = &dy;
  check.forward = [&](std::vector<float>& y) {
    return pool2d_forward(ctx, p, TensorView::dense(x.data(), c.shape, c.layout), TensorView::dense(y.data(), o, c.layout));
  };
  check.input_grad = [&](std::vector<float>& dx) {
    return pool2d_input_grad(ctx, p, TensorView::dense(x.data(), c.shape, c.layout),
                             TensorView::dense(dy.data(), o, c.layout), TensorView::dense(dx.data(), c.shape, c.layout),
                             false);
  };
  testing::FiniteDifferenceOptions options;
  if (p.kind == PoolKind::max) options.relative_step = 1e-3;
  testing::expect_gradients_agree(check, {1e-4, 1e-4}, options);
}

// accumulate adds the step's gradient to what dx holds (sums of two floats: within 1e-6).
TEST_P(PoolSteps, input_grad_accumulates) {
  const PoolCase c = GetParam();
  const Pool2dParams p = c.params();
  const ExecContext ctx = testing::context_of(c.team);
  const Shape o = output_shape(p, c.shape);
  const auto count = static_cast<size_t>(c.shape.elements());
  const std::vector<float> x = distinct_values(43, count), dy = testing::uniform_values(44, static_cast<size_t>(o.elements())),
                           old = testing::uniform_values(45, count);
  const TensorView xv = TensorView::dense(x.data(), c.shape, c.layout), dyv = TensorView::dense(dy.data(), o, c.layout);
  std::vector<float> fresh = old, accumulated = old;
  ASSERT_TRUE(pool2d_input_grad(ctx, p, xv, dyv, TensorView::dense(fresh.data(), c.shape, c.layout), false).ok());
  ASSERT_TRUE(pool2d_input_grad(ctx, p, xv, dyv, TensorView::dense(accumulated.data(), c.shape, c.layout), true).ok());
  for (size_t i = 0; i < count; ++i) EXPECT_NEAR(accumulated[i], old[i] + fresh[i], 1e-6) << i;
}

INSTANTIATE_TEST_SUITE_P(Windows, PoolSteps, ::testing::ValuesIn(all_cases()), case_name);

class PoolLayouts : public ::testing::TestWithParam<Layout> {};

std::string layout_name(const ::testing::TestParamInfo<Layout>& info) { return testing::layout_tag(info.param); }

// Planes are split over the team and each plane's arithmetic does not depend on who runs it.
TEST_P(PoolLayouts, every_team_size_gives_the_same_bits) {
  const Layout layout = GetParam();
  const Shape s{3, 5, 6, 7};
  for (const NamedWindow& w : kWindows) {
    SCOPED_TRACE(w.name);
    PoolCase c{w, s, layout, 1};
    const Pool2dParams p = c.params();
    const Shape o = output_shape(p, s);
    const std::vector<float> x = testing::uniform_values(46, static_cast<size_t>(s.elements())),
                             dy = testing::uniform_values(47, static_cast<size_t>(o.elements()));
    std::vector<float> y_one, dx_one;
    for (int team : testing::kTeamSizes) {
      std::vector<float> y(static_cast<size_t>(o.elements())), dx(x.size());
      const ExecContext ctx = testing::context_of(team);
      ASSERT_TRUE(pool2d_forward(ctx, p, TensorView::dense(x.data(), s, layout), TensorView::dense(y.data(), o, layout)).ok());
      ASSERT_TRUE(pool2d_input_grad(ctx, p, TensorView::dense(x.data(), s, layout), TensorView::dense(dy.data(), o, layout),
                                    TensorView::dense(dx.data(), s, layout), false)
                      .ok());
      if (team == 1) y_one = y, dx_one = dx;
      EXPECT_EQ(y, y_one) << "team " << team;
      EXPECT_EQ(dx, dx_one) << "team " << team;
    }
  }
}

// Equal values in a window: the gradient goes to the first in row-major window order, as in
// PyTorch. With all values equal, window (oh, ow) of a 2×2, stride-1 pool starts at (oh, ow).
TEST_P(PoolLayouts, max_ties_send_the_gradient_to_the_first_maximum) {
  const Layout layout = GetParam();
  const Shape s{1, 2, 3, 3}, o{1, 2, 2, 2};
  Pool2dParams p;
  p.window = window(2, 2, 1, 1), p.layout = layout;
  const std::vector<float> x(18, 0.5f), dy(8, 1.0f);
  std::vector<float> dx(18, NAN);
  ASSERT_TRUE(pool2d_input_grad(testing::context_of(1), p, TensorView::dense(x.data(), s, layout),
                                TensorView::dense(dy.data(), o, layout), TensorView::dense(dx.data(), s, layout), false)
                  .ok());
  const std::vector<float> plane = {1, 1, 0, 1, 1, 0, 0, 0, 0};
  std::vector<float> want = plane;
  want.insert(want.end(), plane.begin(), plane.end());
  EXPECT_EQ(testing::from_layout(dx, s, layout), want);
}

// Padding is -infinity for max pooling (a window over negative values and padding gives their
// maximum, not 0) and NaN in a window makes its output NaN, as in PyTorch.
TEST_P(PoolLayouts, max_pads_with_minus_infinity_and_propagates_nan) {
  const Layout layout = GetParam();
  const Shape s{1, 1, 2, 2};
  Pool2dParams p;
  p.window = window(2, 2, 1, 1, Padding2d::same(1)), p.layout = layout;
  const Shape o = output_shape(p, s);
  std::vector<float> x = {-4, -3, -2, -1}, y(9);
  const ExecContext ctx = testing::context_of(1);
  ASSERT_TRUE(pool2d_forward(ctx, p, TensorView::dense(x.data(), s, layout), TensorView::dense(y.data(), o, layout)).ok());
  EXPECT_EQ(y, (std::vector<float>{-4, -3, -3, -2, -1, -1, -2, -1, -1}));
  x[1] = NAN;
  ASSERT_TRUE(pool2d_forward(ctx, p, TensorView::dense(x.data(), s, layout), TensorView::dense(y.data(), o, layout)).ok());
  for (size_t i : {0, 3, 6, 7, 8}) EXPECT_FALSE(std::isnan(y[i])) << i;
  for (size_t i : {1, 2, 4, 5}) EXPECT_TRUE(std::isnan(y[i])) << i;
}

// A 3×3 window with padding 1 over a 2×2 plane of ones: each window holds 4 inputs and 5 pads.
TEST_P(PoolLayouts, average_divides_by_the_whole_window_or_by_the_inputs) {
  const Layout layout = GetParam();
  const Shape s{1, 1, 2, 2};
  Pool2dParams p;
  p.kind = PoolKind::average, p.window = window(3, 3, 1, 1, Padding2d::same(1)), p.layout = layout;
  const std::vector<float> x(4, 1.0f);
  std::vector<float> y(4);
  for (bool include : {true, false}) {
    p.count_include_pad = include;
    ASSERT_TRUE(pool2d_forward(testing::context_of(1), p, TensorView::dense(x.data(), s, layout),
                               TensorView::dense(y.data(), s, layout))
                    .ok());
    EXPECT_EQ(y, std::vector<float>(4, include ? 4.0f / 9.0f : 1.0f));
  }
}

// The mean of each plane, within 1e-6 of the double definition; y may be given in either layout
// (a 1 × 1 plane is at the same place in both).
TEST_P(PoolLayouts, global_average_forward_matches_the_definition) {
  const Layout layout = GetParam();
  const Shape s{3, 19, 5, 3}, o{3, 19, 1, 1};
  const std::vector<float> x = testing::uniform_values(48, static_cast<size_t>(s.elements()));
  const testing::ReferenceMoments m = testing::reference_moments(
      x, s, s.n * s.c, [&](int32_t n, int32_t c, int32_t, int32_t) { return n * s.c + c; });
  std::vector<float> x_in = testing::to_layout(x, s, layout);
  for (Layout y_layout : {Layout::chw, Layout::hwc}) {
    std::vector<float> y(57, NAN);
    ASSERT_TRUE(global_avg_pool_forward(testing::context_of(3), TensorView::dense(x_in.data(), s, layout),
                                        TensorView::dense(y.data(), o, y_layout))
                    .ok());
    EXPECT_TRUE(testing::close_to_reference("y", y, m.mean, 1e-6));
  }
}

// Linear in x: float noise only. Tolerance 1e-4 + 1e-4·|g|.
TEST_P(PoolLayouts, global_average_input_grad_agrees_with_finite_differences_and_accumulates) {
  const Layout layout = GetParam();
  for (Shape s : {Shape{1, 3, 5, 3}, Shape{3, 17, 2, 3}}) {
    SCOPED_TRACE(testing::shape_tag(s));
    const Shape o{s.n, s.c, 1, 1};
    for (int team : {1, 3}) {
      const ExecContext ctx = testing::context_of(team);
      std::vector<float> x = testing::uniform_values(49, static_cast<size_t>(s.elements()));
      const std::vector<float> dy = testing::uniform_values(50, static_cast<size_t>(o.elements()));
      testing::LayerGradientCheck check;
      check.x = &x, check.dy = &dy;
      check.forward = [&](std::vector<float>& y) {
        return global_avg_pool_forward(ctx, TensorView::dense(x.data(), s, layout), TensorView::dense(y.data(), o));
      };
      check.input_grad = [&](std::vector<float>& dx) {
        return global_avg_pool_input_grad(ctx, TensorView::dense(dy.data(), o), TensorView::dense(dx.data(), s, layout),
                                          false);
      };
      testing::expect_gradients_agree(check, {1e-4, 1e-4});

      const std::vector<float> old = testing::uniform_values(51, x.size());
      std::vector<float> fresh(x.size()), accumulated = old;
      ASSERT_TRUE(global_avg_pool_input_grad(ctx, TensorView::dense(dy.data(), o), TensorView::dense(fresh.data(), s, layout),
                                             false)
                      .ok());
      ASSERT_TRUE(global_avg_pool_input_grad(ctx, TensorView::dense(dy.data(), o),
                                             TensorView::dense(accumulated.data(), s, layout), true)
                      .ok());
      for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(accumulated[i], old[i] + fresh[i], 1e-6) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, PoolLayouts, ::testing::Values(Layout::chw, Layout::hwc), layout_name);

class PoolErrors : public ::testing::Test {
 protected:
  ExecContext ctx = testing::context_of(1);
  Shape s{2, 3, 5, 5};
  std::vector<float> x = std::vector<float>(150, 0.5f), y = std::vector<float>(150), dx = std::vector<float>(150);
  TensorView view(std::vector<float>& v, Shape shape, Layout layout = Layout::chw) {
    return TensorView::dense(v.data(), shape, layout);
  }
};

TEST_F(PoolErrors, params_kind_window_dilation_and_layout) {
  Pool2dParams p;
  p.kind = static_cast<PoolKind>(9);
  EXPECT_EQ(status_text(check_pool2d_params(p)), "invalid argument: pool 2d: kind must be max or average");
  p = Pool2dParams{};
  p.window.stride_w = 0;
  EXPECT_EQ(status_text(check_pool2d_params(p)), "invalid argument: pool 2d: stride must be positive (got 0, expected 1)");
  p = Pool2dParams{};
  p.kind = PoolKind::average, p.window.dilation_w = 2;
  EXPECT_EQ(status_text(check_pool2d_params(p)),
            "unsupported: pool 2d: average pooling has no dilation (as PyTorch's AvgPool2d) (got 2, expected 1)");
  p.kind = PoolKind::max;  // max pooling has dilation
  EXPECT_TRUE(check_pool2d_params(p).ok());
  p = Pool2dParams{};
  p.layout = static_cast<Layout>(3);
  EXPECT_EQ(status_text(check_pool2d_params(p)), "invalid argument: pool 2d: layout must be CHW or HWC");
}

TEST_F(PoolErrors, output_shape_rejects_windows_that_do_not_fit_or_see_only_padding) {
  Pool2dParams p;
  Shape out;
  p.window = window(6, 2, 1, 1);
  EXPECT_EQ(status_text(pool2d_output_shape(p, s, &out)),
            "shape mismatch: pool 2d: padded input height is smaller than the window (got 5, expected 6)");
  p.window = window(2, 2, 1, 1, {0, 0, 2, 0});
  EXPECT_EQ(status_text(pool2d_output_shape(p, s, &out)),
            "invalid argument: pool 2d: the padding is so wide that a window lies wholly in it");
  p.window = window(2, 2, 1, 1, {0, 2, 0, 0});
  EXPECT_EQ(status_text(pool2d_output_shape(p, s, &out)),
            "invalid argument: pool 2d: the padding is so tall that a window lies wholly in it");
  // Dilation can skip over a one-row input: taps at rows -1 and 2.
  p.window = window(2, 1, 1, 1, {1, 2, 0, 0}, 3, 1);
  EXPECT_EQ(status_text(pool2d_output_shape(p, Shape{1, 1, 1, 4}, &out)),
            "invalid argument: pool 2d: the padding is so tall that a window lies wholly in it");
  p.window = window(3, 3, 2, 2, Padding2d::same(1));
  EXPECT_EQ(status_text(pool2d_output_shape(p, s, nullptr)), "invalid argument: pool 2d output shape: output is null");
  EXPECT_EQ(status_text(pool2d_output_shape(p, Shape{2, 0, 5, 5}, &out)),
            "invalid argument: pool 2d output shape: every input dimension must be positive");
  ASSERT_TRUE(pool2d_output_shape(p, s, &out).ok());
  EXPECT_EQ(out, (Shape{2, 3, 3, 3}));
}

TEST_F(PoolErrors, steps_name_the_tensor) {
  Pool2dParams p;
  p.window = window(2, 2, 2, 2);
  const Shape o{2, 3, 2, 2};
  EXPECT_EQ(status_text(pool2d_forward(ctx, p, view(x, s), view(y, {2, 3, 2, 3}))),
            "shape mismatch: pool 2d forward: y: width differs (got 3, expected 2)");
  EXPECT_EQ(status_text(pool2d_forward(ctx, p, view(x, s, Layout::hwc), view(y, o, Layout::hwc))),
            "shape mismatch: pool 2d forward: x: layout differs from the layer's");
  EXPECT_EQ(status_text(pool2d_forward(ctx, p, view(x, s), view(y, o, Layout::hwc))),
            "shape mismatch: pool 2d forward: y: layout differs (CHW against HWC)");
  EXPECT_EQ(status_text(pool2d_forward(ctx, p, TensorView{}, view(y, o))), "invalid argument: pool 2d forward: x: data is null");
  EXPECT_EQ(status_text(pool2d_forward(ExecContext{}, p, view(x, s), view(y, o))),
            "invalid argument: pool 2d forward: the context has no team");
  EXPECT_EQ(status_text(pool2d_input_grad(ctx, p, view(x, s), view(y, {1, 3, 2, 2}), view(dx, s), false)),
            "shape mismatch: pool 2d input grad: dy: batch size differs (got 1, expected 2)");
  EXPECT_EQ(status_text(pool2d_input_grad(ctx, p, view(x, s), view(y, o), view(dx, {2, 2, 5, 5}), false)),
            "shape mismatch: pool 2d input grad: dx: channel count differs (got 2, expected 3)");
  EXPECT_EQ(status_text(global_avg_pool_forward(ctx, view(x, s), view(y, {2, 3, 1, 2}))),
            "shape mismatch: global avg pool forward: y: width differs (got 2, expected 1)");
  EXPECT_EQ(status_text(global_avg_pool_input_grad(ctx, view(y, {2, 4, 1, 1}), view(dx, s), false)),
            "shape mismatch: global avg pool input grad: dy: channel count differs (got 4, expected 3)");
  EXPECT_EQ(status_text(global_avg_pool_input_grad(ctx, view(y, {2, 3, 1, 1}), TensorView{}, false)),
            "invalid argument: global avg pool input grad: dx: data is null");
}

}  // namespace
}  // namespace utrain
