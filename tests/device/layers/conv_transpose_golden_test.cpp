// The ConvTranspose2D goldens (tests/golden/fixtures/conv.h) on the device's team: forward,
// weight grad, bias grad and input grad of every case with every algorithm that can run it
// (automatic, lowered, direct, and pointwise on 1×1 windows without output padding), in both
// layouts, overwriting. The host test also covers accumulation and other team sizes. Tolerance
// as on the host: 1e-5 · max(1, |want|) (see tests/golden/conv_golden_test.cpp).
#include "golden/fixtures/conv.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/conv_transpose2d.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::count_of;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::largest;
using device_test::stream_values;
using device_test::to_layout;
using golden::ConvTranspose2dCase;

constexpr double kTol = 1e-5;
constexpr ConvAlgorithm kAlgorithms[] = {ConvAlgorithm::automatic, ConvAlgorithm::lowered, ConvAlgorithm::direct};

// Scratch of the size a step asks for, null when it does not fit.
Workspace scratch(LayerStep step, const ConvTranspose2dParams& p, const Shape& in, ConvAlgorithm algorithm) {
  const size_t bytes = conv_transpose2d_workspace_bytes(step, p, in, algorithm);
  return Workspace{GoldenMemory::floats((bytes + sizeof(float) - 1) / sizeof(float)), bytes};
}

void run(const ConvTranspose2dCase& c, const ConvTranspose2dParams& p, ConvAlgorithm algorithm) {
  const device_test::Note note("%s %s %s", c.name, layout_name(p.layout), conv_algorithm_name(algorithm));
  const Shape in{c.batch, c.in_channels, c.in_h, c.in_w};
  Shape out;
  ASSERT_TRUE(conv_transpose2d_output_shape(p, in, &out).ok());
  // The weight [in][out][kh][kw] read as a tensor whose second axis HWC moves last.
  const Shape weight{c.in_channels, c.out_channels, c.window.kernel_h, c.window.kernel_w};
  const size_t in_n = count_of(in), out_n = count_of(out), w_n = count_of(weight);
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(in_n), *w = GoldenMemory::floats(w_n), *b = GoldenMemory::floats(out.c),
        *dy = GoldenMemory::floats(out_n), *nchw = GoldenMemory::floats(largest(in_n, out_n, w_n));
  float *lx = GoldenMemory::floats(in_n), *lw = GoldenMemory::floats(w_n), *ldy = GoldenMemory::floats(out_n),
        *y = GoldenMemory::floats(out_n), *dw = GoldenMemory::floats(w_n), *db = GoldenMemory::floats(out.c),
        *dx = GoldenMemory::floats(in_n);
  const Workspace forward_scratch = scratch(LayerStep::forward, p, in, algorithm),
                  weight_scratch = scratch(LayerStep::weight_grad, p, in, algorithm),
                  input_scratch = scratch(LayerStep::input_grad, p, in, algorithm);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, in_n);
  stream_values(c.seed, 1, w, w_n);
  stream_values(c.seed, 2, b, out.c);
  stream_values(c.seed, 3, dy, out_n);
  to_layout(x, in, p.layout, lx);
  to_layout(w, weight, p.layout, lw);
  to_layout(dy, out, p.layout, ldy);
  const TensorView xv = TensorView::dense(lx, in, p.layout), dyv = TensorView::dense(ldy, out, p.layout);
  const ConvChoice choice{algorithm, nullptr};
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(conv_transpose2d_forward(ctx, p, xv, lw, c.has_bias ? b : nullptr, TensorView::dense(y, out, p.layout),
                                       forward_scratch, choice)
                  .ok());
  from_layout(y, out, p.layout, nchw);
  expect_all_close("y", nchw, c.y, out_n, kTol);
  ASSERT_TRUE(
      conv_transpose2d_weight_grad(ctx, p, xv, dyv, dw, c.has_bias ? db : nullptr, false, weight_scratch, choice)
          .ok());
  from_layout(dw, weight, p.layout, nchw);
  expect_all_close("weight_grad", nchw, c.weight_grad, w_n, kTol);
  if (c.has_bias) expect_all_close("bias_grad", db, c.bias_grad, out.c, kTol);
  ASSERT_TRUE(conv_transpose2d_input_grad(ctx, p, dyv, lw, TensorView::dense(dx, in, p.layout), false, input_scratch,
                                          choice)
                  .ok());
  from_layout(dx, in, p.layout, nchw);
  expect_all_close("input_grad", nchw, c.input_grad, in_n, kTol);
}

DEVICE_TEST(conv_transpose2d_golden_all_steps_every_algorithm_and_layout) {
  for (const ConvTranspose2dCase& c : golden::conv::kConvTranspose2dCases) {
    ConvTranspose2dParams p;
    p.in_channels = c.in_channels, p.out_channels = c.out_channels, p.window = c.window;
    p.output_pad_h = c.output_pad_h, p.output_pad_w = c.output_pad_w, p.has_bias = c.has_bias;
    const bool pointwise = c.window.is_pointwise() && c.output_pad_h == 0 && c.output_pad_w == 0;
    for (Layout layout : device_test::kBothLayouts) {
      p.layout = layout;
      for (ConvAlgorithm algorithm : kAlgorithms)
        run(c, p, algorithm);
      if (pointwise) run(c, p, ConvAlgorithm::pointwise);
    }
  }
}

}  // namespace
}  // namespace utrain
