// A whole training step through the Trainer, timed: the figure the benchmarks compare with
// PyTorch's step. The plan's memory is one block, as an application would allocate it.
#pragma once
#include "bench/support/repeat_timer.h"
#include "graph/model.h"
#include "graph/plan.h"
#include "graph/trainer.h"
#include "kernels/exec_context.h"

namespace utrain::bench {

struct TrainingStepTiming {
  TimingSummary time;
  float final_loss = 0.0f;  // of the last step: finite means the repeated steps stayed sane
};

// Initializes the parameters (seed 1), then runs `warmup` untimed steps and `repetitions` timed
// ones, each on the same batch (`input`, `target`), each step timed on its own.
TrainingStepTiming time_training_step(const Model& model, const TrainConfig& config, const Plan& plan,
                                      const ExecContext& ctx, const float* input, Target target, int warmup,
                                      int repetitions);

}  // namespace utrain::bench
