// The LayerNorm and InstanceNorm2d goldens (tests/golden/fixtures/norm.h) on the device's team:
// forward, gamma/beta grads and input grad of every case (with and without affine parameters) in
// both layouts, overwriting (the host test also covers accumulation and other team sizes;
// BatchNorm2d has its own file). Tolerance as on the host: 1e-5 · max(1, |want|) (see
// tests/golden/pool_norm_golden_test.cpp).
#include "golden/fixtures/norm.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/instance_norm2d.h"
#include "layers/layer_norm.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::stream_values;
using device_test::to_layout;
using golden::InstanceNormCase;
using golden::LayerNormCase;

constexpr double kTol = 1e-5;

// A case's tensors in `layout` (x, dy, gamma, beta: the streams of pool_norm_cases.h, gamma =
// 1 + stream 2) and the buffers its steps write. gamma and beta have `parameter_shape`'s values;
// LayerNorm's follow the tensor's memory order, so they are rearranged like a sample.
struct NormRun {
  float *x, *dy, *gamma, *beta, *y, *dx, *gamma_grad, *beta_grad, *saved, *nchw;
  bool fits;

  NormRun(uint64_t seed, const Shape& shape, const Shape& parameter_shape, Layout layout, size_t saved_floats) {
    const auto n = static_cast<size_t>(shape.elements()), parameters = static_cast<size_t>(parameter_shape.elements());
    GoldenMemory::reset();
    float *x_nchw = GoldenMemory::floats(n), *dy_nchw = GoldenMemory::floats(n),
          *gamma_nchw = GoldenMemory::floats(parameters), *beta_nchw = GoldenMemory::floats(parameters);
    x = GoldenMemory::floats(n), dy = GoldenMemory::floats(n), gamma = GoldenMemory::floats(parameters),
    beta = GoldenMemory::floats(parameters), y = GoldenMemory::floats(n), dx = GoldenMemory::floats(n),
    gamma_grad = GoldenMemory::floats(parameters), beta_grad = GoldenMemory::floats(parameters),
    saved = GoldenMemory::floats(saved_floats), nchw = GoldenMemory::floats(n);
    fits = GoldenMemory::fits();
    if (!fits) return;
    stream_values(seed, 0, x_nchw, n);
    stream_values(seed, 1, dy_nchw, n);
    stream_values(seed, 2, gamma_nchw, parameters, 0.5f);
    stream_values(seed, 3, beta_nchw, parameters, 0.5f);
    for (size_t i = 0; i < parameters; ++i) gamma_nchw[i] += 1.0f;
    to_layout(x_nchw, shape, layout, x);
    to_layout(dy_nchw, shape, layout, dy);
    to_layout(gamma_nchw, parameter_shape, layout, gamma);
    to_layout(beta_nchw, parameter_shape, layout, beta);
  }
};

// Compares a result in `layout` with the fixture's NCHW values.
void expect_in_layout(const char* what, const float* got, const Shape& s, Layout layout, float* nchw,
                      const float* want) {
  from_layout(got, s, layout, nchw);
  expect_all_close(what, nchw, want, static_cast<size_t>(s.elements()), kTol);
}

void run(const LayerNormCase& c, Layout layout) {
  const device_test::Note note("%s %s", c.name, layout_name(layout));
  const Shape sample{1, c.shape.c, c.shape.h, c.shape.w};
  LayerNormParams p;
  p.features = static_cast<int32_t>(sample.elements()), p.eps = c.eps, p.affine = c.affine;
  const NormRun r(c.seed, c.shape, sample, layout, static_cast<size_t>(layer_norm_saved_floats(p, c.shape.n)));
  ASSERT_TRUE(r.fits);
  const TensorView xv = TensorView::dense(r.x, c.shape, layout), dyv = TensorView::dense(r.dy, c.shape, layout);
  const float* gamma = c.affine ? r.gamma : nullptr;
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(layer_norm_forward(ctx, p, xv, gamma, c.affine ? r.beta : nullptr, r.saved,
                                 TensorView::dense(r.y, c.shape, layout))
                  .ok());
  expect_in_layout("y", r.y, c.shape, layout, r.nchw, c.y);
  if (c.affine) {
    ASSERT_TRUE(layer_norm_weight_grad(ctx, p, xv, dyv, r.saved, r.gamma_grad, r.beta_grad, false).ok());
    expect_in_layout("gamma_grad", r.gamma_grad, sample, layout, r.nchw, c.gamma_grad);
    expect_in_layout("beta_grad", r.beta_grad, sample, layout, r.nchw, c.beta_grad);
  }
  ASSERT_TRUE(
      layer_norm_input_grad(ctx, p, xv, dyv, gamma, r.saved, TensorView::dense(r.dx, c.shape, layout), false).ok());
  expect_in_layout("input_grad", r.dx, c.shape, layout, r.nchw, c.input_grad);
}

void run(const InstanceNormCase& c, Layout layout) {
  const device_test::Note note("%s %s", c.name, layout_name(layout));
  const Shape per_channel{1, c.shape.c, 1, 1};
  InstanceNorm2dParams p;
  p.channels = c.shape.c, p.eps = c.eps, p.affine = c.affine, p.layout = layout;
  const NormRun r(c.seed, c.shape, per_channel, layout,
                  static_cast<size_t>(instance_norm2d_saved_floats(p, c.shape.n)));
  ASSERT_TRUE(r.fits);
  const TensorView xv = TensorView::dense(r.x, c.shape, layout), dyv = TensorView::dense(r.dy, c.shape, layout);
  const float* gamma = c.affine ? r.gamma : nullptr;
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(instance_norm2d_forward(ctx, p, xv, gamma, c.affine ? r.beta : nullptr, r.saved,
                                      TensorView::dense(r.y, c.shape, layout))
                  .ok());
  expect_in_layout("y", r.y, c.shape, layout, r.nchw, c.y);
  if (c.affine) {
    ASSERT_TRUE(instance_norm2d_weight_grad(ctx, p, xv, dyv, r.saved, r.gamma_grad, r.beta_grad, false).ok());
    expect_all_close("gamma_grad", r.gamma_grad, c.gamma_grad, static_cast<size_t>(c.shape.c), kTol);
    expect_all_close("beta_grad", r.beta_grad, c.beta_grad, static_cast<size_t>(c.shape.c), kTol);
  }
  ASSERT_TRUE(
      instance_norm2d_input_grad(ctx, p, xv, dyv, gamma, r.saved, TensorView::dense(r.dx, c.shape, layout), false)
          .ok());
  expect_in_layout("input_grad", r.dx, c.shape, layout, r.nchw, c.input_grad);
}

DEVICE_TEST(layer_norm_golden_all_steps_both_layouts) {
  for (const LayerNormCase& c : golden::norm::kLayerNormCases)
    for (Layout layout : device_test::kBothLayouts) run(c, layout);
}

DEVICE_TEST(instance_norm2d_golden_all_steps_both_layouts) {
  for (const InstanceNormCase& c : golden::norm::kInstanceNormCases)
    for (Layout layout : device_test::kBothLayouts) run(c, layout);
}

}  // namespace
}  // namespace utrain
