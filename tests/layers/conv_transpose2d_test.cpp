// ConvTranspose2D's three steps, run through the convolution algorithms of the equivalent
// convolution (pointwise, lowered, direct, flipped for the forward step, which is that
// convolution's input gradient, automatic) in both layouts: finite differences of the
// layer's own forward pass, a reference written from PyTorch's definition (every input value
// scatters x·w onto the output positions its window covers), the accumulate flags, output_padding
// (also at or above the stride, which PyTorch allows below the dilation), and argument checks.
#include "layers/conv_transpose2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "conv_test_support.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::Scratch;
using testing::status_text;
using testing::values_near;

struct Geometry {
  const char* name;
  int32_t in_channels, out_channels, in_h, in_w;
  Window2d window;
  int32_t output_pad_h = 0, output_pad_w = 0;
};

// Window2d{kernel_h, kernel_w, stride_h, stride_w, {top, bottom, left, right}, dilation_h, dilation_w}
const Geometry kGeometries[] = {
    {"k1x1", 3, 5, 4, 3, Window2d{}},
    {"k1x1_dil2_outpad1", 2, 3, 3, 4, Window2d{1, 1, 1, 1, {}, 2, 2}, 1, 1},
    {"k3x3_s2_pad1_outpad1", 2, 3, 4, 3, Window2d{3, 3, 2, 2, Padding2d::same(1), 1, 1}, 1, 1},
    {"k4x4_s2_pad1", 3, 2, 3, 3, Window2d{4, 4, 2, 2, Padding2d::same(1), 1, 1}},
    {"k10x4_s2_pad_asym", 3, 1, 4, 3, Window2d{10, 4, 2, 2, {4, 5, 1, 2}, 1, 1}},
    {"k3x3_s2_pad_asym_dil2_outpad1", 3, 2, 3, 4, Window2d{3, 3, 2, 2, {1, 0, 2, 1}, 2, 2}, 1, 1},
    {"k2x3_s3_outpad2x1", 2, 3, 3, 3, Window2d{2, 3, 3, 3, {}, 1, 1}, 2, 1},
    {"k3x3_dil2_outpad1", 2, 2, 4, 4, Window2d{3, 3, 1, 1, {}, 2, 2}, 1, 0},
    {"k3x3_pad_asym", 3, 2, 5, 4, Window2d{3, 3, 1, 1, {2, 1, 0, 2}, 1, 1}},
};

struct ConvTCase {
  Geometry g;
  Layout layout;
  ConvAlgorithm algorithm;
  int32_t batch;
  int team;
};

// e.g. k4x4_s2_pad1_hwc_lowered_b3_team3
std::string case_name(const ::testing::TestParamInfo<ConvTCase>& info) {
  const ConvTCase& c = info.param;
  return std::string(c.g.name) + (c.layout == Layout::chw ? "_chw_" : "_hwc_") + conv_algorithm_name(c.algorithm) +
         "_b" + std::to_string(c.batch) + "_team" + std::to_string(c.team);
}

// The equivalent convolution is pointwise only for a 1×1 stride-1 unpadded window without
// output padding; elsewhere a pointwise request falls back to the automatic choice, so it is
// tested only where it runs.
bool runs_pointwise(const Geometry& g) {
  return g.window.is_pointwise() && g.output_pad_h == 0 && g.output_pad_w == 0;
}

// The flipped input gradient of the equivalent convolution (kernels/conv/conv_flip.h) runs the
// forward of a stride-1 layer whose padding stays within the window's span; with output padding
// the equivalent convolution's output is shorter than its window's, which the flipped window's
// bottom and right padding make up.
bool runs_flipped(const Geometry& g) {
  const Window2d& w = g.window;
  const int32_t span_h = w.dilation_h * (w.kernel_h - 1), span_w = w.dilation_w * (w.kernel_w - 1);
  return w.stride_h == 1 && w.stride_w == 1 && w.pad.top <= span_h && w.pad.bottom <= span_h &&
         w.pad.left <= span_w && w.pad.right <= span_w;
}

