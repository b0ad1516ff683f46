// Conv2D and ConvTranspose2D steps against PyTorch (F.conv2d / F.conv_transpose2d, autograd):
// forward, weight grad, bias grad and input grad, with every algorithm that can run the shape
// (automatic, pointwise, lowered, direct), in both layouts (the fixture is NCHW with PyTorch's
// weights; HWC runs permute inputs and results), on teams of 1 and 3, overwriting and
// accumulating. Conv2D's backward path is the Trainer's: dy becomes dz through
// activation_backward on the saved output, then the two gradient steps.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). The sums have at most 70 terms of magnitude
// ≤ 1 (the bias gradient of the transposed 10×4 case), and PyTorch and our kernels add them in
// different orders; the float32 rounding of either stays far below the bound in practice (the
// summary printed after the run shows the largest error seen).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "golden/fixtures/conv.h"
#include "golden/golden_check.h"
#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/conv_transpose2d.h"
#include "support/tensor_layout.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

using testing::from_layout;
using testing::to_layout;

constexpr Tolerance kTol{1e-5};
constexpr int kTeams[] = {1, 3};

// PyTorch's values, plus what an accumulating call found in its output buffer.
std::vector<float> want(const float* golden, size_t count, const std::vector<float>* prefill) {
  std::vector<float> values(golden, golden + count);
  if (prefill != nullptr)
    for (size_t i = 0; i < count; ++i) values[i] += (*prefill)[i];
  return values;
}

// Scratch of the size a step asks for.
struct Scratch {
  std::vector<float> storage;
  explicit Scratch(size_t bytes) : storage((bytes + sizeof(float) - 1) / sizeof(float)) {}
  Workspace workspace() { return Workspace{storage.data(), storage.size() * sizeof(float)}; }
};

// The algorithms to run a window with: pointwise and flipped only where they apply (elsewhere
// they would be the automatic choice again). Flipped runs the input gradient of a convolution
// (the forward of a transposed one) with stride 1 and padding within the window's span.
std::vector<ConvAlgorithm> algorithms_for(bool pointwise, const Window2d& w) {
  std::vector<ConvAlgorithm> all{ConvAlgorithm::automatic, ConvAlgorithm::lowered, ConvAlgorithm::direct};
  if (pointwise) all.push_back(ConvAlgorithm::pointwise);
  const int32_t span_h = w.dilation_h * (w.kernel_h - 1), span_w = w.dilation_w * (w.kernel_w - 1);
  if (w.stride_h == 1 && w.stride_w == 1 && w.pad.top <= span_h && w.pad.bottom <= span_h && w.pad.left <= span_w &&
      w.pad.right <= span_w)
    all.push_back(ConvAlgorithm::flipped);
  return all;
}

// Both weights read as a 4-D tensor whose second axis HWC moves last: Conv2D's [out][in][kh][kw]
// and ConvTranspose2D's [in][out][kh][kw].
Shape weight_shape(int32_t first, int32_t second, const Window2d& w) {
  return Shape{first, second, w.kernel_h, w.kernel_w};
}

// Everything one run of the three steps compares: the case's inputs (NCHW), its prefills for
// accumulating calls, and where the run is (for failure messages).
struct GoldenData {
  Shape in, out, weight;
  std::vector<float> x, w, b, dy, dw_prefill, db_prefill, dx_prefill;
  GoldenData(uint64_t seed, Shape in_shape, Shape out_shape, Shape weight_as)
      : in(in_shape),
        out(out_shape),
        weight(weight_as),
        x(stream_values(seed, 0, count(in))),
        w(stream_values(seed, 1, count(weight))),
        b(stream_values(seed, 2, static_cast<size_t>(out.c))),
        dy(stream_values(seed, 3, count(out))),
        // Not part of the fixture: any values do.
        dw_prefill(stream_values(seed, 4, count(weight))),
        db_prefill(stream_values(seed, 5, static_cast<size_t>(out.c))),
        dx_prefill(stream_values(seed, 6, count(in))) {}
  static size_t count(const Shape& s) { return static_cast<size_t>(s.elements()); }
};

