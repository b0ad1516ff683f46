// The data sets `utrain train` and `utrain eval` can use, chosen by name, and the training and
// test samples each gives:
//
//   digits         the 8×8 digits CSV (default: the bundled copy), split into training and test
//                  samples by split_train_test()
//   fashion-mnist  the Fashion-MNIST IDX files in a folder (default: where the Debian package
//                  puts them), whose training and test parts come separately
//
// Limits keep the first samples of each part, so a test or a quick try can use a small slice:
// for digits the first of the (shuffled) split, for Fashion-MNIST the first of each file, read
// without decompressing the rest. The choice of data is independent of the choice of model.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tools/data/dataset.h"
#include "tools/data/train_test_split.h"

namespace utrain::tools {

enum class DatasetKind { digits, fashion_mnist };

struct DataOptions {
  std::string dataset = "digits";      // digits | fashion-mnist
  std::filesystem::path path;          // empty: the data set's usual place (default_data_path)
  std::optional<int64_t> train_limit;  // use at most this many training samples
  std::optional<int64_t> test_limit;   // use at most this many test samples
};

std::optional<DatasetKind> parse_dataset_kind(std::string_view name);
const char* dataset_kind_name(DatasetKind kind);

// "the bundled digits CSV" and the like, for --help.
std::string describe_default_data_path();

// options.path, or where the chosen data set is by default.
std::filesystem::path data_path(const DataOptions& options);

// Throws ToolError naming the option ("--train-limit must be at least 1 (got 0)").
void validate_data_options(const DataOptions& options);

// Throw ToolError on an unknown data set name or on unreadable or malformed data.
TrainTestSplit load_train_test(const DataOptions& options);
Dataset load_test_set(const DataOptions& options);

}  // namespace utrain::tools
