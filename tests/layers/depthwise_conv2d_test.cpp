// The depthwise Conv2D layer's steps checked against finite differences of its own forward pass:
// square and non-square kernels, strides 1..3, symmetric and asymmetric padding, dilation, batch 1
// and 2, with and without bias, fused activations, both layouts, teams of 1 and 3. Then the
// accumulate flags, frozen weight or bias, explicitly chosen kernels, the shape helpers and the
// error messages.
#include "layers/depthwise_conv2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/dw/depthwise_reference.h"
#include "layers/activation.h"
#include "support/finite_difference.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

Window2d make_window(int32_t kh, int32_t kw, int32_t sh, int32_t sw, Padding2d pad, int32_t dh = 1, int32_t dw = 1) {
  Window2d w;
  w.kernel_h = kh, w.kernel_w = kw, w.stride_h = sh, w.stride_w = sw, w.pad = pad, w.dilation_h = dh,
  w.dilation_w = dw;
  return w;
}

struct Geometry {
  const char* name;
  int32_t batch, channels, in_h, in_w;
  Window2d window;
};

const Geometry kGeometries[] = {
    {"k3x3_s1_pad1", 1, 3, 6, 5, make_window(3, 3, 1, 1, Padding2d::same(1))},
    {"k3x3_s2_pad_asym", 2, 2, 7, 6, make_window(3, 3, 2, 2, Padding2d{0, 1, 0, 1})},
    {"k2x3_s2x1_dil2_pad_asym", 1, 3, 6, 7, make_window(2, 3, 2, 1, Padding2d{1, 0, 2, 1}, 2, 2)},
    {"k5x1_s3_pad2", 2, 2, 8, 4, make_window(5, 1, 3, 1, Padding2d{2, 2, 0, 0})},
    {"k1x1_s2_unread_inputs", 1, 3, 5, 5, make_window(1, 1, 2, 2, {})},
    {"k3x2_s1x2_dil2x1_nopad", 2, 2, 7, 6, make_window(3, 2, 1, 2, {}, 2, 1)},
};

struct DwCase {
  Geometry g;
  Layout layout;
  bool bias;
  Activation act;
  int team;
};

// e.g. k3x3_s2_pad_asym_hwc_bias_tanh_team3
std::string case_name(const ::testing::TestParamInfo<DwCase>& info) {
  const DwCase& c = info.param;
  std::ostringstream name;
  name << c.g.name << (c.layout == Layout::chw ? "_chw" : "_hwc") << (c.bias ? "_bias_" : "_nobias_")
       << activation_name(c.act) << "_team" << c.team;
  return name.str();
}

std::vector<DwCase> all_cases() {
  std::vector<DwCase> cases;
  int i = 0;
  for (const Geometry& g : kGeometries)
    for (Layout layout : {Layout::chw, Layout::hwc}) {
      // Plain with bias; a smooth activation without bias; a kinked one with bias.
      cases.push_back({g, layout, true, Activation::none, 1 + 2 * (i++ % 2)});
      cases.push_back({g, layout, false, i % 2 == 0 ? Activation::tanh : Activation::sigmoid, 1 + 2 * (i++ % 2)});
      cases.push_back({g, layout, true, Activation::leaky_relu, 1 + 2 * (i++ % 2)});
    }
  return cases;
}

// Everything one check needs: parameters, shapes, data and the upstream gradient dy.
struct DwProblem {
  DepthwiseConv2dParams p;
  Shape in, out;
  std::vector<float> x, weight, bias, dy;

  TensorView x_view() { return TensorView::dense(x.data(), in, p.layout); }
  TensorView view_of(std::vector<float>& v, const Shape& s) const { return TensorView::dense(v.data(), s, p.layout); }
  const float* bias_or_null() const { return p.has_bias ? bias.data() : nullptr; }
};