// Gradient buffers for one run: prefilled for accumulating calls, else filled with a value the
// step must overwrite.
struct Gradients {
  std::vector<float> dw, db, dx;
  Gradients(const GoldenData& d, Layout layout, bool accumulate)
      : dw(accumulate ? to_layout(d.dw_prefill, d.weight, layout) : std::vector<float>(d.w.size(), 7.0f)),
        db(accumulate ? d.db_prefill : std::vector<float>(d.b.size(), 7.0f)),
        dx(accumulate ? to_layout(d.dx_prefill, d.in, layout) : std::vector<float>(d.x.size(), 7.0f)) {}
};

// Compares a run's results (in `layout`) with the fixture's (NCHW).
void expect_steps_close(const std::string& topic, const std::string& at, const GoldenData& d, Layout layout,
                        bool accumulate, const std::vector<float>& y, const Gradients& g, const float* want_y,
                        const float* want_dw, const float* want_db, const float* want_dx) {
  expect_close(topic + " forward", at + "y", from_layout(y, d.out, layout).data(), want_y, y.size(), kTol);
  expect_close(topic + " weight grad", at + "weight_grad", from_layout(g.dw, d.weight, layout).data(),
               want(want_dw, g.dw.size(), accumulate ? &d.dw_prefill : nullptr).data(), g.dw.size(), kTol);
  if (want_db != nullptr)
    expect_close(topic + " bias grad", at + "bias_grad", g.db.data(),
                 want(want_db, g.db.size(), accumulate ? &d.db_prefill : nullptr).data(), g.db.size(), kTol);
  expect_close(topic + " input grad", at + "input_grad", from_layout(g.dx, d.in, layout).data(),
               want(want_dx, g.dx.size(), accumulate ? &d.dx_prefill : nullptr).data(), g.dx.size(), kTol);
}

std::string where(const char* name, Layout layout, ConvAlgorithm a, int members, bool accumulate) {
  return std::string(name) + " " + layout_name(layout) + " " + conv_algorithm_name(a) + " team " +
         std::to_string(members) + (accumulate ? " accumulate " : " ");
}

class Conv2dGolden : public ::testing::TestWithParam<Conv2dCase> {};

