// Training steps of the MLPerf Tiny DS-CNN (tests/golden/fixtures/models.h: batch 1, SGD with
// momentum, CHW) on the device's team, from Trainer::initialize(init_seed) as on the host: the
// loss of every step, and the summary of every parameter array (sum, sum of absolute values, 16
// samples) before the first step and after the last. The host test also runs HWC and ResNet8.
//
// Tolerances as on the host (see tests/golden/models_golden_test.cpp): initial parameters 1e-6
// (drawn by the portable RNG), losses 1e-4, final parameters 1e-3, each scaled by max(1, |want|);
// the device's summation orders differ from PyTorch's as the host's do.
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "golden/fixtures/models.h"
#include "graph/mlperf_tiny.h"
#include "graph/trainer.h"
#include "harness/device_test.h"
#include "training/training_memory.h"

namespace utrain {
namespace {

using golden::ModelTrainingCase;

constexpr int kSamples = 16;  // samples per array in the summary (models_cases.h)
constexpr double kInitialTolerance = 1e-6;
constexpr double kLossTolerance = 1e-4;
constexpr double kFinalTolerance = 1e-3;
constexpr int32_t kMaxInput = 49 * 10;

double scaled(double tolerance, double want) { return tolerance * (fabs(want) > 1.0 ? fabs(want) : 1.0); }

// The summary of every parameter array against the fixture's (PyTorch's layouts are CHW's).
void expect_summary(const ModelTrainingCase& c, const Trainer& trainer, const float* sums, const float* abs_sums,
                    const float* samples, double tolerance) {
  ASSERT_EQ(trainer.parameter_count(), c.arrays);
  for (int p = 0; p < c.arrays; ++p) {
    const ParameterView v = trainer.parameter(p);
    const device_test::Note note("array %d (node %d)", p, v.node);
    ASSERT_EQ(static_cast<int32_t>(v.count), c.counts[p]);
    double sum = 0.0, abs_sum = 0.0;
    for (size_t k = 0; k < v.count; ++k) sum += v.values[k], abs_sum += fabs(double{v.values[k]});
    EXPECT_NEAR(abs_sum, abs_sums[p], scaled(tolerance, abs_sums[p]));
    // A sum of signed values can cancel: its error is bounded by the absolute sum's.
    EXPECT_NEAR(sum, sums[p], scaled(tolerance, abs_sums[p]));
    const size_t stride = v.count / kSamples > 1 ? v.count / kSamples : 1;
    for (int k = 0; k < kSamples && k * stride < v.count; ++k)
      EXPECT_NEAR(v.values[k * stride], samples[p * kSamples + k], scaled(tolerance, samples[p * kSamples + k]));
  }
}

void run_case(const ModelTrainingCase& c) {
  const device_test::Note note("%s", c.name);
  const int32_t per_sample = c.channels * c.height * c.width;
  ASSERT_TRUE(c.config.batch == 1 && per_sample <= kMaxInput);
  static Model model(1);
  static Plan plan;
  static Trainer trainer;
  model = ds_cnn_model(Layout::chw);
  ASSERT_TRUE(model.status().ok());
  ASSERT_TRUE(plan_training(model, c.config, &plan).ok());
  ASSERT_TRUE(plan.summary.total_bytes <= device_test::kTrainingMemoryBytes);
  ASSERT_TRUE(trainer
                  .init(model, c.config, plan, device_test::context(), device_test::training_memory(),
                        plan.summary.total_bytes)
                  .ok());
  ASSERT_TRUE(trainer.initialize(c.init_seed).ok());
  {
    const device_test::Note at("initial parameters");
    expect_summary(c, trainer, c.initial_sums, c.initial_abs_sums, c.initial_samples, kInitialTolerance);
  }
  for (int32_t s = 0; s < c.steps; ++s) {
    const device_test::Note at("step %d", static_cast<int>(s));
    Rng rng(c.data_seed, static_cast<uint64_t>(s));
    float x[kMaxInput];
    for (int32_t i = 0; i < per_sample; ++i) x[i] = rng.uniform_symmetric(1.0f);
    const int32_t label = static_cast<int32_t>(rng.below(static_cast<uint32_t>(c.classes)));
    float loss = 0.0f;
    ASSERT_TRUE(trainer.train_step(x, Target::classes(&label), &loss).ok());
    ASSERT_NEAR(loss, c.losses[s], scaled(kLossTolerance, c.losses[s]));
  }
  const device_test::Note at("final parameters");
  expect_summary(c, trainer, c.final_sums, c.final_abs_sums, c.final_samples, kFinalTolerance);
}

DEVICE_TEST(ds_cnn_training_losses_and_parameters_match_pytorch) {
  for (const ModelTrainingCase& c : golden::models::kModelTrainingCases)
    if (strcmp(c.name, "ds_cnn") == 0) run_case(c);
}

}  // namespace
}  // namespace utrain