std::vector<ConvTCase> cases_with(std::initializer_list<std::pair<int32_t, int>> batch_team,
                                  std::initializer_list<ConvAlgorithm> algorithms) {
  std::vector<ConvTCase> cases;
  for (const Geometry& g : kGeometries)
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (ConvAlgorithm a : algorithms) {
        if (a == ConvAlgorithm::pointwise && !runs_pointwise(g)) continue;
        if (a == ConvAlgorithm::flipped && !runs_flipped(g)) continue;
        for (auto [batch, team] : batch_team) cases.push_back({g, layout, a, batch, team});
      }
  return cases;
}

constexpr std::initializer_list<ConvAlgorithm> kExplicitAlgorithms = {
    ConvAlgorithm::pointwise, ConvAlgorithm::lowered, ConvAlgorithm::direct, ConvAlgorithm::flipped};

// One layer with a case's parameters; every call gets a workspace of exactly the promised size.
struct ConvTRunner {
  ConvTranspose2dParams p;
  Shape in, out;
  ExecContext ctx;
  ConvChoice choice;

  explicit ConvTRunner(const ConvTCase& c)
      : ctx{&testing::team_of(c.team), IsaSet::generic_only()}, choice{c.algorithm, nullptr} {
    p.in_channels = c.g.in_channels, p.out_channels = c.g.out_channels, p.window = c.g.window;
    p.output_pad_h = c.g.output_pad_h, p.output_pad_w = c.g.output_pad_w, p.layout = c.layout;
    in = Shape{c.batch, c.g.in_channels, c.g.in_h, c.g.in_w};
    EXPECT_EQ(status_text(conv_transpose2d_output_shape(p, in, &out)), "ok");
  }
  TensorView input(const float* data) const { return TensorView::dense(data, in, p.layout); }
  TensorView output(const float* data) const { return TensorView::dense(data, out, p.layout); }
  Scratch scratch(LayerStep step) const {
    return Scratch(conv_transpose2d_workspace_bytes(step, p, in, choice.algorithm));
  }

  Status forward(const float* x, const float* w, const float* b, float* y) const {
    return conv_transpose2d_forward(ctx, p, input(x), w, b, output(y), scratch(LayerStep::forward).workspace(), choice);
  }
  Status weight_grad(const float* x, const float* dy, float* dw, float* db, bool accumulate) const {
    return conv_transpose2d_weight_grad(ctx, p, input(x), output(dy), dw, db, accumulate,
                                        scratch(LayerStep::weight_grad).workspace(), choice);
  }
  Status input_grad(const float* dy, const float* w, float* dx, bool accumulate) const {
    return conv_transpose2d_input_grad(ctx, p, output(dy), w, input(dx), accumulate,
                                       scratch(LayerStep::input_grad).workspace(), choice);
  }
};

