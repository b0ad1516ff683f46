// The memory a training run on the device lays its plan out in: one static block, since the
// device has no heap. Each test takes the whole block for its run (they run one after another).
#pragma once
#include <stddef.h>

#include "graph/trainer.h"

namespace utrain::device_test {

// The plans of the golden runs: ResNet8 2,482,239 bytes (batch 2, Adam), the Deep AutoEncoder
// 1,400,991 (batch 1, SGD), DS-CNN 834,751 (batch 1, SGD with momentum). The block holds the
// largest with room to spare and, beside the golden cases' block and the stack, still fits the
// Cortex-M4F's 4 MiB of RAM.
inline constexpr size_t kTrainingMemoryBytes = 2560 * 1024;

// Plans `model` for training with `config` and starts `trainer` on the plan in the block, with
// the device's team and instruction sets. A failure is reported as the running test's (at the
// check that failed); the caller returns when current_test_failed().
void start_training(const Model& model, const TrainConfig& config, Plan* plan, Trainer* trainer);

}  // namespace utrain::device_test
