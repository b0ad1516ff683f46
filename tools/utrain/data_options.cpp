#include "tools/utrain/data_options.h"

#include <fmt/format.h>

namespace utrain::tools {

void add_data_options(CLI::App& cmd, DataOptions& o, DataUse use) {
  cmd.add_option("--dataset", o.dataset, "digits (8x8, bundled) or fashion-mnist (28x28, Debian package)")
      ->capture_default_str();
  cmd.add_option("--data", o.path,
                 fmt::format("The digits CSV file, or the folder of the Fashion-MNIST IDX files, plain or .gz "
                             "(default {})",
                             describe_default_data_path()));
  if (use == DataUse::train_and_test)
    cmd.add_option("--train-limit", o.train_limit, "Use only the first N training samples");
  cmd.add_option("--test-limit", o.test_limit, "Use only the first N test samples");
}

}  // namespace utrain::tools