// The smallest |pre-activation| over every output, from the plain reference.
double smallest_pre_activation(const DwProblem& d) {
  DepthwiseArgs a;
  a.layout = d.p.layout, a.batch = d.in.n, a.channels = d.in.c, a.in_h = d.in.h, a.in_w = d.in.w;
  a.out_h = d.out.h, a.out_w = d.out.w, a.window = d.p.window;
  a.x = d.x.data(), a.weight = d.weight.data(), a.bias = d.bias_or_null();
  std::vector<float> z(static_cast<size_t>(d.out.elements()));
  a.y = z.data();
  depthwise_reference(LayerStep::forward, a);
  double smallest = INFINITY;
  for (float v : z) smallest = std::fmin(smallest, std::fabs(v));
  return smallest;
}

// Values in (-1, 1). LeakyReLU has a kink at z = 0; perturbing one value by the step h = 1e-2
// moves any z by at most h (every coefficient is below 1 in size), so data are redrawn until
// every |z| is at least 0.05.
bool draw_problem(const DwCase& c, uint64_t seed, DwProblem* d) {
  d->p.channels = c.g.channels, d->p.window = c.g.window, d->p.has_bias = c.bias, d->p.act = c.act;
  d->p.act_slope = 0.1f, d->p.layout = c.layout;
  d->in = Shape{c.g.batch, c.g.channels, c.g.in_h, c.g.in_w};
  if (!depthwise_conv2d_output_shape(d->p, d->in, &d->out).ok()) return false;
  Rng rng(seed);
  const auto draw = [&](std::vector<float>& v, int64_t count) {
    v.resize(static_cast<size_t>(count));
    for (float& value : v) value = rng.uniform_symmetric(1.0f);
  };
  for (int attempt = 0; attempt < 1000; ++attempt) {
    draw(d->x, d->in.elements());
    draw(d->weight, depthwise_conv2d_weight_count(d->p));
    draw(d->bias, c.g.channels);
    draw(d->dy, d->out.elements());
    if (c.act != Activation::leaky_relu || smallest_pre_activation(*d) >= 0.05) return true;
  }
  return false;
}

class DepthwiseFiniteDifferences : public ::testing::TestWithParam<DwCase> {};

// Tolerance 2e-4 + 1e-3·|g|. Each loss is Σ dy ⊙ y over at most 168 float outputs of sums of at
// most 9 products of values below 1, so its rounding noise is about 1e-6 and, over 2h = 2e-2,
// 5e-5 in a slope; sigmoid and tanh add a truncation error of at most h²·|f'''|/6 ≈ 3e-5.
TEST_P(DepthwiseFiniteDifferences, weight_bias_and_input_grads_agree) {
  const DwCase c = GetParam();
  DwProblem d;
  ASSERT_TRUE(draw_problem(c, 500 + static_cast<uint64_t>(c.g.in_h * 100 + c.g.in_w * 10 + c.g.channels), &d));
  const ExecContext ctx{&testing::team_of(c.team), IsaSet::generic_only()};
  std::vector<float> y(d.dy.size());
  const TensorView y_view = d.view_of(y, d.out);
  const auto loss = [&] {
    EXPECT_TRUE(depthwise_conv2d_forward(ctx, d.p, d.x_view(), d.weight.data(), d.bias_or_null(), y_view).ok());
    return testing::probe_loss(y, d.dy);
  };
  const testing::NumericalGradient numerical_weight = testing::numerical_gradient(loss, d.weight);
  const testing::NumericalGradient numerical_bias = testing::numerical_gradient(loss, d.bias);
  const testing::NumericalGradient numerical_x = testing::numerical_gradient(loss, d.x);

  // Analytic: forward, dy → dz through the saved output, then the two gradient steps.
  ASSERT_TRUE(depthwise_conv2d_forward(ctx, d.p, d.x_view(), d.weight.data(), d.bias_or_null(), y_view).ok());
  std::vector<float> dz(d.dy.size());
  const TensorView dz_view = d.view_of(dz, d.out);
  ASSERT_TRUE(activation_backward(ctx, {c.act, d.p.act_slope}, y_view, d.view_of(d.dy, d.out), dz_view).ok());
  std::vector<float> weight_grad(d.weight.size(), NAN), bias_grad(d.bias.size(), NAN), dx(d.x.size(), NAN);
  Status s = depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz_view, weight_grad.data(), bias_grad.data(), false);
  ASSERT_TRUE(s.ok()) << status_text(s);
  s = depthwise_conv2d_input_grad(ctx, d.p, dz_view, d.weight.data(), d.view_of(dx, d.in), false);
  ASSERT_TRUE(s.ok()) << status_text(s);

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

