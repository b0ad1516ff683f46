// The Linear goldens (tests/golden/fixtures/linear.h) on the device's team: forward, weight grad,
// bias grad and input grad of every case, overwriting (the host test also covers accumulation and
// other team sizes). Inputs are regenerated from the cases' seeds as on the host; the tolerance is
// the host's, 1e-5 · max(1, |want|) (see tests/golden/linear_golden_test.cpp).
#include <string.h>

#include "golden/fixtures/linear.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/activation.h"
#include "layers/linear.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::stream_values;
using golden::LinearCase;

constexpr double kTol = 1e-5;

void run_case(const LinearCase& c) {
  const device_test::Note note("%s", c.name);
  const auto n = static_cast<size_t>(c.batch), in = static_cast<size_t>(c.in_features),
             out = static_cast<size_t>(c.out_features);
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(n * in), *w = GoldenMemory::floats(out * in), *b = GoldenMemory::floats(out),
        *dy = GoldenMemory::floats(n * out), *y = GoldenMemory::floats(n * out), *dz = GoldenMemory::floats(n * out),
        *dw = GoldenMemory::floats(out * in), *db = GoldenMemory::floats(out), *dx = GoldenMemory::floats(n * in);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, n * in);
  stream_values(c.seed, 1, w, out * in);
  stream_values(c.seed, 2, b, out);
  stream_values(c.seed, 3, dy, n * out);
  LinearParams p;
  p.in_features = c.in_features, p.out_features = c.out_features, p.has_bias = c.has_bias;
  p.act = c.act, p.act_slope = c.slope;
  const ExecContext& ctx = device_test::context();
  const TensorView xv = TensorView::matrix(x, c.batch, c.in_features), yv = TensorView::matrix(y, c.batch, c.out_features),
                   dyv = TensorView::matrix(dy, c.batch, c.out_features),
                   dzv = TensorView::matrix(dz, c.batch, c.out_features),
                   dxv = TensorView::matrix(dx, c.batch, c.in_features);

  ASSERT_TRUE(linear_forward(ctx, p, xv, w, c.has_bias ? b : nullptr, yv).ok());
  expect_all_close("y", y, c.y, n * out, kTol);
  if (c.act == Activation::none)
    memcpy(dz, dy, n * out * sizeof(float));
  else
    ASSERT_TRUE(activation_backward(ctx, ActivationParams{c.act, c.slope}, yv, dyv, dzv).ok());
  ASSERT_TRUE(linear_weight_grad(ctx, p, xv, dzv, dw, c.has_bias ? db : nullptr, false).ok());
  expect_all_close("weight_grad", dw, c.weight_grad, out * in, kTol);
  if (c.has_bias) expect_all_close("bias_grad", db, c.bias_grad, out, kTol);
  ASSERT_TRUE(linear_input_grad(ctx, p, dzv, w, dxv, false).ok());
  expect_all_close("input_grad", dx, c.input_grad, n * in, kTol);
}

DEVICE_TEST(linear_golden_all_steps) {
  for (const LinearCase& c : golden::linear::kLinearCases) run_case(c);
}

}  // namespace
}  // namespace utrain
