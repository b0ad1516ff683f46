// The max, average and global average pooling goldens (tests/golden/fixtures/pool.h) on the
// device's team: forward and input grad of every case in both layouts, overwriting (the host test
// also covers accumulation and other team sizes; the residual add has its own file). Tolerance as
// on the host: 1e-5 · max(1, |want|) (see tests/golden/pool_norm_golden_test.cpp).
#include "golden/fixtures/pool.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/pool2d.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::from_layout;
using device_test::stream_values;
using device_test::to_layout;
using golden::GlobalPoolCase;
using golden::PoolCase;

constexpr double kTol = 1e-5;

void run(const PoolCase& c, const Pool2dParams& p) {
  const device_test::Note note("%s %s", c.name, layout_name(p.layout));
  Shape out;
  ASSERT_TRUE(pool2d_output_shape(p, c.shape, &out).ok());
  const auto in_n = static_cast<size_t>(c.shape.elements()), out_n = static_cast<size_t>(out.elements());
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(in_n), *dy = GoldenMemory::floats(out_n), *lx = GoldenMemory::floats(in_n),
        *ldy = GoldenMemory::floats(out_n), *y = GoldenMemory::floats(out_n), *dx = GoldenMemory::floats(in_n),
        *nchw = GoldenMemory::floats(in_n);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, in_n);
  stream_values(c.seed, 1, dy, out_n);
  to_layout(x, c.shape, p.layout, lx);
  to_layout(dy, out, p.layout, ldy);
  const TensorView xv = TensorView::dense(lx, c.shape, p.layout);
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(pool2d_forward(ctx, p, xv, TensorView::dense(y, out, p.layout)).ok());
  from_layout(y, out, p.layout, nchw);
  expect_all_close("y", nchw, c.y, out_n, kTol);
  ASSERT_TRUE(pool2d_input_grad(ctx, p, xv, TensorView::dense(ldy, out, p.layout),
                                TensorView::dense(dx, c.shape, p.layout), false)
                  .ok());
  from_layout(dx, c.shape, p.layout, nchw);
  expect_all_close("input_grad", nchw, c.input_grad, in_n, kTol);
}

DEVICE_TEST(pool2d_golden_forward_and_input_grad_both_layouts) {
  for (const PoolCase& c : golden::pool::kPoolCases) {
    Pool2dParams p;
    p.kind = c.kind, p.window = c.window, p.count_include_pad = c.count_include_pad;
    for (Layout layout : device_test::kBothLayouts) {
      p.layout = layout;
      run(c, p);
    }
  }
}

// The n × C output is one value per plane, in the same memory order in both layouts.
void run(const GlobalPoolCase& c, Layout layout) {
  const device_test::Note note("%s %s", c.name, layout_name(layout));
  const Shape out{c.shape.n, c.shape.c, 1, 1};
  const auto in_n = static_cast<size_t>(c.shape.elements()), out_n = static_cast<size_t>(out.elements());
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(in_n), *lx = GoldenMemory::floats(in_n), *dy = GoldenMemory::floats(out_n),
        *y = GoldenMemory::floats(out_n), *dx = GoldenMemory::floats(in_n), *nchw = GoldenMemory::floats(in_n);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, in_n);
  stream_values(c.seed, 1, dy, out_n);
  to_layout(x, c.shape, layout, lx);
  const ExecContext& ctx = device_test::context();

  ASSERT_TRUE(
      global_avg_pool_forward(ctx, TensorView::dense(lx, c.shape, layout), TensorView::dense(y, out, layout)).ok());
  expect_all_close("y", y, c.y, out_n, kTol);
  ASSERT_TRUE(global_avg_pool_input_grad(ctx, TensorView::dense(dy, out, layout),
                                         TensorView::dense(dx, c.shape, layout), false)
                  .ok());
  from_layout(dx, c.shape, layout, nchw);
  expect_all_close("input_grad", nchw, c.input_grad, in_n, kTol);
}

DEVICE_TEST(global_avg_pool_golden_forward_and_input_grad_both_layouts) {
  for (const GlobalPoolCase& c : golden::pool::kGlobalPoolCases)
    for (Layout layout : device_test::kBothLayouts) run(c, layout);
}

}  // namespace
}  // namespace utrain