INSTANTIATE_TEST_SUITE_P(Windows, DepthwiseFiniteDifferences, ::testing::ValuesIn(all_cases()), case_name);

std::string layout_name_of(const ::testing::TestParamInfo<Layout>& info) {
  return info.param == Layout::chw ? "chw" : "hwc";
}

std::vector<float> random_like(const std::vector<float>& v, Rng& rng) {
  std::vector<float> r(v.size());
  for (float& value : r) value = rng.uniform_symmetric(1.0f);
  return r;
}

class DepthwiseAccumulate : public ::testing::TestWithParam<Layout> {};

// accumulate = true adds the step's result to what the output holds; false overwrites it. Sums of
// two floats of order one: tolerance 1e-6. A null weight_grad or bias_grad skips that output only.
TEST_P(DepthwiseAccumulate, weight_bias_and_input_grads_add_to_what_is_there) {
  const DwCase c{kGeometries[1], GetParam(), true, Activation::none, 3};
  DwProblem d;
  ASSERT_TRUE(draw_problem(c, 77, &d));
  const ExecContext ctx{&testing::team_of(c.team), IsaSet::generic_only()};
  const TensorView dz = d.view_of(d.dy, d.out);
  std::vector<float> fresh_w(d.weight.size()), fresh_b(d.bias.size()), fresh_x(d.x.size());
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, fresh_w.data(), fresh_b.data(), false).ok());
  ASSERT_TRUE(depthwise_conv2d_input_grad(ctx, d.p, dz, d.weight.data(), d.view_of(fresh_x, d.in), false).ok());

  Rng rng(78);
  const std::vector<float> old_w = random_like(fresh_w, rng), old_b = random_like(fresh_b, rng),
                           old_x = random_like(fresh_x, rng);
  std::vector<float> acc_w = old_w, acc_b = old_b, acc_x = old_x;
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, acc_w.data(), acc_b.data(), true).ok());
  ASSERT_TRUE(depthwise_conv2d_input_grad(ctx, d.p, dz, d.weight.data(), d.view_of(acc_x, d.in), true).ok());
  for (size_t i = 0; i < acc_w.size(); ++i) EXPECT_NEAR(acc_w[i], old_w[i] + fresh_w[i], 1e-6) << "weight " << i;
  for (size_t i = 0; i < acc_b.size(); ++i) EXPECT_NEAR(acc_b[i], old_b[i] + fresh_b[i], 1e-6) << "bias " << i;
  for (size_t i = 0; i < acc_x.size(); ++i) EXPECT_NEAR(acc_x[i], old_x[i] + fresh_x[i], 1e-6) << "input " << i;

  // Overwriting ignores what was there.
  std::vector<float> over_w = old_w, over_b = old_b, over_x = old_x;
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, over_w.data(), over_b.data(), false).ok());
  ASSERT_TRUE(depthwise_conv2d_input_grad(ctx, d.p, dz, d.weight.data(), d.view_of(over_x, d.in), false).ok());
  EXPECT_EQ(over_w, fresh_w);
  EXPECT_EQ(over_b, fresh_b);
  EXPECT_EQ(over_x, fresh_x);
  // A frozen bias (null bias_grad) still gets its weight gradient, and frozen weights their bias's.
  std::vector<float> frozen_w(fresh_w.size()), frozen_b(fresh_b.size());
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, frozen_w.data(), nullptr, false).ok());
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, nullptr, frozen_b.data(), false).ok());
  EXPECT_EQ(frozen_w, fresh_w);
  EXPECT_EQ(frozen_b, fresh_b);
  // Both null: nothing to do, and nothing is read.
  EXPECT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, nullptr, nullptr, false).ok());
}

