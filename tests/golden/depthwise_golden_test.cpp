// Depthwise Conv2D steps against PyTorch (F.conv2d with groups = channels, autograd): forward,
// weight grad, bias grad and input grad, over DS-CNN's 3×3 layer, stride 2 with symmetric and
// asymmetric padding, large and non-square kernels, dilation and every fused activation; in both
// layouts (the fixture is NCHW, the HWC runs permute inputs and results), on teams of 1 and 3,
// overwriting and accumulating. The backward path is the Trainer's: dy becomes dz through
// activation_backward on the saved output, then the two gradient steps.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). The forward and input-grad sums have at most 40
// terms of magnitude ≤ 1, the weight-grad sums at most 250; PyTorch and our kernels add them in
// different orders, and the float32 rounding of either stays far below the bound in practice (the
// summary printed after the run shows the largest error seen).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "golden/fixtures/depthwise.h"
#include "golden/golden_check.h"
#include "layers/activation.h"
#include "layers/depthwise_conv2d.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-5};
constexpr int kTeams[] = {1, 3};

// NCHW ⇄ NHWC for a tensor of `s` (to_hwc: NCHW in, NHWC out; else the reverse).
std::vector<float> permuted(const std::vector<float>& v, Shape s, bool to_hwc) {
  std::vector<float> out(v.size());
  for (int32_t n = 0; n < s.n; ++n)
    for (int32_t c = 0; c < s.c; ++c)
      for (int32_t h = 0; h < s.h; ++h)
        for (int32_t w = 0; w < s.w; ++w) {
          const size_t chw = static_cast<size_t>(((n * s.c + c) * s.h + h) * s.w + w);
          const size_t hwc = static_cast<size_t>(((n * s.h + h) * s.w + w) * s.c + c);
          if (to_hwc)
            out[hwc] = v[chw];
          else
            out[chw] = v[hwc];
        }
  return out;
}

// A tensor given in NCHW, as the layout wants it.
std::vector<float> in_layout(const std::vector<float>& nchw, Shape s, Layout layout) {
  return layout == Layout::chw ? nchw : permuted(nchw, s, true);
}
std::vector<float> as_nchw(const std::vector<float>& v, Shape s, Layout layout) {
  return layout == Layout::chw ? v : permuted(v, s, false);
}
// The weight [c][kh][kw] read as one 1 × C × kh × kw sample: HWC wants [kh][kw][c], its NHWC form.
Shape weight_as_sample(const DepthwiseCase& c) { return Shape{1, c.channels, c.window.kernel_h, c.window.kernel_w}; }
std::vector<float> weight_in_layout(const std::vector<float>& w, const DepthwiseCase& c, Layout layout) {
  return in_layout(w, weight_as_sample(c), layout);
}
std::vector<float> weight_as_nchw(const std::vector<float>& w, const DepthwiseCase& c, Layout layout) {
  return as_nchw(w, weight_as_sample(c), layout);
}

// PyTorch's values, plus what an accumulating call found in its output buffer.
std::vector<float> want(const float* golden, size_t count, const std::vector<float>* prefill) {
  std::vector<float> values(golden, golden + count);
  if (prefill != nullptr)
    for (size_t i = 0; i < count; ++i) values[i] += (*prefill)[i];
  return values;
}

class DepthwiseGolden : public ::testing::TestWithParam<DepthwiseCase> {};

