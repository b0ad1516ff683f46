#include "tools/data/dataset_choice.h"

#include <fmt/format.h>

#include "tools/data/digits_csv.h"
#include "tools/data/fashion_mnist.h"
#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

DatasetKind kind_of(const DataOptions& o) {
  const std::optional<DatasetKind> kind = parse_dataset_kind(o.dataset);
  if (!kind) throw ToolError(fmt::format("--dataset must be digits or fashion-mnist (got '{}')", o.dataset));
  return *kind;
}

std::size_t limit_or_all(const std::optional<int64_t>& limit) {
  return limit ? static_cast<std::size_t>(*limit) : kAllItems;
}

}  // namespace

std::optional<DatasetKind> parse_dataset_kind(std::string_view name) {
  if (name == "digits") return DatasetKind::digits;
  if (name == "fashion-mnist") return DatasetKind::fashion_mnist;
  return std::nullopt;
}

const char* dataset_kind_name(DatasetKind kind) {
  return kind == DatasetKind::digits ? "digits" : "fashion-mnist";
}

std::string describe_default_data_path() {
  return fmt::format("digits: the bundled {}; fashion-mnist: {}", bundled_digits_path().filename().string(),
                     default_fashion_mnist_folder().string());
}

std::filesystem::path data_path(const DataOptions& o) {
  if (!o.path.empty()) return o.path;
  return kind_of(o) == DatasetKind::digits ? bundled_digits_path() : default_fashion_mnist_folder();
}

void validate_data_options(const DataOptions& o) {
  kind_of(o);
  if (o.train_limit && *o.train_limit < 1)
    throw ToolError(fmt::format("--train-limit must be at least 1 (got {})", *o.train_limit));
  if (o.test_limit && *o.test_limit < 1)
    throw ToolError(fmt::format("--test-limit must be at least 1 (got {})", *o.test_limit));
}

TrainTestSplit load_train_test(const DataOptions& o) {
  const std::size_t train_limit = limit_or_all(o.train_limit), test_limit = limit_or_all(o.test_limit);
  if (kind_of(o) == DatasetKind::fashion_mnist) {
    const std::filesystem::path folder = data_path(o);
    return TrainTestSplit{read_fashion_mnist(folder, FashionMnistPart::train, train_limit),
                          read_fashion_mnist(folder, FashionMnistPart::test, test_limit)};
  }
  TrainTestSplit split = split_train_test(read_digits_csv(data_path(o)));
  keep_first_samples(split.train, train_limit);
  keep_first_samples(split.test, test_limit);
  return split;
}

Dataset load_test_set(const DataOptions& o) {
  const std::size_t test_limit = limit_or_all(o.test_limit);
  if (kind_of(o) == DatasetKind::fashion_mnist)
    return read_fashion_mnist(data_path(o), FashionMnistPart::test, test_limit);
  Dataset test = split_train_test(read_digits_csv(data_path(o))).test;
  keep_first_samples(test, test_limit);
  return test;
}

}  // namespace utrain::tools
