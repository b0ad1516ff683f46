// Choosing the data by name: the names, the option checks, the default places, and the sample
// limits for both data sets (Fashion-MNIST from a tiny folder written here).
#include "tools/data/dataset_choice.h"

#include <string>

#include <gtest/gtest.h>

#include "tools/data/digits_csv.h"
#include "tools/data/fashion_mnist.h"
#include "tools/tool_error.h"
#include "idx_files.h"
#include "temp_dir.h"

namespace utrain::tools {
namespace {

using utrain::testing::byte_ramp;
using utrain::testing::idx_header;
using utrain::testing::TempDir;

std::string error_of(const DataOptions& o) {
  try {
    validate_data_options(o);
  } catch (const ToolError& e) {
    return e.what();
  }
  return "(valid)";
}

// A Fashion-MNIST folder with `train` and `test` images whose labels count 0, 1, 2, ... mod 10.
void write_fashion_folder(const TempDir& dir, uint32_t train, uint32_t test) {
  for (const auto& [prefix, count] : {std::pair{"train", train}, std::pair{"t10k", test}}) {
    dir.write(std::string(prefix) + "-images-idx3-ubyte", idx_header(0x08, {count, 28, 28}) + byte_ramp(count * 784u));
    std::string labels = idx_header(0x08, {count});
    for (uint32_t i = 0; i < count; ++i) labels += static_cast<char>(i % 10);
    dir.write(std::string(prefix) + "-labels-idx1-ubyte", labels);
  }
}

TEST(DatasetChoice, names_parse_to_kinds) {
  EXPECT_EQ(parse_dataset_kind("digits"), DatasetKind::digits);
  EXPECT_EQ(parse_dataset_kind("fashion-mnist"), DatasetKind::fashion_mnist);
  EXPECT_FALSE(parse_dataset_kind("mnist"));
  EXPECT_FALSE(parse_dataset_kind("Digits"));
}

TEST(DatasetChoice, each_bad_option_is_named) {
  DataOptions o;
  EXPECT_EQ(error_of(o), "(valid)");
  o.dataset = "cifar10";
  EXPECT_EQ(error_of(o), "--dataset must be digits or fashion-mnist (got 'cifar10')");
  o = DataOptions{};
  o.train_limit = 0;
  EXPECT_EQ(error_of(o), "--train-limit must be at least 1 (got 0)");
  o = DataOptions{};
  o.test_limit = -4;
  EXPECT_EQ(error_of(o), "--test-limit must be at least 1 (got -4)");
}

TEST(DatasetChoice, default_places_and_an_explicit_path) {
  DataOptions o;
  EXPECT_EQ(data_path(o), bundled_digits_path());
  o.dataset = "fashion-mnist";
  EXPECT_EQ(data_path(o), default_fashion_mnist_folder());
  o.path = "/somewhere/else";
  EXPECT_EQ(data_path(o), "/somewhere/else");
}

TEST(DatasetChoice, digits_split_without_limits) {
  const TrainTestSplit split = load_train_test(DataOptions{});
  EXPECT_EQ(split.train.size(), 1438u);
  EXPECT_EQ(split.test.size(), 359u);
  EXPECT_EQ(split.train.shape.height, 8);
  EXPECT_EQ(split.test.shape.width, 8);
  EXPECT_EQ(load_test_set(DataOptions{}).labels, split.test.labels);
}

TEST(DatasetChoice, digits_limits_keep_the_first_samples_of_the_split) {
  const TrainTestSplit whole = load_train_test(DataOptions{});
  DataOptions o;
  o.train_limit = 100;
  o.test_limit = 40;
  const TrainTestSplit slice = load_train_test(o);
  ASSERT_EQ(slice.train.size(), 100u);
  ASSERT_EQ(slice.test.size(), 40u);
  EXPECT_EQ(slice.train.inputs.size(), 100u * 64u);
  EXPECT_EQ(std::vector<int32_t>(whole.train.labels.begin(), whole.train.labels.begin() + 100), slice.train.labels);
  EXPECT_EQ(std::vector<float>(whole.test.inputs.begin(), whole.test.inputs.begin() + 40 * 64), slice.test.inputs);
  EXPECT_EQ(load_test_set(o).labels, slice.test.labels);
}

TEST(DatasetChoice, limit_above_the_sample_count_keeps_everything) {
  DataOptions o;
  o.train_limit = 1'000'000;
  EXPECT_EQ(load_train_test(o).train.size(), 1438u);
}

TEST(DatasetChoice, fashion_mnist_reads_both_parts_of_the_folder_with_limits) {
  TempDir dir;
  write_fashion_folder(dir, 12, 7);
  DataOptions o;
  o.dataset = "fashion-mnist";
  o.path = dir.path();
  const TrainTestSplit whole = load_train_test(o);
  EXPECT_EQ(whole.train.size(), 12u);
  EXPECT_EQ(whole.test.size(), 7u);
  EXPECT_EQ(whole.train.features, 784);
  o.train_limit = 5;
  o.test_limit = 3;
  const TrainTestSplit slice = load_train_test(o);
  EXPECT_EQ(slice.train.labels, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(slice.test.labels, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(load_test_set(o).inputs, slice.test.inputs);
}

TEST(DatasetChoice, fashion_mnist_test_set_needs_only_the_test_files) {
  TempDir dir;
  write_fashion_folder(dir, 4, 2);
  std::filesystem::remove(dir / "train-images-idx3-ubyte");
  DataOptions o;
  o.dataset = "fashion-mnist";
  o.path = dir.path();
  EXPECT_EQ(load_test_set(o).size(), 2u);
  EXPECT_THROW(load_train_test(o), ToolError);
}

TEST(DatasetChoice, keep_first_samples_truncates_inputs_and_labels_together) {
  Dataset data;
  data.features = 2;
  data.inputs = {1, 2, 3, 4, 5, 6};
  data.labels = {7, 8, 9};
  keep_first_samples(data, 5);
  EXPECT_EQ(data.size(), 3u);
  keep_first_samples(data, 2);
  EXPECT_EQ(data.labels, (std::vector<int32_t>{7, 8}));
  EXPECT_EQ(data.inputs, (std::vector<float>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace utrain::tools
