// Training steps of the MLPerf Tiny Deep AutoEncoder (tests/golden/fixtures/autoencoder.h:
// Linear 640→128→…→8→…→640, ReLU after all but the last, MSE, plain SGD, batch 1) on the
// device's team, against PyTorch's losses.
//
// The weights are drawn on the device by Trainer::initialize from the case's seed rather than
// compiled into the image: the portable RNG makes them the same bits on every target (checked
// against the fixture's first values of every parameter, as on the host), and 1 MB of weights
// would not leave room for training in the Cortex-M4F's 4 MiB of RAM next to the plan.
//
// Tolerance as on the host: 1e-4 · |want| on every loss (see
// tests/golden/autoencoder_golden_test.cpp): the device's kernels sum in yet another order, and
// 100 smooth SGD steps compound those roundings far below the bound.
#include <string.h>

#include "core/rng.h"
#include "golden/fixtures/autoencoder.h"
#include "graph/trainer.h"
#include "harness/device_test.h"
#include "training/training_memory.h"

namespace utrain {
namespace {

using golden::AutoencoderCase;

constexpr double kLossTolerance = 1e-4;
constexpr int32_t kMaxFeatures = 640;
constexpr int32_t kMaxSamples = 10;

Model autoencoder_model(const AutoencoderCase& c) {
  Model m(c.widths[0]);
  for (int32_t i = 1; i < c.width_count; ++i) {
    m.linear(c.widths[i], true);
    if (i + 1 < c.width_count) m.relu();
  }
  return m;
}

uint32_t bits_of(float v) {
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

void run_case(const AutoencoderCase& c) {
  const device_test::Note note("%s", c.name);
  ASSERT_TRUE(c.widths[0] <= kMaxFeatures && c.samples <= kMaxSamples);
  static Model model(1);
  static Plan plan;
  static Trainer trainer;
  static float samples[kMaxSamples][kMaxFeatures];
  model = autoencoder_model(c);
  ASSERT_TRUE(model.status().ok());
  device_test::start_training(model, c.config, &plan, &trainer);
  if (device_test::current_test_failed()) return;
  ASSERT_TRUE(trainer.initialize(c.init_seed).ok());
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    const ParameterView v = trainer.parameter(p);
    for (int32_t k = 0; k < c.head && static_cast<size_t>(k) < v.count; ++k) {
      const device_test::Note at("initial parameter %d value %d", p, static_cast<int>(k));
      ASSERT_EQ(bits_of(v.values[k]), bits_of(c.initial_heads[p * c.head + k]));
    }
  }
  for (int32_t j = 0; j < c.samples; ++j) {
    Rng rng(c.data_seed, static_cast<uint64_t>(j));
    for (int32_t i = 0; i < c.widths[0]; ++i) samples[j][i] = rng.uniform();
  }
  for (int32_t step = 0; step < c.steps; ++step) {
    const device_test::Note at("step %d", static_cast<int>(step));
    const float* x = samples[step % c.samples];
    float loss = -1.0f;
    ASSERT_TRUE(trainer.train_step(x, Target::regression(x), &loss).ok());
    ASSERT_NEAR(loss, c.losses[step], kLossTolerance * c.losses[step]);
  }
}

DEVICE_TEST(autoencoder_training_losses_match_pytorch) {
  for (const AutoencoderCase& c : golden::autoencoder::kAutoencoderCases) run_case(c);
}

}  // namespace
}  // namespace utrain