// PyTorch's definition in double: input value x[n, c, ih, iw] adds x·w[c, o, i, j] to output
// (ih·stride - pad_top + i·dilation, iw·stride - pad_left + j·dilation) where that lies in the
// output; the gradients follow from the same pairs.
testing::ConvReference reference_conv_transpose(const ConvTRunner& r, const std::vector<float>& x,
                                                const std::vector<float>& weight, const std::vector<float>& bias,
                                                const std::vector<float>& dy) {
  const Window2d& w = r.p.window;
  const TensorView xv = r.input(x.data()), yv = r.output(dy.data());
  const auto wt = [&](int32_t c, int32_t o, int32_t i, int32_t j) {
    return static_cast<size_t>(r.p.layout == Layout::chw
                                   ? ((int64_t{c} * r.out.c + o) * w.kernel_h + i) * w.kernel_w + j
                                   : ((int64_t{c} * w.kernel_h + i) * w.kernel_w + j) * r.out.c + o);
  };
  testing::ConvReference ref;
  ref.y.assign(dy.size(), 0.0);
  ref.weight_grad.assign(weight.size(), 0.0);
  ref.bias_grad.assign(bias.size(), 0.0);
  ref.input_grad.assign(x.size(), 0.0);
  for (int32_t n = 0; n < r.out.n; ++n)
    for (int32_t o = 0; o < r.out.c; ++o)
      for (int32_t h = 0; h < r.out.h; ++h)
        for (int32_t col = 0; col < r.out.w; ++col) {
          const size_t yi = static_cast<size_t>(yv.offset(n, o, h, col));
          ref.y[yi] += bias[static_cast<size_t>(o)];
          ref.bias_grad[static_cast<size_t>(o)] += dy[yi];
        }
  for (int32_t n = 0; n < r.in.n; ++n)
    for (int32_t c = 0; c < r.in.c; ++c)
      for (int32_t ih = 0; ih < r.in.h; ++ih)
        for (int32_t iw = 0; iw < r.in.w; ++iw)
          for (int32_t o = 0; o < r.out.c; ++o)
            for (int32_t i = 0; i < w.kernel_h; ++i)
              for (int32_t j = 0; j < w.kernel_w; ++j) {
                const int32_t oh = ih * w.stride_h - w.pad.top + i * w.dilation_h;
                const int32_t ow = iw * w.stride_w - w.pad.left + j * w.dilation_w;
                if (oh < 0 || oh >= r.out.h || ow < 0 || ow >= r.out.w) continue;
                const size_t xi = static_cast<size_t>(xv.offset(n, c, ih, iw));
                const size_t yi = static_cast<size_t>(yv.offset(n, o, oh, ow));
                ref.y[yi] += static_cast<double>(x[xi]) * weight[wt(c, o, i, j)];
                ref.weight_grad[wt(c, o, i, j)] += static_cast<double>(x[xi]) * dy[yi];
                ref.input_grad[xi] += static_cast<double>(weight[wt(c, o, i, j)]) * dy[yi];
              }
  return ref;
}

uint64_t seed_of(const ConvTCase& c) {
  return 500 + static_cast<uint64_t>(c.g.in_h * 31 + c.g.in_w * 7 + c.g.out_channels + c.batch * 1000);
}

class ConvTranspose2dFiniteDifferences : public ::testing::TestWithParam<ConvTCase> {};

TEST_P(ConvTranspose2dFiniteDifferences, weight_bias_and_input_grads_agree) {
  const ConvTRunner r(GetParam());
  testing::LayerSteps steps;
  steps.x_count = static_cast<size_t>(r.in.elements()), steps.y_count = static_cast<size_t>(r.out.elements());
  steps.weight_count = static_cast<size_t>(conv_transpose2d_weight_count(r.p));
  steps.bias_count = static_cast<size_t>(conv_transpose2d_bias_count(r.p));
  steps.forward = [&](const float* x, const float* w, const float* b, float* y) { return r.forward(x, w, b, y); };
  steps.weight_grad = [&](const float* x, const float* dy, float* dw, float* db) {
    return r.weight_grad(x, dy, dw, db, false);
  };
  steps.input_grad = [&](const float* dy, const float* w, float* dx) { return r.input_grad(dy, w, dx, false); };
  testing::expect_gradients_match_finite_differences(steps, seed_of(GetParam()));
}

// On one member: see Conv2dFiniteDifferences; the reference test below covers teams of 3.
INSTANTIATE_TEST_SUITE_P(Shapes, ConvTranspose2dFiniteDifferences,
                         ::testing::ValuesIn(cases_with({{1, 1}, {3, 1}}, kExplicitAlgorithms)), case_name);

class ConvTranspose2dReference : public ::testing::TestWithParam<ConvTCase> {};

