#include "training/training_memory.h"

#include "core/arena.h"
#include "harness/device_test.h"

namespace utrain::device_test {

namespace {
alignas(kArenaAlignment) unsigned char g_training_memory[kTrainingMemoryBytes];
}  // namespace

void start_training(const Model& model, const TrainConfig& config, Plan* plan, Trainer* trainer) {
  ASSERT_TRUE(plan_training(model, config, plan).ok());
  ASSERT_TRUE(plan->summary.total_bytes <= kTrainingMemoryBytes);
  ASSERT_TRUE(trainer->init(model, config, *plan, context(), g_training_memory, plan->summary.total_bytes).ok());
}

}  // namespace utrain::device_test
