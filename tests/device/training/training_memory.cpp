#include "training/training_memory.h"

#include "core/arena.h"

namespace utrain::device_test {

namespace {
alignas(kArenaAlignment) unsigned char g_training_memory[kTrainingMemoryBytes];
}  // namespace

unsigned char* training_memory() { return g_training_memory; }

}  // namespace utrain::device_test
