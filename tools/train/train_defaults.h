// The defaults `utrain train` uses for what the command line leaves out, per data set and model:
// each pair was measured (comments in train_defaults.cpp), and `utrain train --help` lists them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/data/dataset_choice.h"
#include "tools/train/model_kind.h"

namespace utrain::tools {

inline constexpr float kDefaultAdamLr = 0.001f;  // Adam and AdamW, whatever the data
inline constexpr float kDefaultSgdMomentum = 0.9f;

struct TrainDefaults {
  int epochs = 1;
  float sgd_lr = 0.0f;
  float lr_decay = 1.0f;          // the learning rate's factor after each epoch, any optimizer
  std::vector<int32_t> hidden;    // mlp: hidden layer sizes
  std::vector<int32_t> channels;  // cnn: output channels of each convolution block
};

TrainDefaults train_defaults(DatasetKind dataset, ModelKind model);

// The table for --help: one line per data set and model.
std::string describe_train_defaults();

}  // namespace utrain::tools
