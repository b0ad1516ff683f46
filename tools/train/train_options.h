// What `utrain train` is asked to do, and the checks that turn a bad request into one clear
// error before any work starts. The CLI (tools/utrain/train_command.cpp) fills this; tests and
// other tools can fill it directly.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "tools/data/dataset_choice.h"

namespace utrain::tools {

// Defaults chosen so the bundled digits reach >= 95% test accuracy in well under 10 s on a
// 2-core host with batch-1 SGD for every seed: over seeds 1..64 the test accuracy was 96.4% at
// worst, 97.5% typically, in about 1 s. lr 0.01 was faster to learn but ended one seed in 8 on a
// noisy last epoch (92-94%); 10 epochs at lr 0.005 did the same once in 24.
inline constexpr int kDefaultEpochs = 15;
inline constexpr float kDefaultSgdLr = 0.005f;
inline constexpr float kDefaultAdamLr = 0.001f;
inline constexpr float kDefaultSgdMomentum = 0.9f;
inline constexpr int kMaxThreads = 64;

struct TrainOptions {
  int epochs = kDefaultEpochs;
  std::optional<float> lr;        // default depends on the optimizer
  std::optional<float> momentum;  // SGD only; default kDefaultSgdMomentum
  std::string optimizer = "sgd";  // sgd | adam | adamw
  float weight_decay = 0.0f;
  int batch = 1;
  std::vector<int32_t> hidden = {64};
  uint64_t seed = 1;
  int threads = 1;
  DataOptions data;  // which data set, where, how much of it
  std::filesystem::path save;  // empty: no checkpoint
  bool quiet = false;
  bool json = false;
};

// Throws ToolError naming the option ("--lr must be positive (got -1)") for the first bad one.
void validate_train_options(const TrainOptions& options);

// The optimizer and batch the options ask for, with the defaults filled in; call after
// validate_train_options(). The loss is softmax cross-entropy (classification).
TrainConfig train_config(const TrainOptions& options);

}  // namespace utrain::tools
