// `utrain eval`: rebuilds a model from a checkpoint and prints its accuracy on the test part of
// the fixed split (tools/data/train_test_split.h), the same samples `utrain train` reports on.
#pragma once
#include <filesystem>

#include <CLI/CLI.hpp>

#include "tools/data/digits_csv.h"

namespace utrain::tools {

struct EvalOptions {
  std::filesystem::path load;
  std::filesystem::path data = bundled_digits_path();
  bool json = false;
};

CLI::App* add_eval_command(CLI::App& parent, EvalOptions& options);

// Throws ToolError on a bad checkpoint or data. Returns the exit status.
int run_eval_command(const EvalOptions& options);

}  // namespace utrain::tools
