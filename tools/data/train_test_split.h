// The fixed split of a dataset into training and test samples.
//
// The indices 0..n-1 are shuffled with fisher_yates_shuffle() and Rng(kSplitSeed); the first
// test_count(n) of them are the test set, the rest the training set. The seed is a constant, not
// the training seed, so every run, every --seed and every checkpoint is judged on the same test
// samples, and a sample never moves between the sets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tools/data/dataset.h"

namespace utrain::tools {

inline constexpr uint64_t kSplitSeed = 2024;
inline constexpr double kTestFraction = 0.2;

struct SplitIndices {
  std::vector<std::size_t> train;
  std::vector<std::size_t> test;
};

// round(n · kTestFraction), kept within [1, n-1] so both sets are non-empty; n >= 2.
std::size_t test_count(std::size_t n);

// Throws ToolError when n < 2 (no split leaves both sets non-empty).
SplitIndices split_indices(std::size_t n);

struct TrainTestSplit {
  Dataset train;
  Dataset test;
};

TrainTestSplit split_train_test(const Dataset& data);

}  // namespace utrain::tools
