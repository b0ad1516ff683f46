// The BatchNorm2d goldens (tests/golden/fixtures/norm.h) on the device's team: forward with the
// running statistics it updates, gamma/beta grads and input grad of every case (training and
// evaluation modes, with and without affine parameters) in both layouts, overwriting (the host
// test also covers accumulation and other team sizes; LayerNorm and InstanceNorm are in
// norm_golden_test.cpp). Tolerance as on the host: 1e-5 · max(1, |want|) (see
// tests/golden/pool_norm_golden_test.cpp).
#include "golden/fixtures/norm.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/batch_norm2d.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::stream_values;
using device_test::to_layout;
using golden::BatchNormCase;

constexpr double kTol = 1e-5;

void run(const BatchNormCase& c, const BatchNorm2dParams& p) {
  const device_test::Note note("%s %s", c.name, layout_name(p.layout));
  const auto n = static_cast<size_t>(c.shape.elements()), ch = static_cast<size_t>(c.shape.c);
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(n), *dy = GoldenMemory::floats(n), *lx = GoldenMemory::floats(n),
        *ldy = GoldenMemory::floats(n), *y = GoldenMemory::floats(n), *dx = GoldenMemory::floats(n),
        *nchw = GoldenMemory::floats(n), *gamma = GoldenMemory::floats(ch), *beta = GoldenMemory::floats(ch),
        *mean = GoldenMemory::floats(ch), *var = GoldenMemory::floats(ch), *gamma_grad = GoldenMemory::floats(ch),
        *beta_grad = GoldenMemory::floats(ch),
        *saved = GoldenMemory::floats(static_cast<size_t>(batch_norm2d_saved_floats(p)));
  ASSERT_TRUE(GoldenMemory::fits());
  // The streams of pool_norm_cases.h: gamma = 1 + stream 2, running_var = 1 + stream 5.
  stream_values(c.seed, 0, x, n);
  stream_values(c.seed, 1, dy, n);
  stream_values(c.seed, 2, gamma, ch, 0.5f);
  stream_values(c.seed, 3, beta, ch, 0.5f);
  stream_values(c.seed, 4, mean, ch, 0.5f);
  stream_values(c.seed, 5, var, ch, 0.5f);
  for (size_t i = 0; i < ch; ++i) gamma[i] += 1.0f, var[i] += 1.0f;
  to_layout(x, c.shape, p.layout, lx);
  to_layout(dy, c.shape, p.layout, ldy);
  const TensorView xv = TensorView::dense(lx, c.shape, p.layout), dyv = TensorView::dense(ldy, c.shape, p.layout);
  const float* affine_gamma = c.affine ? gamma : nullptr;
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(batch_norm2d_forward(ctx, p, c.mode, xv, affine_gamma, c.affine ? beta : nullptr, mean, var, saved,
                                   TensorView::dense(y, c.shape, p.layout))
                  .ok());
  from_layout(y, c.shape, p.layout, nchw);
  expect_all_close("y", nchw, c.y, n, kTol);
  expect_all_close("running_mean", mean, c.running_mean, ch, kTol);
  expect_all_close("running_var", var, c.running_var, ch, kTol);
  if (c.affine) {
    ASSERT_TRUE(batch_norm2d_weight_grad(ctx, p, xv, dyv, saved, gamma_grad, beta_grad, false).ok());
    expect_all_close("gamma_grad", gamma_grad, c.gamma_grad, ch, kTol);
    expect_all_close("beta_grad", beta_grad, c.beta_grad, ch, kTol);
  }
  ASSERT_TRUE(batch_norm2d_input_grad(ctx, p, c.mode, xv, dyv, affine_gamma, saved,
                                      TensorView::dense(dx, c.shape, p.layout), false)
                  .ok());
  from_layout(dx, c.shape, p.layout, nchw);
  expect_all_close("input_grad", nchw, c.input_grad, n, kTol);
}

DEVICE_TEST(batch_norm2d_golden_all_steps_both_layouts) {
  for (const BatchNormCase& c : golden::norm::kBatchNormCases) {
    BatchNorm2dParams p;
    p.channels = c.shape.c, p.eps = c.eps, p.momentum = c.momentum, p.affine = c.affine;
    for (Layout layout : device_test::kBothLayouts) {
      p.layout = layout;
      run(c, p);
    }
  }
}

}  // namespace
}  // namespace utrain
