// Optimizers against torch.optim (SGD with momentum, dampening, Nesterov and weight decay; Adam;
// AdamW): the parameters after each of several consecutive steps, with the state carried over,
// and grad_scale (the Trainer's 1 / accumulate_steps) applied as PyTorch sees a scaled gradient.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). Each step adds a few roundings per value and
// Adam's bias corrections are rounded to float once on both sides; five steps stay far below.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden/fixtures/optimizer.h"
#include "golden/golden_check.h"
#include "layers/optimizer.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-5};

// tests/layers/optimizer_test.cpp checks that every team size gives the same bits.
const ExecContext ctx{&testing::team_of(3), IsaSet::generic_only()};

class OptimizerGolden : public ::testing::TestWithParam<OptimizerCase> {};

TEST_P(OptimizerGolden, consecutive_steps_match_torch_optim) {
  const OptimizerCase& c = GetParam();
  const size_t count = static_cast<size_t>(c.count);
  std::vector<float> params = stream_values(c.seed, 0, count);
  std::vector<float> state(optimizer_state_floats(c.config, count), 0.0f);
  for (int32_t step = 1; step <= c.steps; ++step) {
    const std::vector<float> grad = stream_values(c.seed, static_cast<uint64_t>(step), count);
    const Status s =
        optimizer_step(ctx, c.config, step, params.data(), grad.data(), state.data(), count, c.grad_scale);
    ASSERT_TRUE(s.ok()) << describe(s);
    expect_close("optimizer", std::string(c.name) + " step " + std::to_string(step) + " params",
                 params.data(), c.params + (step - 1) * c.count, count, kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, OptimizerGolden, ::testing::ValuesIn(optimizer::kOptimizerCases),
                         CaseName());

}  // namespace
}  // namespace utrain::golden
