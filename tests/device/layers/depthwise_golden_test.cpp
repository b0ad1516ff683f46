// The depthwise Conv2D goldens (tests/golden/fixtures/depthwise.h) on the device's team: forward,
// weight grad, bias grad and input grad of every case in both layouts, overwriting (the host test
// also covers accumulation and other team sizes). Tolerance as on the host: 1e-5 · max(1, |want|)
// (see tests/golden/depthwise_golden_test.cpp).
#include <string.h>

#include "golden/fixtures/depthwise.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/activation.h"
#include "layers/depthwise_conv2d.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::count_of;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::largest;
using device_test::stream_values;
using device_test::to_layout;
using golden::DepthwiseCase;

constexpr double kTol = 1e-5;

void run(const DepthwiseCase& c, const DepthwiseConv2dParams& p) {
  const device_test::Note note("%s %s", c.name, layout_name(p.layout));
  const Shape in{c.batch, c.channels, c.in_h, c.in_w};
  Shape out;
  ASSERT_TRUE(depthwise_conv2d_output_shape(p, in, &out).ok());
  // The weight [c][kh][kw] read as one 1 × C × kh × kw sample: HWC wants [kh][kw][c].
  const Shape weight{1, c.channels, c.window.kernel_h, c.window.kernel_w};
  const size_t in_n = count_of(in), out_n = count_of(out), w_n = count_of(weight), ch = static_cast<size_t>(c.channels);
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(in_n), *w = GoldenMemory::floats(w_n), *b = GoldenMemory::floats(ch),
        *dy = GoldenMemory::floats(out_n), *nchw = GoldenMemory::floats(largest(in_n, out_n, w_n));
  float *lx = GoldenMemory::floats(in_n), *lw = GoldenMemory::floats(w_n), *ldy = GoldenMemory::floats(out_n),
        *y = GoldenMemory::floats(out_n), *dz = GoldenMemory::floats(out_n), *dw = GoldenMemory::floats(w_n),
        *db = GoldenMemory::floats(ch), *dx = GoldenMemory::floats(in_n);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, in_n);
  stream_values(c.seed, 1, w, w_n);
  stream_values(c.seed, 2, b, ch);
  stream_values(c.seed, 3, dy, out_n);
  to_layout(x, in, p.layout, lx);
  to_layout(w, weight, p.layout, lw);
  to_layout(dy, out, p.layout, ldy);
  const TensorView xv = TensorView::dense(lx, in, p.layout), yv = TensorView::dense(y, out, p.layout),
                   dyv = TensorView::dense(ldy, out, p.layout), dzv = TensorView::dense(dz, out, p.layout);
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(depthwise_conv2d_forward(ctx, p, xv, lw, c.has_bias ? b : nullptr, yv).ok());
  from_layout(y, out, p.layout, nchw);
  expect_all_close("y", nchw, c.y, out_n, kTol);
  if (c.act == Activation::none)
    memcpy(dz, ldy, out_n * sizeof(float));
  else
    ASSERT_TRUE(activation_backward(ctx, ActivationParams{c.act, c.slope}, yv, dyv, dzv).ok());
  ASSERT_TRUE(depthwise_conv2d_weight_grad(ctx, p, xv, dzv, dw, c.has_bias ? db : nullptr, false).ok());
  from_layout(dw, weight, p.layout, nchw);
  expect_all_close("weight_grad", nchw, c.weight_grad, w_n, kTol);
  if (c.has_bias) expect_all_close("bias_grad", db, c.bias_grad, ch, kTol);
  ASSERT_TRUE(depthwise_conv2d_input_grad(ctx, p, dzv, lw, TensorView::dense(dx, in, p.layout), false).ok());
  from_layout(dx, in, p.layout, nchw);
  expect_all_close("input_grad", nchw, c.input_grad, in_n, kTol);
}

DEVICE_TEST(depthwise_golden_all_steps_both_layouts) {
  for (const DepthwiseCase& c : golden::depthwise::kDepthwiseCases) {
    DepthwiseConv2dParams p;
    p.channels = c.channels, p.window = c.window, p.has_bias = c.has_bias, p.act = c.act, p.act_slope = c.slope;
    for (Layout layout : device_test::kBothLayouts) {
      p.layout = layout;
      run(c, p);
    }
  }
}

}  // namespace
}  // namespace utrain
