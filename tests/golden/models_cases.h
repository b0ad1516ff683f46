// The case struct of tests/golden/fixtures/models.h (tests/golden/models_goldens.py): training
// steps of a whole MLPerf Tiny model (graph/mlperf_tiny.h) through the Trainer.
#pragma once
#include <stdint.h>

#include "graph/plan.h"

namespace utrain::golden {

// Trainer::initialize(init_seed), then `steps` steps; step s draws its batch from
// Rng(data_seed, s): batch × channels × height × width inputs in CHW order, uniform_symmetric(1),
// then one label per sample, below(classes). Every parameter array (Trainer::parameter() order,
// PyTorch's weight layouts) is summarised before and after: its sum, the sum of its absolute
// values, and 16 values taken every max(1, count / 16) (zero-padded when fewer).
struct ModelTrainingCase {
  const char* name;
  int32_t channels, height, width, classes;
  TrainConfig config;
  uint64_t init_seed, data_seed;
  int32_t steps;
  const float* losses;  // steps
  int32_t arrays;
  const int32_t* counts;  // values per array
  const float* initial_sums;
  const float* initial_abs_sums;
  const float* initial_samples;  // arrays × 16
  const float* final_sums;
  const float* final_abs_sums;
  const float* final_samples;
};

}  // namespace utrain::golden
