// The IDX reader: round trips of small files written here, plain and gzip-compressed; every
// malformed case, each named by file and field; and slices of the real Fashion-MNIST files when
// the Debian package is installed (scripts/test.sh installs it).
#include "tools/data/idx_reader.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "tools/data/fashion_mnist.h"
#include "tools/tool_error.h"
#include "idx_files.h"
#include "temp_dir.h"

namespace utrain::tools {
namespace {

using utrain::testing::byte_ramp;
using utrain::testing::idx_header;
using utrain::testing::TempDir;
using utrain::testing::write_gzip;

constexpr std::array<std::string_view, 3> kImageDimensions = {"images", "rows", "columns"};

// Three images of 2 rows × 4 columns with pixels 0, 10, 20, ... and labels 7, 0, 9.
const std::string kImages = idx_header(0x08, {3, 2, 4}) + byte_ramp(24, 0, 10);
const std::string kLabels = idx_header(0x08, {3}) + std::string{7, 0, 9};

// The message of the ToolError that `read` throws.
std::string error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const ToolError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

// The error reading an images file with `content` (and good labels) gives.
std::string images_error(const TempDir& dir, const std::string& content) {
  const auto images = dir.write("images.idx", content), labels = dir.write("labels.idx", kLabels);
  return error_of([&] { read_idx_dataset(images, labels, 10); });
}

// The error reading a labels file with `content` (and good images) gives.
std::string labels_error(const TempDir& dir, const std::string& content) {
  const auto images = dir.write("images.idx", kImages), labels = dir.write("labels.idx", content);
  return error_of([&] { read_idx_dataset(images, labels, 10); });
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void expect_the_three_images(const Dataset& data) {
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data.features, 8);
  EXPECT_EQ(data.shape.channels, 1);
  EXPECT_EQ(data.shape.height, 2);
  EXPECT_EQ(data.shape.width, 4);
  EXPECT_EQ(data.classes, 10);
  EXPECT_EQ(data.labels, (std::vector<int32_t>{7, 0, 9}));
  ASSERT_EQ(data.inputs.size(), 24u);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(data.inputs[i], static_cast<float>((10 * i) & 0xff) / 255.0f) << i;
}

TEST(IdxReader, plain_files_round_trip_as_one_channel_images_scaled_to_unit_range) {
  TempDir dir;
  expect_the_three_images(read_idx_dataset(dir.write("images.idx", kImages), dir.write("labels.idx", kLabels), 10));
}

TEST(IdxReader, gzip_files_round_trip_whatever_their_name) {
  TempDir dir;
  expect_the_three_images(read_idx_dataset(write_gzip(dir / "images.idx.gz", kImages),
                                           write_gzip(dir / "labels-no-suffix", kLabels), 10));
}

TEST(IdxReader, full_pixel_range_maps_0_to_0_and_255_to_1) {
  TempDir dir;
  const auto images = dir.write("i", idx_header(0x08, {1, 16, 16}) + byte_ramp(256));
  const auto labels = dir.write("l", idx_header(0x08, {1}) + std::string(1, '\0'));
  const Dataset data = read_idx_dataset(images, labels, 1);
  EXPECT_EQ(data.inputs.front(), 0.0f);
  EXPECT_EQ(data.inputs.back(), 1.0f);
  EXPECT_EQ(data.inputs[51], 0.2f);
}

TEST(IdxReader, slice_reads_the_first_samples_and_not_past_them) {
  TempDir dir;
  // Cut inside the third image: the slice of two never reaches the cut.
  const auto images = write_gzip(dir / "images.gz", kImages.substr(0, kImages.size() - 3));
  const auto labels = dir.write("labels.idx", kLabels);
  const Dataset two = read_idx_dataset(images, labels, 10, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two.labels, (std::vector<int32_t>{7, 0}));
  EXPECT_EQ(two.inputs.size(), 16u);
  EXPECT_EQ(two.inputs[15], 150.0f / 255.0f);
  EXPECT_NE(error_of([&] { read_idx_dataset(images, labels, 10, 3); })
                .find("images.gz: data: the file ends 21 bytes into the data, the header (3×2×4) promises 24 bytes"),
            std::string::npos);
}

TEST(IdxReader, idx_file_reads_items_in_order_then_checks_the_end) {
  TempDir dir;
  IdxFile file(dir.write("images.idx", kImages), kImageDimensions);
  EXPECT_EQ(file.dimensions(), (std::vector<uint32_t>{3, 2, 4}));
  EXPECT_EQ(file.items(), 3u);
  EXPECT_EQ(file.item_size(), 8u);
  EXPECT_NE(error_of([&] { file.expect_end(); }).find("images.idx: 3 of the 3 items were not read"), std::string::npos);
  EXPECT_EQ(file.read_items(1), std::vector<uint8_t>({0, 10, 20, 30, 40, 50, 60, 70}));
  EXPECT_EQ(file.read_items(5).size(), 16u);  // only two items are left
  EXPECT_TRUE(file.read_items(1).empty());
  file.expect_end();
}

TEST(IdxReader, missing_file_and_directory_are_named) {
  TempDir dir;
  const auto labels = dir.write("labels.idx", kLabels);
  const auto missing = dir / "nope.idx";
  EXPECT_NE(error_of([&] { read_idx_dataset(missing, labels, 10); })
                .find(missing.string() + ": cannot open: No such file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_dataset(dir.path(), labels, 10); }).find(dir.path().string() + ": is a directory"),
            std::string::npos);
}

TEST(IdxReader, file_too_short_for_the_magic_number) {
  TempDir dir;
  EXPECT_NE(images_error(dir, "").find("images.idx: header: the file has 0 bytes, the magic number alone needs 4"),
            std::string::npos);
  EXPECT_NE(images_error(dir, std::string(3, '\0')).find("images.idx: header: the file has 3 bytes"),
            std::string::npos);
}

TEST(IdxReader, magic_number_must_start_with_two_zero_bytes) {
  TempDir dir;
  const std::string message = images_error(dir, "P5\n28 28\n255\n");  // a PGM image, not IDX
  EXPECT_NE(message.find("images.idx: magic number 0x50350a32: its first two bytes must be 0"), std::string::npos)
      << message;
  std::string first_byte_set = kImages;
  first_byte_set[0] = '\x01';
  EXPECT_NE(images_error(dir, first_byte_set).find("magic number 0x01000803: its first two bytes"), std::string::npos);
}

TEST(IdxReader, unknown_data_type_is_named) {
  TempDir dir;
  const std::string message = images_error(dir, idx_header(0x07, {3, 2, 4}) + byte_ramp(24));
  EXPECT_NE(message.find("images.idx: magic number 0x00000703: data type 0x07 is not an IDX data type"),
            std::string::npos)
      << message;
}

TEST(IdxReader, data_types_other_than_unsigned_byte_are_not_supported) {
  TempDir dir;
  const std::string message = images_error(dir, idx_header(0x0D, {3, 2, 4}) + std::string(96, '\0'));
  EXPECT_NE(message.find("images.idx: magic number 0x00000d03: data type 0x0d (32-bit float) is not supported, "
                         "only 0x08 (unsigned byte)"),
            std::string::npos)
      << message;
  EXPECT_NE(labels_error(dir, idx_header(0x09, {3}) + byte_ramp(3)).find("data type 0x09 (signed byte)"),
            std::string::npos);
}

TEST(IdxReader, dimension_count_must_match_the_file_role) {
  TempDir dir;
  EXPECT_NE(images_error(dir, kLabels).find("images.idx: magic number 0x00000801: 1 dimensions, expected 3 (images, "
                                            "rows, columns)"),
            std::string::npos);
  EXPECT_NE(labels_error(dir, kImages).find("labels.idx: magic number 0x00000803: 3 dimensions, expected 1 (labels)"),
            std::string::npos);
}

TEST(IdxReader, header_cut_inside_a_dimension_size) {
  TempDir dir;
  const std::string message = images_error(dir, idx_header(0x08, {3, 2, 4}).substr(0, 10));
  EXPECT_NE(message.find("images.idx: header: the file ends inside the size of dimension 1 (rows)"), std::string::npos)
      << message;
}

TEST(IdxReader, dimension_of_size_zero_is_named) {
  TempDir dir;
  EXPECT_NE(images_error(dir, idx_header(0x08, {3, 2, 0})).find("images.idx: dimension 2 (columns) is 0"),
            std::string::npos);
  EXPECT_NE(labels_error(dir, idx_header(0x08, {0})).find("labels.idx: dimension 0 (labels) is 0"), std::string::npos);
}

TEST(IdxReader, header_claiming_more_than_memory_is_refused_before_reading) {
  TempDir dir;
  const std::string message = images_error(dir, idx_header(0x08, {0xffffffff, 0xffffffff, 0xffffffff}));
  EXPECT_NE(message.find("images.idx: dimensions 4294967295×4294967295×4294967295: more data than this host can "
                         "address"),
            std::string::npos)
      << message;
}

TEST(IdxReader, huge_but_addressable_header_fails_on_the_data_without_allocating_it) {
  TempDir dir;
  // 4 294 967 295 images of 28×28 would be 3.4 TB; the file holds one. Labels agree in count.
  const auto images = dir.write("images.idx", idx_header(0x08, {0xffffffff, 28, 28}) + byte_ramp(784));
  const auto labels = dir.write("labels.idx", idx_header(0x08, {0xffffffff}) + std::string(1, '\0'));
  const std::string message = error_of([&] { read_idx_dataset(images, labels, 10); });
  EXPECT_NE(message.find("labels.idx: data: the file ends 1 bytes into the data, the header (4294967295) promises "
                         "4294967295 bytes"),
            std::string::npos)
      << message;
}

TEST(IdxReader, truncated_data_says_how_far_it_got) {
  TempDir dir;
  const std::string message = images_error(dir, kImages.substr(0, kImages.size() - 4));
  EXPECT_NE(message.find("images.idx: data: the file ends 20 bytes into the data, the header (3×2×4) promises 24 "
                         "bytes"),
            std::string::npos)
      << message;
  EXPECT_NE(labels_error(dir, idx_header(0x08, {3})).find("labels.idx: data: the file ends 0 bytes into the data"),
            std::string::npos);
}

TEST(IdxReader, bytes_after_the_data_are_an_error) {
  TempDir dir;
  const std::string message = images_error(dir, kImages + "x");
  EXPECT_NE(message.find("images.idx: data: more bytes follow the 24 bytes the header (3×2×4) describes"),
            std::string::npos)
      << message;
}

TEST(IdxReader, image_and_label_counts_must_agree) {
  TempDir dir;
  const std::string message = labels_error(dir, idx_header(0x08, {2}) + std::string{1, 2});
  EXPECT_NE(message.find("labels.idx: 2 labels, but "), std::string::npos) << message;
  EXPECT_NE(message.find("images.idx holds 3 images"), std::string::npos) << message;
}

TEST(IdxReader, label_out_of_range_names_the_item) {
  TempDir dir;
  const std::string message = labels_error(dir, idx_header(0x08, {3}) + std::string{7, 10, 9});
  EXPECT_NE(message.find("labels.idx: label 1 (counting from 0) is 10, outside 0..9"), std::string::npos) << message;
}

TEST(IdxReader, truncated_gzip_stream_is_damaged_data) {
  TempDir dir;
  const std::string compressed = file_bytes(write_gzip(dir / "whole.gz", kImages + byte_ramp(5000, 3, 7)));
  const std::string message = images_error(dir, compressed.substr(0, compressed.size() / 2));
  EXPECT_NE(message.find("images.idx: damaged compressed data after "), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected end of file"), std::string::npos) << message;
}

TEST(IdxReader, gzip_check_value_mismatch_is_damaged_data) {
  TempDir dir;
  std::string compressed = file_bytes(write_gzip(dir / "whole.gz", kImages));
  compressed[compressed.size() - 8] ^= 0x01;  // the CRC-32 of the trailer
  const std::string message = images_error(dir, compressed);
  // zlib decompresses ahead of what is asked, so the check can fail on the very first read.
  EXPECT_NE(message.find("images.idx: damaged compressed data after "), std::string::npos) << message;
  EXPECT_NE(message.find("incorrect data check"), std::string::npos) << message;
}

TEST(IdxReader, every_truncation_of_plain_and_gzip_files_is_an_error) {
  TempDir dir;
  const auto labels = dir.write("labels.idx", kLabels);
  const std::string compressed = file_bytes(write_gzip(dir / "whole.gz", kImages));
  for (const std::string& whole : {kImages, compressed}) {
    for (std::size_t length = 0; length < whole.size(); ++length) {
      const auto images = dir.write("images.idx", whole.substr(0, length));
      EXPECT_THROW(read_idx_dataset(images, labels, 10), ToolError) << length << " of " << whole.size() << " bytes";
    }
  }
}

// A change to the plain file's header is an error; one to its data is just another pixel.
TEST(IdxReader, any_byte_change_of_a_plain_file_fails_in_the_header_and_reads_in_the_data) {
  TempDir dir;
  const auto labels = dir.write("labels.idx", kLabels);
  constexpr std::size_t kHeaderBytes = 16;
  for (std::size_t at = 0; at < kImages.size(); ++at) {
    for (const int change : {0x01, 0x80, 0xff}) {
      std::string damaged = kImages;
      damaged[at] = static_cast<char>(damaged[at] ^ change);
      const auto images = dir.write("images.idx", damaged);
      if (at < kHeaderBytes) {
        EXPECT_THROW(read_idx_dataset(images, labels, 10), ToolError) << "byte " << at << " ^ " << change;
      } else {
        const Dataset data = read_idx_dataset(images, labels, 10);
        EXPECT_EQ(data.inputs[at - kHeaderBytes], static_cast<float>(static_cast<uint8_t>(damaged[at])) / 255.0f);
      }
    }
  }
}

// zlib checks neither the gzip header's time stamp, extra flags and OS byte nor the padding bits
// of the last deflate byte, so some changes read fine; the rest must be ToolErrors, never a
// crash, and the CRC-32 and length of the trailer always catch a change to themselves.
TEST(IdxReader, any_byte_change_of_a_gzip_file_reads_or_fails_cleanly) {
  TempDir dir;
  const auto labels = dir.write("labels.idx", kLabels);
  const std::string compressed = file_bytes(write_gzip(dir / "whole.gz", kImages));
  constexpr std::size_t kTrailerBytes = 8;
  for (std::size_t at = 0; at < compressed.size(); ++at) {
    for (const int change : {0x01, 0x80, 0xff}) {
      std::string damaged = compressed;
      damaged[at] = static_cast<char>(damaged[at] ^ change);
      const auto images = dir.write("images.idx", damaged);
      try {
        EXPECT_EQ(read_idx_dataset(images, labels, 10).inputs.size(), 24u);
        EXPECT_LT(at, compressed.size() - kTrailerBytes) << "a changed trailer byte " << at << " went unnoticed";
      } catch (const ToolError&) {
      }
    }
  }
}

// The Debian package dataset-fashion-mnist, when installed: only small slices, to stay fast.
class RealFashionMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code ec;
    if (!std::filesystem::is_directory(default_fashion_mnist_folder(), ec))
      GTEST_SKIP() << default_fashion_mnist_folder() << " is missing: install the Debian package "
                   << kFashionMnistPackage << " (scripts/install_deps.sh data)";
  }
  static std::filesystem::path file(const std::string& name) { return default_fashion_mnist_folder() / name; }
};

TEST_F(RealFashionMnist, headers_give_60000_training_and_10000_test_images_of_28x28) {
  const IdxFile train(file("train-images-idx3-ubyte.gz"), kImageDimensions);
  EXPECT_EQ(train.dimensions(), (std::vector<uint32_t>{60000, 28, 28}));
  const IdxFile test(file("t10k-images-idx3-ubyte.gz"), kImageDimensions);
  EXPECT_EQ(test.dimensions(), (std::vector<uint32_t>{10000, 28, 28}));
}

TEST_F(RealFashionMnist, training_slice_has_the_published_first_labels_and_pixels) {
  const Dataset data = read_fashion_mnist(default_fashion_mnist_folder(), FashionMnistPart::train, 100);
  ASSERT_EQ(data.size(), 100u);
  EXPECT_EQ(data.features, 784);
  EXPECT_EQ(data.shape.channels, 1);
  EXPECT_EQ(data.shape.height, 28);
  EXPECT_EQ(data.shape.width, 28);
  EXPECT_EQ(data.classes, 10);
  // Ankle boot, T-shirt, T-shirt, dress, T-shirt, pullover, sneaker, pullover, sandal, sandal.
  EXPECT_EQ(std::vector<int32_t>(data.labels.begin(), data.labels.begin() + 10),
            (std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  // The first image's pixels sum to 76 247 and peak (255) at row 14, column 25.
  const std::span<const float> first = data.sample(0);
  double sum = 0;
  for (const float v : first) sum += v * 255.0;
  EXPECT_NEAR(sum, 76247.0, 0.01);
  EXPECT_EQ(std::max_element(first.begin(), first.end()) - first.begin(), 14 * 28 + 25);
  EXPECT_EQ(*std::max_element(first.begin(), first.end()), 1.0f);
}

TEST_F(RealFashionMnist, whole_label_files_read_to_the_end_with_their_crc_checked) {
  const std::array<std::string_view, 1> label_dimensions = {"labels"};
  IdxFile test(file("t10k-labels-idx1-ubyte.gz"), label_dimensions);
  const std::vector<uint8_t> labels = test.read_items(test.items());
  test.expect_end();
  for (uint8_t c = 0; c < 10; ++c) EXPECT_EQ(std::count(labels.begin(), labels.end(), c), 1000) << "class " << int{c};
  EXPECT_EQ(std::vector<uint8_t>(labels.begin(), labels.begin() + 10),
            (std::vector<uint8_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
}

}  // namespace
}  // namespace utrain::tools