// Sums of at most 40 products of values below 1 in size, float against double: tolerance 1e-5.
TEST_P(ConvTranspose2dReference, all_steps_match_the_definition) {
  const ConvTCase c = GetParam();
  const ConvTRunner r(c);
  const uint64_t seed = seed_of(c) + 50;
  const std::vector<float> x = testing::random_values(static_cast<size_t>(r.in.elements()), seed),
                           w = testing::random_values(static_cast<size_t>(conv_transpose2d_weight_count(r.p)), seed + 1),
                           b = testing::random_values(static_cast<size_t>(r.p.out_channels), seed + 2),
                           dy = testing::random_values(static_cast<size_t>(r.out.elements()), seed + 3);
  const testing::ConvReference want = reference_conv_transpose(r, x, w, b, dy);
  std::vector<float> y(dy.size(), NAN), dw(w.size(), NAN), db(b.size(), NAN), dx(x.size(), NAN);
  ASSERT_EQ(status_text(r.forward(x.data(), w.data(), b.data(), y.data())), "ok");
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dy.data(), dw.data(), db.data(), false)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dy.data(), w.data(), dx.data(), false)), "ok");
  EXPECT_TRUE(values_near("y", y, want.y, 1e-5));
  EXPECT_TRUE(values_near("weight grad", dw, want.weight_grad, 1e-5));
  EXPECT_TRUE(values_near("bias grad", db, want.bias_grad, 1e-5));
  EXPECT_TRUE(values_near("input grad", dx, want.input_grad, 1e-5));

  // Without a bias the forward step writes the scatter alone.
  ConvTRunner no_bias = r;
  no_bias.p.has_bias = false;
  std::vector<float> y_plain(dy.size(), NAN);
  ASSERT_EQ(status_text(no_bias.forward(x.data(), w.data(), nullptr, y_plain.data())), "ok");
  std::vector<double> want_plain = want.y;
  const TensorView yv = r.output(y_plain.data());
  for (int32_t n = 0; n < r.out.n; ++n)
    for (int32_t o = 0; o < r.out.c; ++o)
      for (int32_t h = 0; h < r.out.h; ++h)
        for (int32_t col = 0; col < r.out.w; ++col) want_plain[static_cast<size_t>(yv.offset(n, o, h, col))] -= b[o];
  EXPECT_TRUE(values_near("y without bias", y_plain, want_plain, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvTranspose2dReference,
    ::testing::ValuesIn(cases_with({{1, 1}, {3, 3}},
                                   {ConvAlgorithm::automatic, ConvAlgorithm::pointwise, ConvAlgorithm::lowered,
                                    ConvAlgorithm::direct, ConvAlgorithm::flipped})),
    case_name);

class ConvTranspose2dAccumulate : public ::testing::TestWithParam<ConvTCase> {};

// As Conv2dAccumulate: tolerance 2e-6 · max(1, |want|) for the order in which sums are rounded.
TEST_P(ConvTranspose2dAccumulate, gradients_add_to_what_is_there) {
  const ConvTRunner r(GetParam());
  const std::vector<float> x = testing::random_values(static_cast<size_t>(r.in.elements()), 31),
                           w = testing::random_values(static_cast<size_t>(conv_transpose2d_weight_count(r.p)), 32),
                           dy = testing::random_values(static_cast<size_t>(r.out.elements()), 33);
  std::vector<float> fresh_w(w.size()), fresh_b(static_cast<size_t>(r.p.out_channels)), fresh_x(x.size());
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dy.data(), fresh_w.data(), fresh_b.data(), false)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dy.data(), w.data(), fresh_x.data(), false)), "ok");
  const std::vector<float> old_w = testing::random_values(fresh_w.size(), 34),
                           old_b = testing::random_values(fresh_b.size(), 35),
                           old_x = testing::random_values(fresh_x.size(), 36);
  std::vector<float> acc_w = old_w, acc_b = old_b, acc_x = old_x;
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dy.data(), acc_w.data(), acc_b.data(), true)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dy.data(), w.data(), acc_x.data(), true)), "ok");
  const auto sum_of = [](const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<double> sum(a.size());
    for (size_t i = 0; i < a.size(); ++i) sum[i] = static_cast<double>(a[i]) + b[i];
    return sum;
  };
  EXPECT_TRUE(values_near("weight grad", acc_w, sum_of(old_w, fresh_w), 2e-6));
  EXPECT_TRUE(values_near("bias grad", acc_b, sum_of(old_b, fresh_b), 2e-6));
  EXPECT_TRUE(values_near("input grad", acc_x, sum_of(old_x, fresh_x), 2e-6));
  // A null weight_grad (bias-only training) or bias_grad (frozen bias) leaves the other as it was.
  std::vector<float> only_w = old_w, only_b = old_b;
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dy.data(), only_w.data(), nullptr, false)), "ok");
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dy.data(), nullptr, only_b.data(), false)), "ok");
  EXPECT_EQ(only_w, fresh_w);
  EXPECT_EQ(only_b, fresh_b);
}