TEST_P(DepthwiseGolden, all_steps_match_pytorch_in_both_layouts) {
  const DepthwiseCase& c = GetParam();
  DepthwiseConv2dParams p;
  p.channels = c.channels, p.window = c.window, p.has_bias = c.has_bias, p.act = c.act, p.act_slope = c.slope;
  const Shape in{c.batch, c.channels, c.in_h, c.in_w};
  Shape out;
  ASSERT_TRUE(depthwise_conv2d_output_shape(p, in, &out).ok());
  const auto in_count = static_cast<size_t>(in.elements()), out_count = static_cast<size_t>(out.elements());
  const auto w_count = static_cast<size_t>(depthwise_conv2d_weight_count(p)), ch = static_cast<size_t>(c.channels);
  const std::vector<float> x = stream_values(c.seed, 0, in_count), w = stream_values(c.seed, 1, w_count),
                           b = stream_values(c.seed, 2, ch), dy = stream_values(c.seed, 3, out_count);
  // Prefills for the accumulating calls, NCHW (not part of the fixture: any values do).
  const std::vector<float> dw_prefill = stream_values(c.seed, 4, w_count), db_prefill = stream_values(c.seed, 5, ch),
                           dx_prefill = stream_values(c.seed, 6, in_count);

  for (Layout layout : {Layout::chw, Layout::hwc}) {
    p.layout = layout;
    const std::vector<float> lx = in_layout(x, in, layout), ldy = in_layout(dy, out, layout),
                             lw = weight_in_layout(w, c, layout);
    for (int members : kTeams) {
      for (bool accumulate : {false, true}) {
        const std::string at = std::string(c.name) + " " + layout_name(layout) + " team " + std::to_string(members) +
                                (accumulate ? " accumulate " : " ");
        const ExecContext ctx{&testing::team_of(members), IsaSet::generic_only()};
        std::vector<float> y(out_count), dz(out_count);
        std::vector<float> dw = accumulate ? weight_in_layout(dw_prefill, c, layout) : std::vector<float>(w_count, 7.0f);
        std::vector<float> db = accumulate ? db_prefill : std::vector<float>(ch, 7.0f);
        std::vector<float> dx = accumulate ? in_layout(dx_prefill, in, layout) : std::vector<float>(in_count, 7.0f);
        const TensorView xv = TensorView::dense(lx.data(), in, layout), yv = TensorView::dense(y.data(), out, layout);
        const TensorView dyv = TensorView::dense(ldy.data(), out, layout), dzv = TensorView::dense(dz.data(), out, layout);
        const TensorView dxv = TensorView::dense(dx.data(), in, layout);

        Status s = depthwise_conv2d_forward(ctx, p, xv, lw.data(), c.has_bias ? b.data() : nullptr, yv);
        ASSERT_TRUE(s.ok()) << at << describe(s);
        expect_close("depthwise forward", at + "y", as_nchw(y, out, layout).data(), c.y, out_count, kTol);

        if (c.act == Activation::none) {
          std::copy(ldy.begin(), ldy.end(), dz.begin());
        } else {
          s = activation_backward(ctx, ActivationParams{c.act, c.slope}, yv, dyv, dzv);
          ASSERT_TRUE(s.ok()) << at << describe(s);
        }
        s = depthwise_conv2d_weight_grad(ctx, p, xv, dzv, dw.data(), c.has_bias ? db.data() : nullptr, accumulate);
        ASSERT_TRUE(s.ok()) << at << describe(s);
        expect_close("depthwise weight grad", at + "weight_grad", weight_as_nchw(dw, c, layout).data(),
                     want(c.weight_grad, w_count, accumulate ? &dw_prefill : nullptr).data(), w_count, kTol);
        if (c.has_bias) {
          expect_close("depthwise bias grad", at + "bias_grad", db.data(),
                       want(c.bias_grad, ch, accumulate ? &db_prefill : nullptr).data(), ch, kTol);
        }

        s = depthwise_conv2d_input_grad(ctx, p, dzv, lw.data(), dxv, accumulate);
        ASSERT_TRUE(s.ok()) << at << describe(s);
        expect_close("depthwise input grad", at + "input_grad", as_nchw(dx, in, layout).data(),
                     want(c.input_grad, in_count, accumulate ? &dx_prefill : nullptr).data(), in_count, kTol);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DepthwiseGolden, ::testing::ValuesIn(depthwise::kDepthwiseCases), CaseName());

}  // namespace
}  // namespace utrain::golden
