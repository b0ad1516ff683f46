// The options that choose the data, shared by `utrain train` and `utrain eval`: --dataset,
// --data, and the sample limits (tools/data/dataset_choice.h).
#pragma once
#include <CLI/CLI.hpp>

#include "tools/data/dataset_choice.h"

namespace utrain::tools {

// eval reads only test samples, so it has no --train-limit.
enum class DataUse { train_and_test, test_only };

void add_data_options(CLI::App& command, DataOptions& options, DataUse use);

}  // namespace utrain::tools