TEST_P(Conv2dGolden, all_steps_match_pytorch_with_every_algorithm_and_layout) {
  const Conv2dCase& c = GetParam();
  Conv2dParams p;
  p.in_channels = c.in_channels, p.out_channels = c.out_channels, p.window = c.window, p.has_bias = c.has_bias;
  p.act = c.act, p.act_slope = c.slope;
  const Shape in{c.batch, c.in_channels, c.in_h, c.in_w};
  Shape out;
  ASSERT_TRUE(conv2d_output_shape(p, in, &out).ok());
  const GoldenData d(c.seed, in, out, weight_shape(c.out_channels, c.in_channels, c.window));
  const float* bias = c.has_bias ? d.b.data() : nullptr;

  for (Layout layout : {Layout::chw, Layout::hwc}) {
    p.layout = layout;
    const std::vector<float> x = to_layout(d.x, in, layout), dy = to_layout(d.dy, out, layout),
                             w = to_layout(d.w, d.weight, layout);
    const TensorView xv = TensorView::dense(x.data(), in, layout), dyv = TensorView::dense(dy.data(), out, layout);
    for (ConvAlgorithm algorithm : algorithms_for(c.window.is_pointwise(), c.window)) {
      const ConvChoice choice{algorithm, nullptr};
      const auto scratch = [&](LayerStep step) { return Scratch(conv2d_workspace_bytes(step, p, in, algorithm)); };
      for (int members : kTeams) {
        for (bool accumulate : {false, true}) {
          const std::string at = where(c.name, layout, algorithm, members, accumulate);
          const ExecContext ctx{&testing::team_of(members), IsaSet::generic_only()};
          std::vector<float> y(dy.size()), dz(dy.size());
          Gradients g(d, layout, accumulate);
          const TensorView yv = TensorView::dense(y.data(), out, layout), dzv = TensorView::dense(dz.data(), out, layout);

          Status s = conv2d_forward(ctx, p, xv, w.data(), bias, yv, scratch(LayerStep::forward).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          if (c.act == Activation::none) {
            std::copy(dy.begin(), dy.end(), dz.begin());
          } else {
            s = activation_backward(ctx, ActivationParams{c.act, c.slope}, yv, dyv, dzv);
            ASSERT_TRUE(s.ok()) << at << describe(s);
          }
          s = conv2d_weight_grad(ctx, p, xv, dzv, g.dw.data(), c.has_bias ? g.db.data() : nullptr, accumulate,
                                 scratch(LayerStep::weight_grad).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          s = conv2d_input_grad(ctx, p, dzv, w.data(), TensorView::dense(g.dx.data(), in, layout), accumulate,
                                scratch(LayerStep::input_grad).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          expect_steps_close("conv2d", at, d, layout, accumulate, y, g, c.y, c.weight_grad, c.bias_grad, c.input_grad);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Conv2dGolden, ::testing::ValuesIn(conv::kConv2dCases), CaseName());

class ConvTranspose2dGolden : public ::testing::TestWithParam<ConvTranspose2dCase> {};

TEST_P(ConvTranspose2dGolden, all_steps_match_pytorch_with_every_algorithm_and_layout) {
  const ConvTranspose2dCase& c = GetParam();
  ConvTranspose2dParams p;
  p.in_channels = c.in_channels, p.out_channels = c.out_channels, p.window = c.window;
  p.output_pad_h = c.output_pad_h, p.output_pad_w = c.output_pad_w, p.has_bias = c.has_bias;
  const Shape in{c.batch, c.in_channels, c.in_h, c.in_w};
  Shape out;
  ASSERT_TRUE(conv_transpose2d_output_shape(p, in, &out).ok());
  const GoldenData d(c.seed, in, out, weight_shape(c.in_channels, c.out_channels, c.window));
  const bool pointwise = c.window.is_pointwise() && c.output_pad_h == 0 && c.output_pad_w == 0;

  for (Layout layout : {Layout::chw, Layout::hwc}) {
    p.layout = layout;
    const std::vector<float> x = to_layout(d.x, in, layout), dy = to_layout(d.dy, out, layout),
                             w = to_layout(d.w, d.weight, layout);
    const TensorView xv = TensorView::dense(x.data(), in, layout), dyv = TensorView::dense(dy.data(), out, layout);
    for (ConvAlgorithm algorithm : algorithms_for(pointwise, c.window)) {
      const ConvChoice choice{algorithm, nullptr};
      const auto scratch = [&](LayerStep step) {
        return Scratch(conv_transpose2d_workspace_bytes(step, p, in, algorithm));
      };
      for (int members : kTeams) {
        for (bool accumulate : {false, true}) {
          const std::string at = where(c.name, layout, algorithm, members, accumulate);
          const ExecContext ctx{&testing::team_of(members), IsaSet::generic_only()};
          std::vector<float> y(dy.size());
          Gradients g(d, layout, accumulate);
          Status s = conv_transpose2d_forward(ctx, p, xv, w.data(), c.has_bias ? d.b.data() : nullptr,
                                              TensorView::dense(y.data(), out, layout),
                                              scratch(LayerStep::forward).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          s = conv_transpose2d_weight_grad(ctx, p, xv, dyv, g.dw.data(), c.has_bias ? g.db.data() : nullptr,
                                           accumulate, scratch(LayerStep::weight_grad).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          s = conv_transpose2d_input_grad(ctx, p, dyv, w.data(), TensorView::dense(g.dx.data(), in, layout),
                                          accumulate, scratch(LayerStep::input_grad).workspace(), choice);
          ASSERT_TRUE(s.ok()) << at << describe(s);
          expect_steps_close("conv_transpose2d", at, d, layout, accumulate, y, g, c.y, c.weight_grad, c.bias_grad,
                             c.input_grad);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ConvTranspose2dGolden, ::testing::ValuesIn(conv::kConvTranspose2dCases), CaseName());

}  // namespace
}  // namespace utrain::golden
