// What `utrain train` is asked to do, and the checks that turn a bad request into one clear
// error before any work starts. The CLI (tools/utrain/train_command.cpp) fills this; tests and
// other tools can fill it directly. What is left unset takes the default of the chosen data set
// and model (tools/train/train_defaults.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "tools/data/dataset_choice.h"
#include "tools/train/model_kind.h"
#include "tools/train/train_defaults.h"

namespace utrain::tools {

inline constexpr int kMaxThreads = 64;

struct TrainOptions {
  std::string model = "mlp";      // mlp | cnn
  std::optional<int> epochs;
  std::optional<float> lr;        // sgd: per data set and model; adam, adamw: kDefaultAdamLr
  std::optional<float> lr_decay;  // the lr's factor after each epoch; per data set and model
  std::optional<float> momentum;  // SGD only; default kDefaultSgdMomentum
  std::string optimizer = "sgd";  // sgd | adam | adamw
  float weight_decay = 0.0f;
  int batch = 1;
  std::vector<int32_t> hidden;        // mlp: hidden layer sizes; empty: the default
  std::vector<int32_t> channels;      // cnn: channels of each convolution block; empty: the default
  std::optional<std::string> layout;  // cnn: chw | hwc; default chw
  bool batch_norm = false;            // cnn: BatchNorm after each convolution
  uint64_t seed = 1;
  int threads = 1;
  DataOptions data;  // which data set, where, how much of it
  std::filesystem::path save;  // empty: no checkpoint
  bool quiet = false;
  bool json = false;
};

// Throws ToolError naming the option ("--lr must be positive (got -1)") for the first bad one.
void validate_train_options(const TrainOptions& options);

// The rest of these read options that passed validate_train_options().
ModelKind model_kind_for(const TrainOptions& options);
// The defaults of the chosen data set and model.
TrainDefaults defaults_for(const TrainOptions& options);
int epochs_for(const TrainOptions& options);
float lr_decay_for(const TrainOptions& options);
Layout layout_for(const TrainOptions& options);

// The optimizer (with the first epoch's learning rate) and batch the options ask for, with the
// defaults filled in. The loss is softmax cross-entropy (classification).
TrainConfig train_config(const TrainOptions& options);

}  // namespace utrain::tools
