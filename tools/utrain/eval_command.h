// `utrain eval`: rebuilds a model from a checkpoint and prints its accuracy on the test samples
// of the chosen data set (tools/data/dataset_choice.h): given the same --dataset, --data and
// --test-limit, the samples `utrain train` reported on.
#pragma once
#include <filesystem>

#include <CLI/CLI.hpp>

#include "tools/data/dataset_choice.h"

namespace utrain::tools {

struct EvalOptions {
  std::filesystem::path load;
  DataOptions data;  // no train_limit: eval reads only test samples
  bool json = false;
};

CLI::App* add_eval_command(CLI::App& parent, EvalOptions& options);

// Throws ToolError on a bad checkpoint or data. Returns the exit status.
int run_eval_command(const EvalOptions& options);

}  // namespace utrain::tools
