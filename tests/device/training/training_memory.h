// The memory a training run on the device lays its plan out in: one static block, since the
// device has no heap. Each test takes the whole block for its run (they run one after another).
#pragma once
#include <stddef.h>

namespace utrain::device_test {

// The Deep AutoEncoder's plan needs 1,400,991 bytes (batch 1, SGD), DS-CNN's 834,751; the block
// holds the larger with room to spare and still fits the Cortex-M4F's 4 MiB of RAM.
inline constexpr size_t kTrainingMemoryBytes = 1536 * 1024;

unsigned char* training_memory();

}  // namespace utrain::device_test