INSTANTIATE_TEST_SUITE_P(Layouts, DepthwiseAccumulate, ::testing::Values(Layout::chw, Layout::hwc), layout_name_of);

class DepthwiseExplicitKernels : public ::testing::TestWithParam<Layout> {};

// Every table entry of the layout, passed explicitly, gives the default's result to rounding (the
// RV32F entries are plain C++, so the context offers them here too).
TEST_P(DepthwiseExplicitKernels, every_entry_agrees_with_the_default) {
  const DwCase c{kGeometries[2], GetParam(), true, Activation::tanh, 3};
  DwProblem d;
  ASSERT_TRUE(draw_problem(c, 91, &d));
  const ExecContext ctx{&testing::team_of(c.team), IsaSet::generic_only().with(Isa::rv32_f)};
  const TensorView dz = d.view_of(d.dy, d.out);
  std::vector<float> y0(d.dy.size()), dw0(d.weight.size()), db0(d.bias.size()), dx0(d.x.size());
  ASSERT_TRUE(depthwise_conv2d_forward(ctx, d.p, d.x_view(), d.weight.data(), d.bias.data(), d.view_of(y0, d.out)).ok());
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, dw0.data(), db0.data(), false).ok());
  ASSERT_TRUE(depthwise_conv2d_input_grad(ctx, d.p, dz, d.weight.data(), d.view_of(dx0, d.in), false).ok());
  int runs = 0;
  for (const DepthwiseKernel& k : depthwise_kernels()) {
    if (k.layout != c.layout) continue;
    std::vector<float> out, extra;
    Status s;
    const std::vector<float>* want = nullptr;
    if (k.step == LayerStep::forward) {
      out.resize(y0.size());
      s = depthwise_conv2d_forward(ctx, d.p, d.x_view(), d.weight.data(), d.bias.data(), d.view_of(out, d.out), &k);
      want = &y0;
    } else if (k.step == LayerStep::weight_grad) {
      out.resize(dw0.size());
      s = depthwise_conv2d_weight_grad(ctx, d.p, d.x_view(), dz, out.data(), nullptr, false, &k);
      want = &dw0;
    } else {
      out.resize(dx0.size());
      s = depthwise_conv2d_input_grad(ctx, d.p, dz, d.weight.data(), d.view_of(out, d.in), false, &k);
      want = &dx0;
    }
    ASSERT_TRUE(s.ok()) << k.name << ": " << status_text(s);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], (*want)[i], 1e-5) << k.name << " [" << i << "]";
    ++runs;
  }
  int of_layout = 0;
  for (const DepthwiseKernel& k : depthwise_kernels()) of_layout += k.layout == c.layout ? 1 : 0;
  EXPECT_EQ(runs, of_layout);
}

INSTANTIATE_TEST_SUITE_P(Layouts, DepthwiseExplicitKernels, ::testing::Values(Layout::chw, Layout::hwc),
                         layout_name_of);

