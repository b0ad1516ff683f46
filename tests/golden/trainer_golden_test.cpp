// Whole training steps of small MLPs through the Trainer against the same training in PyTorch:
// ReLU + cross-entropy + SGD with momentum, tanh/sigmoid + MSE + Adam, gradient accumulation over
// two steps, and LeakyReLU + a bias-less layer + L1 + AdamW; on teams of 1 and 3.
//
// Checked: the parameters Trainer::initialize draws (bit for bit against portable_rng.py), the
// loss of every step, and every parameter after the last step.
// Tolerance: |got − want| ≤ 2e-5 · max(1, |want|), twice the single-step bound: a few steps of
// forward, backward and update each add the ~1e-7 relative differences seen per layer step (see
// linear_golden_test.cpp), and the updates feed them back into the next step's weights.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "golden/fixtures/trainer.h"
#include "golden/golden_check.h"
#include "golden/golden_training.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{2e-5};
constexpr int kTeams[] = {1, 3};

class TrainerGolden : public ::testing::TestWithParam<TrainerCase> {};

TEST_P(TrainerGolden, losses_and_parameters_match_pytorch) {
  const TrainerCase& c = GetParam();
  const int32_t batch = c.config.batch, outputs = c.layers[c.layer_count - 1].out_features;
  const bool classes = c.config.loss == LossKind::softmax_cross_entropy;
  for (int members : kTeams) {
    const std::string at = std::string(c.name) + " team " + std::to_string(members) + " ";
    GoldenTraining run(c.input_features, c.layers, c.layer_count);
    const Status started =
        run.start(c.config, ExecContext{&testing::team_of(members), IsaSet::generic_only()}, c.init_seed);
    ASSERT_TRUE(started.ok()) << at << describe(started);
    const std::vector<float> initial = run.parameters();
    ASSERT_EQ(initial.size(), static_cast<size_t>(c.param_floats)) << at;
    expect_bits_equal(at + "initial parameters", initial.data(), c.initial_params, initial.size());

    for (int32_t step = 0; step < c.steps; ++step) {
      // The batch of this step, drawn as golden_cases.h describes.
      Rng rng(c.data_seed, static_cast<uint64_t>(step));
      std::vector<float> x(static_cast<size_t>(batch) * static_cast<size_t>(c.input_features));
      for (float& v : x) v = rng.uniform_symmetric(1.0f);
      std::vector<int32_t> labels;
      std::vector<float> targets;
      if (classes) {
        for (int32_t s = 0; s < batch; ++s)
          labels.push_back(static_cast<int32_t>(rng.below(static_cast<uint32_t>(outputs))));
      } else {
        targets.resize(static_cast<size_t>(batch) * static_cast<size_t>(outputs));
        for (float& v : targets) v = rng.uniform_symmetric(1.0f);
      }
      float loss = -1.0f;
      const Status s = run.trainer().train_step(
          x.data(), classes ? Target::classes(labels.data()) : Target::regression(targets.data()), &loss);
      ASSERT_TRUE(s.ok()) << at << "step " << step << ": " << describe(s);
      expect_close("trainer loss", at + "loss of step " + std::to_string(step), loss, c.losses[step], kTol);
    }
    EXPECT_EQ(run.trainer().updates_done(), c.steps / c.config.accumulate_steps) << at;
    const std::vector<float> final_params = run.parameters();
    expect_close("trainer final parameters", at + "final parameters", final_params.data(), c.final_params,
                 final_params.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TrainerGolden, ::testing::ValuesIn(trainer::kTrainerCases), CaseName());

}  // namespace
}  // namespace utrain::golden