// Pointwise on the 1×1 window, flipped on the stride-1 dilated one, the others on stride 2.
std::vector<ConvTCase> flag_cases() {
  std::vector<ConvTCase> cases;
  for (Layout layout : {Layout::chw, Layout::hwc})
    for (ConvAlgorithm a : kExplicitAlgorithms)
      for (int team : {1, 3}) {
        const int geometry = a == ConvAlgorithm::pointwise ? 0 : a == ConvAlgorithm::flipped ? 7 : 5;
        cases.push_back({kGeometries[geometry], layout, a, 3, team});
      }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ConvTranspose2dAccumulate, ::testing::ValuesIn(flag_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Sizes and argument checks

ConvTranspose2dParams params_s2(Layout layout) {
  ConvTranspose2dParams p;
  p.in_channels = 4, p.out_channels = 2, p.window = Window2d{3, 3, 2, 2, Padding2d::same(1), 1, 1};
  p.output_pad_h = 1, p.layout = layout;
  return p;
}

TEST(ConvTranspose2dSizes, output_shape_macs_and_workspace) {
  const ConvTranspose2dParams p = params_s2(Layout::chw);
  const Shape in{3, 4, 4, 5};
  Shape out;
  ASSERT_EQ(status_text(conv_transpose2d_output_shape(p, in, &out)), "ok");
  // (4 - 1)·2 - 2 + 2 + 1 + 1 = 8 rows, (5 - 1)·2 - 2 + 2 + 1 = 9 columns.
  EXPECT_EQ(out, (Shape{3, 2, 8, 9}));
  EXPECT_EQ(conv_transpose2d_weight_count(p), 4 * 2 * 9);
  EXPECT_EQ(conv_transpose2d_step_macs(p, in), int64_t{3} * 4 * 2 * 9 * 20);
  // The equivalent convolution's lowered matrix: K = 2·9 rows, P = 4·5 columns, per sample (CHW).
  for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad})
    EXPECT_EQ(conv_transpose2d_workspace_bytes(step, p, in, ConvAlgorithm::lowered), 18u * 20u * sizeof(float));
  EXPECT_EQ(conv_transpose2d_workspace_bytes(LayerStep::forward, params_s2(Layout::hwc), in, ConvAlgorithm::lowered),
            3u * 18u * 20u * sizeof(float));
  EXPECT_EQ(conv_transpose2d_workspace_bytes(LayerStep::forward, p, in, ConvAlgorithm::direct), 0u);
}

class ConvTranspose2dErrors : public ::testing::Test {
 protected:
  ConvTranspose2dParams p = params_s2(Layout::chw);
  ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  Shape in{3, 4, 4, 5}, out{3, 2, 8, 9};
  std::vector<float> x = std::vector<float>(3 * 4 * 4 * 5, 0.5f), y = std::vector<float>(3 * 2 * 8 * 9),
                     w = std::vector<float>(72, 0.1f), b = std::vector<float>(2), wg = std::vector<float>(72),
                     bg = std::vector<float>(2);
  ConvChoice lowered{ConvAlgorithm::lowered, nullptr};
  Scratch scratch{conv_transpose2d_workspace_bytes(LayerStep::forward, p, in, ConvAlgorithm::lowered)};

  TensorView xv(Shape s = {3, 4, 4, 5}) { return TensorView::dense(x.data(), s, Layout::chw); }
  TensorView yv(Shape s = {3, 2, 8, 9}) { return TensorView::dense(y.data(), s, Layout::chw); }
};

