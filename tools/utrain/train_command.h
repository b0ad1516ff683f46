// `utrain train`: trains an MLP or a CNN (tools/train/classifier_model.h) on the chosen data set
// (tools/data/dataset_choice.h) and reports accuracy, step time and planned memory; optionally
// saves a checkpoint.
#pragma once
#include <CLI/CLI.hpp>

#include "tools/train/train_options.h"

namespace utrain::tools {

// Adds the subcommand and its options, which parse into `options` (kept alive by the caller).
CLI::App* add_train_command(CLI::App& parent, TrainOptions& options);

// Runs it; throws ToolError on bad options or data. Returns the exit status.
int run_train_command(const TrainOptions& options);

}  // namespace utrain::tools
