// The residual-add goldens (tests/golden/fixtures/pool.h) on the device's team: forward and the
// gradient of each branch in both layouts, overwriting (the host test also covers accumulation
// and other team sizes). Tolerance as on the host: 1e-5 · max(1, |want|) (see
// tests/golden/pool_norm_golden_test.cpp).
#include "golden/fixtures/pool.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/residual_add.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::stream_values;
using device_test::to_layout;
using golden::ResidualAddCase;

constexpr double kTol = 1e-5;

void run(const ResidualAddCase& c, Layout layout) {
  const device_test::Note note("%s %s", c.name, layout_name(layout));
  const auto n = static_cast<size_t>(c.shape.elements());
  GoldenMemory::reset();
  float *a = GoldenMemory::floats(n), *b = GoldenMemory::floats(n), *dy = GoldenMemory::floats(n),
        *la = GoldenMemory::floats(n), *lb = GoldenMemory::floats(n), *ldy = GoldenMemory::floats(n),
        *y = GoldenMemory::floats(n), *dx = GoldenMemory::floats(n), *nchw = GoldenMemory::floats(n);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, a, n);
  stream_values(c.seed, 1, b, n);
  stream_values(c.seed, 2, dy, n);
  to_layout(a, c.shape, layout, la);
  to_layout(b, c.shape, layout, lb);
  to_layout(dy, c.shape, layout, ldy);
  const auto view = [&](float* values) { return TensorView::dense(values, c.shape, layout); };
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(residual_add_forward(ctx, view(la), view(lb), view(y)).ok());
  from_layout(y, c.shape, layout, nchw);
  expect_all_close("y", nchw, c.y, n, kTol);
  // Both branches receive dy; each is one call of the same step, as the Trainer makes them.
  const struct {
    const char* what;
    const float* want;
  } branches[] = {{"a_grad", c.a_grad}, {"b_grad", c.b_grad}};
  for (const auto& branch : branches) {
    for (size_t i = 0; i < n; ++i) dx[i] = 7.0f;  // values the step must overwrite
    ASSERT_TRUE(residual_add_input_grad(ctx, view(ldy), view(dx), false).ok());
    from_layout(dx, c.shape, layout, nchw);
    expect_all_close(branch.what, nchw, branch.want, n, kTol);
  }
}

DEVICE_TEST(residual_add_golden_forward_and_branch_grads_both_layouts) {
  for (const ResidualAddCase& c : golden::pool::kResidualAddCases)
    for (Layout layout : device_test::kBothLayouts) run(c, layout);
}

}  // namespace
}  // namespace utrain