TEST_F(ConvTranspose2dErrors, output_padding_must_be_below_the_stride_or_the_dilation) {
  ConvTranspose2dParams bad = p;
  bad.output_pad_h = 2;
  EXPECT_EQ(status_text(check_conv_transpose2d_params(bad)),
            "invalid argument: conv_transpose2d: output padding must be smaller than the stride or the dilation "
            "(got 2, expected 1)");
  bad = p;
  bad.output_pad_w = -1;
  EXPECT_EQ(status_text(check_conv_transpose2d_params(bad)),
            "invalid argument: conv_transpose2d: output padding must not be negative (got -1, expected 0)");
  // Stride 1 with dilation 3 allows up to 2.
  bad = p;
  bad.window.stride_h = 1, bad.window.dilation_h = 3, bad.output_pad_h = 2;
  EXPECT_EQ(status_text(check_conv_transpose2d_params(bad)), "ok");
  bad = p;
  bad.in_channels = 0;
  EXPECT_EQ(status_text(check_conv_transpose2d_params(bad)), "invalid argument: conv_transpose2d: in_channels must be positive");
  bad = p;
  bad.window.kernel_w = 0;
  EXPECT_EQ(status_text(check_conv_transpose2d_params(bad)),
            "invalid argument: conv_transpose2d: kernel size must be positive (got 0, expected 1)");
}

TEST_F(ConvTranspose2dErrors, steps_name_tensors_weight_bias_and_workspace) {
  const Workspace ws = scratch.workspace();
  EXPECT_EQ(status_text(conv_transpose2d_forward(ctx, p, xv({3, 3, 4, 5}), w.data(), b.data(), yv(), ws, lowered)),
            "shape mismatch: conv_transpose2d forward: x: channel count differs from in_channels (got 3, expected 4)");
  EXPECT_EQ(status_text(conv_transpose2d_forward(ctx, p, xv(), w.data(), b.data(), yv({3, 2, 7, 9}), ws, lowered)),
            "shape mismatch: conv_transpose2d forward: y: height differs (got 7, expected 8)");
  EXPECT_EQ(status_text(conv_transpose2d_forward(ctx, p, xv(), w.data(), nullptr, yv(), ws, lowered)),
            "invalid argument: conv_transpose2d forward: the layer has a bias but bias is null");
  EXPECT_EQ(status_text(conv_transpose2d_forward(ctx, p, xv(), nullptr, b.data(), yv(), ws, lowered)),
            "invalid argument: conv_transpose2d forward: weight is null");
  EXPECT_EQ(status_text(conv_transpose2d_weight_grad(ctx, p, xv(), yv({3, 2, 8, 8}), wg.data(), bg.data(), false, ws,
                                                     lowered)),
            "shape mismatch: conv_transpose2d weight grad: dy: width differs (got 8, expected 9)");
  EXPECT_EQ(status_text(conv_transpose2d_weight_grad(ctx, p, xv(), yv(), nullptr, nullptr, false, ws, lowered)),
            "invalid argument: conv_transpose2d weight grad: weight_grad is null and there is no bias gradient to "
            "compute");
  EXPECT_EQ(status_text(conv_transpose2d_input_grad(ctx, p, yv(), w.data(), xv({2, 4, 4, 5}), false, ws, lowered)),
            "shape mismatch: conv_transpose2d input grad: dy: batch size differs (got 3, expected 2)");
  const Workspace small{ws.data, ws.bytes - 4};
  EXPECT_EQ(status_text(conv_transpose2d_forward(ctx, p, xv(), w.data(), b.data(), yv(), small, lowered)),
            "out of memory: conv_transpose2d forward: workspace: workspace is too small (got 1436, expected 1440)");
  EXPECT_EQ(status_text(conv_transpose2d_weight_grad(ctx, p, xv(), yv(), wg.data(), bg.data(), false, small, lowered)),
            "out of memory: conv_transpose2d weight grad: workspace: workspace is too small (got 1436, expected 1440)");
  EXPECT_EQ(status_text(conv_transpose2d_input_grad(ctx, p, yv(), w.data(), xv(), false, small, lowered)),
            "out of memory: conv_transpose2d input grad: workspace: workspace is too small (got 1436, expected 1440)");
  // Padding larger than what the window covers leaves no output.
  ConvTranspose2dParams wide = p;
  wide.window.pad = Padding2d::same(6);
  Shape none;
  EXPECT_EQ(status_text(conv_transpose2d_output_shape(wide, Shape{1, 4, 2, 2}, &none)),
            "shape mismatch: conv_transpose2d input: padding leaves no output (got -6, expected 1)");
}

}  // namespace
}  // namespace utrain
