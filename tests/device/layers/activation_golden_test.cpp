// The standalone activation goldens (tests/golden/fixtures/activation.h) on the device: forward
// from x and backward from the saved output y, out of place and in place (y over x, dx over dy,
// as the Trainer runs them). The device's libm (picolibc's expf, tanhf) stands in for glibc's.
// Tolerance as on the host: 1e-5 · max(1, |want|) (see tests/golden/activation_golden_test.cpp).
#include <string.h>

#include "golden/fixtures/activation.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/activation.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::stream_values;
using golden::ActivationCase;

constexpr double kTol = 1e-5;

void run_case(const ActivationCase& c) {
  const device_test::Note note("%s", c.name);
  const size_t count = static_cast<size_t>(c.rows) * static_cast<size_t>(c.cols);
  GoldenMemory::reset();
  float *x = GoldenMemory::floats(count), *dy = GoldenMemory::floats(count), *y = GoldenMemory::floats(count),
        *dx = GoldenMemory::floats(count), *inout = GoldenMemory::floats(count), *grad = GoldenMemory::floats(count);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, x, count, c.x_bound);
  stream_values(c.seed, 1, dy, count);
  const ActivationParams p{c.kind, c.slope};
  const ExecContext& ctx = device_test::context();
  const auto view = [&](float* values) { return TensorView::matrix(values, c.rows, c.cols); };

  ASSERT_TRUE(activation_forward(ctx, p, view(x), view(y)).ok());
  expect_all_close("y", y, c.y, count, kTol);
  ASSERT_TRUE(activation_backward(ctx, p, view(y), view(dy), view(dx)).ok());
  expect_all_close("input_grad", dx, c.input_grad, count, kTol);

  memcpy(inout, x, count * sizeof(float));
  memcpy(grad, dy, count * sizeof(float));
  ASSERT_TRUE(activation_forward(ctx, p, view(inout), view(inout)).ok());
  expect_all_close("in-place y", inout, c.y, count, kTol);
  ASSERT_TRUE(activation_backward(ctx, p, view(inout), view(grad), view(grad)).ok());
  expect_all_close("in-place input_grad", grad, c.input_grad, count, kTol);
}

DEVICE_TEST(activation_golden_forward_and_backward_in_and_out_of_place) {
  for (const ActivationCase& c : golden::activation::kActivationCases) run_case(c);
}

}  // namespace
}  // namespace utrain
