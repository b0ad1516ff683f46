// Training steps of the MLPerf Tiny models (tests/golden/fixtures/models.h: DS-CNN batch 1 with
// SGD and momentum, ResNet8 batch 2 with Adam) on the device's team, from
// Trainer::initialize(init_seed) as on the host: the loss of every step, and the summary of every
// parameter array (sum, sum of absolute values, 16 samples) before the first step and after the
// last. DS-CNN runs in both layouts, ResNet8 in CHW (the host test also runs its HWC).
//
// An HWC run starts, as on the host, from the CHW run's initial parameters rearranged: the
// fixture is one PyTorch run, in PyTorch's layouts. Trainer::initialize draws every array in
// memory order, the same values in either layout, so the HWC run reads its drawn convolution
// weights as PyTorch's and moves them to its own layout; the summaries read its arrays through
// the same map.
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
#include "harness/golden_values.h"
#include "training/training_memory.h"

namespace utrain {
namespace {

using device_test::GoldenMemory;
using golden::ModelTrainingCase;

constexpr int kSamples = 16;  // samples per array in the summary (models_cases.h)
constexpr double kInitialTolerance = 1e-6;
constexpr double kLossTolerance = 1e-4;
constexpr double kFinalTolerance = 1e-3;
constexpr int32_t kMaxBatch = 2;

double scaled(double tolerance, double want) { return tolerance * (fabs(want) > 1.0 ? fabs(want) : 1.0); }

// Where value `k` of a parameter array in PyTorch's layout sits in the model's own layout. They
// differ for HWC convolution weights: [o][kh][kw][i] for PyTorch's [o][i][kh][kw], and depthwise
// [kh][kw][c] for [c][kh][kw].
size_t own_index(const Model& m, const ParameterView& v, size_t k) {
  if (m.layout() != Layout::hwc || v.role != ParamRole::weight) return k;
  const Node& node = m.node(v.node);
  if (node.kind == NodeKind::conv2d) {
    const auto in = static_cast<size_t>(node.conv.in_channels), taps = static_cast<size_t>(node.conv.window.taps());
    const size_t o = k / (in * taps), i = k / taps % in, t = k % taps;
    return (o * taps + t) * in + i;
  }
  if (node.kind == NodeKind::depthwise_conv2d) {
    const auto channels = static_cast<size_t>(node.depthwise.channels),
               taps = static_cast<size_t>(node.depthwise.window.taps());
    return k % taps * channels + k / taps;
  }
  return k;
}

// Moves every array's values from PyTorch's layout (as initialize() drew them) to the model's.
void rearrange_from_pytorch_layout(const Model& m, const Trainer& trainer) {
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    const ParameterView v = trainer.parameter(p);
    GoldenMemory::reset();
    float* drawn = GoldenMemory::floats(v.count);
    ASSERT_TRUE(GoldenMemory::fits());
    memcpy(drawn, v.values, v.count * sizeof(float));
    for (size_t k = 0; k < v.count; ++k) v.values[own_index(m, v, k)] = drawn[k];
  }
}

// The summary of every parameter array against the fixture's, read in PyTorch's layout.
void expect_summary(const ModelTrainingCase& c, const Model& m, const Trainer& trainer, const float* sums,
                    const float* abs_sums, const float* samples, double tolerance) {
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
      EXPECT_NEAR(v.values[own_index(m, v, k * stride)], samples[p * kSamples + k],
                  scaled(tolerance, samples[p * kSamples + k]));
  }
}

const ModelTrainingCase* case_named(const char* name) {
  for (const ModelTrainingCase& c : golden::models::kModelTrainingCases)
    if (strcmp(c.name, name) == 0) return &c;
  return nullptr;
}

void run_case(const char* name, Model (*model_of)(Layout), Layout layout) {
  const device_test::Note note("%s %s", name, layout_name(layout));
  const ModelTrainingCase* found = case_named(name);
  ASSERT_TRUE(found != nullptr);
  const ModelTrainingCase& c = *found;
  ASSERT_TRUE(c.config.batch <= kMaxBatch);
  static Model model(1);
  static Plan plan;
  static Trainer trainer;
  model = model_of(layout);
  ASSERT_TRUE(model.status().ok());
  device_test::start_training(model, c.config, &plan, &trainer);
  if (device_test::current_test_failed()) return;
  ASSERT_TRUE(trainer.initialize(c.init_seed).ok());
  rearrange_from_pytorch_layout(model, trainer);
  if (device_test::current_test_failed()) return;
  {
    const device_test::Note at("initial parameters");
    expect_summary(c, model, trainer, c.initial_sums, c.initial_abs_sums, c.initial_samples, kInitialTolerance);
  }
  const Shape input{c.config.batch, c.channels, c.height, c.width};
  const auto input_count = static_cast<size_t>(input.elements());
  GoldenMemory::reset();
  float *drawn = GoldenMemory::floats(input_count), *x = GoldenMemory::floats(input_count);
  ASSERT_TRUE(GoldenMemory::fits());
  for (int32_t s = 0; s < c.steps; ++s) {
    const device_test::Note at("step %d", static_cast<int>(s));
    // The batch's inputs in CHW order, then its labels (models_cases.h).
    Rng rng(c.data_seed, static_cast<uint64_t>(s));
    for (size_t i = 0; i < input_count; ++i) drawn[i] = rng.uniform_symmetric(1.0f);
    int32_t labels[kMaxBatch];
    for (int32_t n = 0; n < c.config.batch; ++n)
      labels[n] = static_cast<int32_t>(rng.below(static_cast<uint32_t>(c.classes)));
    device_test::to_layout(drawn, input, layout, x);
    float loss = 0.0f;
    ASSERT_TRUE(trainer.train_step(x, Target::classes(labels), &loss).ok());
    ASSERT_NEAR(loss, c.losses[s], scaled(kLossTolerance, c.losses[s]));
  }
  const device_test::Note at("final parameters");
  expect_summary(c, model, trainer, c.final_sums, c.final_abs_sums, c.final_samples, kFinalTolerance);
}

DEVICE_TEST(ds_cnn_training_chw_losses_and_parameters_match_pytorch) {
  run_case("ds_cnn", ds_cnn_model, Layout::chw);
}

DEVICE_TEST(ds_cnn_training_hwc_losses_and_parameters_match_pytorch) {
  run_case("ds_cnn", ds_cnn_model, Layout::hwc);
}

DEVICE_TEST(resnet8_training_chw_losses_and_parameters_match_pytorch) {
  run_case("resnet8", resnet8_model, Layout::chw);
}

}  // namespace
}  // namespace utrain