TEST(DepthwiseShapes, output_shape_weight_count_and_macs) {
  DepthwiseConv2dParams p;
  p.channels = 64, p.window = make_window(3, 3, 1, 1, Padding2d::same(1));
  Shape out;
  ASSERT_TRUE(depthwise_conv2d_output_shape(p, Shape{2, 64, 25, 5}, &out).ok());
  EXPECT_EQ(out, (Shape{2, 64, 25, 5}));
  EXPECT_EQ(depthwise_conv2d_weight_count(p), 64 * 9);
  EXPECT_EQ(depthwise_conv2d_bias_count(p), 64);
  EXPECT_EQ(depthwise_conv2d_step_macs(p, Shape{2, 64, 25, 5}), int64_t{2} * 64 * 25 * 5 * 9);
  p.window = make_window(3, 3, 2, 2, Padding2d{0, 1, 0, 1});
  p.has_bias = false;
  ASSERT_TRUE(depthwise_conv2d_output_shape(p, Shape{1, 64, 25, 5}, &out).ok());
  EXPECT_EQ(out, (Shape{1, 64, 12, 2}));
  EXPECT_EQ(depthwise_conv2d_bias_count(p), 0);
  EXPECT_EQ(depthwise_conv2d_step_macs(p, Shape{1, 63, 25, 5}), 0);  // the channels do not fit
  EXPECT_EQ(status_text(depthwise_conv2d_output_shape(p, Shape{1, 63, 25, 5}, &out)),
            "shape mismatch: depthwise conv2d: input channels differ from the layer's (got 63, expected 64)");
}

class DepthwiseErrors : public ::testing::Test {
 protected:
  DepthwiseErrors() { p.channels = 3, p.window = make_window(3, 3, 1, 1, Padding2d::same(1)); }
  TensorView chw(std::vector<float>& v, Shape s) { return TensorView::dense(v.data(), s, Layout::chw); }

  DepthwiseConv2dParams p;
  ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  const Shape in{2, 3, 5, 4};
  std::vector<float> x = std::vector<float>(200, 0.5f), y = std::vector<float>(200), w = std::vector<float>(27, 0.1f),
                     b = std::vector<float>(3, 0.0f), wg = std::vector<float>(27), bg = std::vector<float>(3);
};

TEST_F(DepthwiseErrors, parameters_are_named) {
  p.channels = 0;
  EXPECT_EQ(status_text(check_depthwise_conv2d_params(p)),
            "invalid argument: depthwise conv2d: channels must be positive");
  p.channels = 3, p.window.stride_w = 0;
  EXPECT_EQ(status_text(check_depthwise_conv2d_params(p)),
            "invalid argument: depthwise conv2d: stride must be positive (got 0, expected 1)");
  p.window.stride_w = 1, p.window.pad.left = -1;
  EXPECT_EQ(status_text(check_depthwise_conv2d_params(p)),
            "invalid argument: depthwise conv2d: padding must not be negative");
  p.window.pad.left = 1, p.act = Activation::leaky_relu, p.act_slope = 0.0f;
  EXPECT_EQ(status_text(check_depthwise_conv2d_params(p)),
            "invalid argument: depthwise conv2d: LeakyReLU slope must be positive");
  p.act = Activation::none;
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ExecContext{}, p, chw(x, in), w.data(), b.data(), chw(y, in))),
            "invalid argument: depthwise conv2d: the context has no team");
}

