// Finding the Fashion-MNIST files in a folder: plain or compressed, the package named when the
// folder is missing, the image size checked. Folders are written here with tiny files; the real
// files are read in idx_reader_test.cpp.
#include "tools/data/fashion_mnist.h"

#include <string>

#include <gtest/gtest.h>

#include "tools/tool_error.h"
#include "idx_files.h"
#include "temp_dir.h"

namespace utrain::tools {
namespace {

using utrain::testing::byte_ramp;
using utrain::testing::idx_header;
using utrain::testing::TempDir;
using utrain::testing::write_gzip;

// `count` images of rows × columns and labels 0, 1, 2, ...
std::string images_file(uint32_t count, uint32_t rows = 28, uint32_t columns = 28) {
  return idx_header(0x08, {count, rows, columns}) + byte_ramp(std::size_t{count} * rows * columns);
}
std::string labels_file(uint32_t count) { return idx_header(0x08, {count}) + byte_ramp(count); }

std::string error_of(const std::filesystem::path& folder, FashionMnistPart part) {
  try {
    read_fashion_mnist(folder, part);
  } catch (const ToolError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(FashionMnist, reads_plain_and_compressed_files_of_each_part) {
  TempDir dir;
  dir.write("train-images-idx3-ubyte", images_file(3));
  dir.write("train-labels-idx1-ubyte", labels_file(3));
  write_gzip(dir / "t10k-images-idx3-ubyte.gz", images_file(2));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", labels_file(2));
  const Dataset train = read_fashion_mnist(dir.path(), FashionMnistPart::train);
  EXPECT_EQ(train.size(), 3u);
  EXPECT_EQ(train.features, 784);
  EXPECT_EQ(train.classes, 10);
  EXPECT_EQ(train.labels, (std::vector<int32_t>{0, 1, 2}));
  const Dataset test = read_fashion_mnist(dir.path(), FashionMnistPart::test, 1);
  EXPECT_EQ(test.size(), 1u);
  EXPECT_EQ(test.inputs.size(), 784u);
}

TEST(FashionMnist, plain_file_wins_over_compressed_one) {
  TempDir dir;
  dir.write("t10k-images-idx3-ubyte", images_file(2));
  dir.write("t10k-labels-idx1-ubyte", labels_file(2));
  write_gzip(dir / "t10k-images-idx3-ubyte.gz", images_file(1));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", labels_file(1));
  EXPECT_EQ(read_fashion_mnist(dir.path(), FashionMnistPart::test).size(), 2u);
}

TEST(FashionMnist, missing_folder_names_the_debian_package) {
  TempDir dir;
  const std::string message = error_of(dir / "nowhere", FashionMnistPart::train);
  EXPECT_NE(message.find("nowhere: no such folder; Fashion-MNIST is in the Debian package dataset-fashion-mnist"),
            std::string::npos)
      << message;
}

TEST(FashionMnist, missing_file_names_both_names_tried) {
  TempDir dir;
  dir.write("train-images-idx3-ubyte", images_file(1));
  const std::string message = error_of(dir.path(), FashionMnistPart::train);
  EXPECT_NE(message.find(": holds neither train-labels-idx1-ubyte nor train-labels-idx1-ubyte.gz"), std::string::npos)
      << message;
}

TEST(FashionMnist, images_must_be_28_by_28) {
  TempDir dir;
  dir.write("t10k-images-idx3-ubyte", images_file(2, 28, 27));
  dir.write("t10k-labels-idx1-ubyte", labels_file(2));
  const std::string message = error_of(dir.path(), FashionMnistPart::test);
  EXPECT_NE(message.find("t10k-images-idx3-ubyte: images of 28×27 pixels, Fashion-MNIST's are 28×28"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace utrain::tools
