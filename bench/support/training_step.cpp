#include "bench/support/training_step.h"

#include <vector>

#include "bench/support/bench_check.h"

namespace utrain::bench {

TrainingStepTiming time_training_step(const Model& model, const TrainConfig& config, const Plan& plan,
                                      const ExecContext& ctx, const float* input, Target target, int warmup,
                                      int repetitions) {
  std::vector<unsigned char> memory(plan.summary.total_bytes);
  Trainer trainer;
  check(trainer.init(model, config, plan, ctx, memory.data(), memory.size()), "initializing the trainer");
  check(trainer.initialize(1), "initializing the parameters");
  TrainingStepTiming result;
  result.time = time_repeated(
      [&] { check(trainer.train_step(input, target, &result.final_loss), "running a training step"); }, warmup,
      repetitions);
  return result;
}

}  // namespace utrain::bench