TEST_F(DepthwiseErrors, forward_names_x_y_weight_bias_and_overlaps) {
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, Shape{2, 4, 5, 3}), w.data(), b.data(), chw(y, in))),
            "shape mismatch: depthwise conv2d forward: x: channels differ from the layer's (got 4, expected 3)");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), b.data(), chw(y, Shape{2, 3, 4, 4}))),
            "shape mismatch: depthwise conv2d forward: y: height differs from the expected (got 4, expected 5)");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), b.data(), chw(y, Shape{2, 3, 5, 3}))),
            "shape mismatch: depthwise conv2d forward: y: width differs from the expected (got 3, expected 4)");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), b.data(), chw(y, Shape{1, 3, 5, 4}))),
            "shape mismatch: depthwise conv2d forward: y: batch sizes differ (got 1, expected 2)");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, TensorView::dense(x.data(), in, Layout::hwc), w.data(),
                                                 b.data(), chw(y, in))),
            "shape mismatch: depthwise conv2d forward: x: layout differs from the layer's");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, TensorView{}, w.data(), b.data(), chw(y, in))),
            "invalid argument: depthwise conv2d forward: x: data is null");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), nullptr, b.data(), chw(y, in))),
            "invalid argument: depthwise conv2d forward: weight is null");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), nullptr, chw(y, in))),
            "invalid argument: depthwise conv2d forward: the layer has a bias but bias is null");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), b.data(), chw(x, in))),
            "invalid argument: depthwise conv2d forward: y overlaps x");
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), y.data() + 7, b.data(), chw(y, in))),
            "invalid argument: depthwise conv2d forward: y overlaps the weight");
  p.window = make_window(7, 1, 1, 1, Padding2d{1, 0, 0, 0});
  EXPECT_EQ(status_text(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), b.data(), chw(y, in))),
            "shape mismatch: depthwise conv2d forward: x: padded input height is smaller than the window (got 6, "
            "expected 7)");
  // Without a bias, a null bias is what is expected.
  p.window = make_window(3, 3, 1, 1, Padding2d::same(1)), p.has_bias = false;
  EXPECT_TRUE(depthwise_conv2d_forward(ctx, p, chw(x, in), w.data(), nullptr, chw(y, in)).ok());
}

TEST_F(DepthwiseErrors, weight_grad_names_x_dz_and_overlaps) {
  EXPECT_EQ(status_text(depthwise_conv2d_weight_grad(ctx, p, chw(x, in), chw(y, Shape{2, 2, 5, 4}), wg.data(),
                                                     bg.data(), false)),
            "shape mismatch: depthwise conv2d weight grad: dz: channels differ from the layer's (got 2, expected 3)");
  EXPECT_EQ(status_text(depthwise_conv2d_weight_grad(ctx, p, chw(x, Shape{2, 3, 3, 8}), chw(y, in), wg.data(),
                                                     bg.data(), false)),
            "shape mismatch: depthwise conv2d weight grad: dz: height differs from the expected (got 5, expected 3)");
  EXPECT_EQ(status_text(depthwise_conv2d_weight_grad(ctx, p, chw(x, in), chw(y, in), x.data() + 3, bg.data(), false)),
            "invalid argument: depthwise conv2d weight grad: weight_grad overlaps x");
  EXPECT_EQ(status_text(depthwise_conv2d_weight_grad(ctx, p, chw(x, in), chw(y, in), wg.data(), y.data(), false)),
            "invalid argument: depthwise conv2d weight grad: bias_grad overlaps dz");
}

TEST_F(DepthwiseErrors, input_grad_names_dz_dx_weight_and_the_kernel) {
  EXPECT_EQ(status_text(depthwise_conv2d_input_grad(ctx, p, chw(y, Shape{1, 3, 5, 4}), w.data(), chw(x, in), false)),
            "shape mismatch: depthwise conv2d input grad: dz: batch sizes differ (got 1, expected 2)");
  EXPECT_EQ(status_text(depthwise_conv2d_input_grad(ctx, p, chw(y, in), nullptr, chw(x, in), false)),
            "invalid argument: depthwise conv2d input grad: weight is null");
  EXPECT_EQ(status_text(depthwise_conv2d_input_grad(ctx, p, chw(y, in), w.data(), chw(y, in), false)),
            "invalid argument: depthwise conv2d input grad: dx overlaps dz");
  EXPECT_EQ(status_text(depthwise_conv2d_input_grad(ctx, p, chw(y, in), w.data(), chw(x, in), false,
                                                    find_depthwise_kernel("dw_f32_hwc_ig_u4"))),
            "invalid argument: depthwise conv2d input grad: the kernel is for the other layout");
  EXPECT_EQ(status_text(depthwise_conv2d_input_grad(ctx, p, chw(y, in), w.data(), chw(x, in), false,
                                                    find_depthwise_kernel("dw_f32_chw_fw_u4"))),
            "invalid argument: depthwise conv2d input grad: the kernel is for another step");
}

}  // namespace
}  // namespace utrain
