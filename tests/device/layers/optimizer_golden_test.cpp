// The optimizer goldens (tests/golden/fixtures/optimizer.h) on the device: SGD (momentum,
// dampening, Nesterov, weight decay), Adam and AdamW, the parameters after each of several
// consecutive steps with the state carried over, and grad_scale applied as PyTorch sees a scaled
// gradient. Adam's bias corrections use the device's pow and sqrtf. Tolerance as on the host:
// 1e-5 · max(1, |want|) (see tests/golden/optimizer_golden_test.cpp).
#include <string.h>

#include "golden/fixtures/optimizer.h"
#include "harness/device_test.h"
#include "harness/golden_values.h"
#include "layers/optimizer.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using device_test::expect_all_close;
using device_test::stream_values;
using golden::OptimizerCase;

constexpr double kTol = 1e-5;

void run_case(const OptimizerCase& c) {
  const device_test::Note note("%s", c.name);
  const auto count = static_cast<size_t>(c.count);
  const size_t state_floats = optimizer_state_floats(c.config, count);
  GoldenMemory::reset();
  float *params = GoldenMemory::floats(count), *grad = GoldenMemory::floats(count),
        *state = GoldenMemory::floats(state_floats);
  ASSERT_TRUE(GoldenMemory::fits());
  stream_values(c.seed, 0, params, count);
  memset(state, 0, state_floats * sizeof(float));
  for (int32_t step = 1; step <= c.steps; ++step) {
    const device_test::Note at("step %d", static_cast<int>(step));
    stream_values(c.seed, static_cast<uint64_t>(step), grad, count);
    ASSERT_TRUE(optimizer_step(device_test::context(), c.config, step, params, grad, state, count, c.grad_scale).ok());
    if (!expect_all_close("params", params, c.params + (step - 1) * count, count, kTol)) return;
  }
}

DEVICE_TEST(optimizer_golden_consecutive_steps_sgd_adam_adamw) {
  for (const OptimizerCase& c : golden::optimizer::kOptimizerCases) run_case(c);
}

}  // namespace
}  // namespace utrain
