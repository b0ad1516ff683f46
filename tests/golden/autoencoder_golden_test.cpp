// 100 training steps of the MLPerf Tiny Deep AutoEncoder (Linear 640→128→128→128→128→8→128→128→
// 128→128→640, ReLU after all but the last, MSE, plain SGD, batch 1) through the Trainer against
// the same run in PyTorch. Both sides draw the weights from the seed (Trainer::initialize and its
// mirror in portable_rng.py, checked bit for bit on the first values of every parameter) and the
// ten training vectors from portable_rng; only PyTorch's 100 losses are stored.
//
// Tolerance: |got − want| ≤ 1e-4 · |want| on every loss (relative: the losses lie in 0.09..0.62).
// One step's products have up to 640 terms, which PyTorch (BLAS) and utrain's kernels sum in
// different orders (~1e-7 relative each); every update feeds those differences into the weights
// of all later steps, and 100 steps of SGD through ten layers compound them. With lr 0.1 the run
// is smooth, not chaotic, so the compounding stays far below the bound. It runs with the generic
// kernels on teams of 1 and 3, and with the kernels this machine's ISA offers on a team of 3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "golden/fixtures/autoencoder.h"
#include "golden/golden_check.h"
#include "golden/golden_training.h"
#include "support/test_teams.h"
#include "targets/host/cpu_features.h"

namespace utrain::golden {
namespace {

constexpr Tolerance kTol{1e-4, 0.0};  // purely relative: losses are positive, far from 0
struct RunSetup {
  int members;
  bool host_isa;
};
constexpr RunSetup kSetups[] = {{1, false}, {3, false}, {3, true}};

class AutoencoderGolden : public ::testing::TestWithParam<AutoencoderCase> {};

TEST_P(AutoencoderGolden, hundred_step_loss_curve_matches_pytorch) {
  const AutoencoderCase& c = GetParam();
  std::vector<LayerSpec> layers;
  for (int32_t i = 1; i < c.width_count; ++i)
    layers.push_back(LayerSpec{c.widths[i], true, i + 1 < c.width_count ? Activation::relu : Activation::none,
                               kDefaultLeakySlope});
  const int32_t features = c.widths[0];
  std::vector<std::vector<float>> samples;
  for (int32_t j = 0; j < c.samples; ++j) {
    Rng rng(c.data_seed, static_cast<uint64_t>(j));
    std::vector<float>& v = samples.emplace_back(static_cast<size_t>(features));
    for (float& x : v) x = rng.uniform();
  }

  for (const RunSetup& setup : kSetups) {
    const std::string at = std::string(c.name) + " team " + std::to_string(setup.members) +
                           (setup.host_isa ? " host ISA " : " generic ");
    const ExecContext ctx{&testing::team_of(setup.members),
                          setup.host_isa ? host_isas() : IsaSet::generic_only()};
    GoldenTraining run(features, layers.data(), static_cast<int32_t>(layers.size()));
    const Status started = run.start(c.config, ctx, c.init_seed);
    ASSERT_TRUE(started.ok()) << at << describe(started);
    for (int p = 0; p < run.trainer().parameter_count(); ++p) {
      const ParameterView v = run.trainer().parameter(p);
      expect_bits_equal(at + "initial parameter " + std::to_string(p), v.values, c.initial_heads + p * c.head,
                        static_cast<size_t>(c.head));
    }
    for (int32_t step = 0; step < c.steps; ++step) {
      const std::vector<float>& x = samples[static_cast<size_t>(step % c.samples)];
      float loss = -1.0f;
      const Status s = run.trainer().train_step(x.data(), Target::regression(x.data()), &loss);
      ASSERT_TRUE(s.ok()) << at << "step " << step << ": " << describe(s);
      expect_close("autoencoder loss", at + "loss of step " + std::to_string(step), loss, c.losses[step],
                   kTol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, AutoencoderGolden, ::testing::ValuesIn(autoencoder::kAutoencoderCases),
                         CaseName());

}  // namespace
}  // namespace utrain::golden
