// The digits reader: the bundled file, a small good file, and every malformed case, each of which
// must name the file, the line and the field so the user can find the problem.
#include "tools/data/digits_csv.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tools/tool_error.h"
#include "temp_dir.h"

namespace utrain::tools {
namespace {

using utrain::testing::TempDir;

// A valid line: pixel k is k % 17, then `label`.
std::string good_line(int label) {
  std::string line;
  for (int k = 0; k < kDigitsPixels; ++k) line += std::to_string(k % 17) + ",";
  return line + std::to_string(label);
}

// The line with field `field` (1-based) replaced by `value`.
std::string line_with_field(int field, const std::string& value) {
  std::string line;
  for (int k = 1; k <= kDigitsPixels + 1; ++k) {
    if (k > 1) line += ",";
    line += k == field ? value : (k <= kDigitsPixels ? "3" : "7");
  }
  return line;
}

// The message of the ToolError that reading `content` throws.
std::string read_error(const TempDir& dir, const std::string& content) {
  const auto file = dir.write("bad.csv", content);
  try {
    read_digits_csv(file);
  } catch (const ToolError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for content: " << content.substr(0, 80);
  return {};
}

TEST(DigitsCsv, bundled_file_has_1797_samples_of_64_pixels_scaled_to_unit_range) {
  const Dataset data = read_digits_csv(bundled_digits_path());
  ASSERT_EQ(data.size(), 1797u);
  EXPECT_EQ(data.features, 64);
  EXPECT_EQ(data.classes, 10);
  ASSERT_EQ(data.inputs.size(), 1797u * 64u);
  int per_class[10] = {};
  for (const int32_t label : data.labels) ++per_class[label];
  const int expected[10] = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};  // data/digits/README.md
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], expected[c]) << "class " << c;
  float lo = 1, hi = 0;
  for (const float v : data.inputs) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  // First line of the file: 0,0,5,13,9,1,0,0, ... label 0.
  EXPECT_EQ(data.sample(0)[2], 5.0f / 16.0f);
  EXPECT_EQ(data.sample(0)[3], 13.0f / 16.0f);
  EXPECT_EQ(data.labels[0], 0);
}

TEST(DigitsCsv, small_file_with_crlf_line_ends_and_no_final_newline) {
  TempDir dir;
  const auto file = dir.write("good.csv", good_line(3) + "\r\n" + good_line(9));
  const Dataset data = read_digits_csv(file);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data.labels[0], 3);
  EXPECT_EQ(data.labels[1], 9);
  EXPECT_EQ(data.sample(1)[16], 16.0f / 16.0f);  // pixel 17 is 16 % 17 = 16
  EXPECT_EQ(data.sample(1)[17], 0.0f);           // pixel 18 is 17 % 17 = 0
}

TEST(DigitsCsv, missing_file_names_it) {
  TempDir dir;
  const auto missing = dir / "nope.csv";
  try {
    read_digits_csv(missing);
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string() + ": cannot open: No such file"), std::string::npos)
        << e.what();
  }
}

TEST(DigitsCsv, directory_is_refused) {
  TempDir dir;
  try {
    read_digits_csv(dir.path());
    FAIL() << "no error";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

TEST(DigitsCsv, empty_file) {
  TempDir dir;
  EXPECT_NE(read_error(dir, "").find("bad.csv: empty file, no samples"), std::string::npos);
}

TEST(DigitsCsv, empty_line_names_the_line) {
  TempDir dir;
  const std::string message = read_error(dir, good_line(1) + "\n\n" + good_line(2) + "\n");
  EXPECT_NE(message.find("bad.csv:2: empty line"), std::string::npos) << message;
}

TEST(DigitsCsv, too_few_fields_names_line_and_missing_field) {
  TempDir dir;
  std::string short_line = good_line(4);
  short_line.resize(short_line.rfind(','));  // drop the label
  const std::string message = read_error(dir, good_line(1) + "\n" + good_line(2) + "\n" + short_line + "\n");
  EXPECT_NE(message.find("bad.csv:3: too few fields: found 64, expected 65; field 65 (label) is missing"),
            std::string::npos)
      << message;
}

TEST(DigitsCsv, too_many_fields_names_line_and_extra_field) {
  TempDir dir;
  const std::string message = read_error(dir, good_line(1) + ",5\n");
  EXPECT_NE(message.find("bad.csv:1: too many fields: field 66 is extra"), std::string::npos) << message;
}

TEST(DigitsCsv, non_numeric_pixel_names_line_and_field) {
  TempDir dir;
  const std::string message = read_error(dir, good_line(0) + "\n" + line_with_field(7, "x7") + "\n");
  EXPECT_NE(message.find("bad.csv:2: field 7 (pixel): 'x7' is not an integer"), std::string::npos) << message;
}

TEST(DigitsCsv, empty_field_and_fraction_are_not_integers) {
  TempDir dir;
  EXPECT_NE(read_error(dir, line_with_field(12, "") + "\n").find("bad.csv:1: field 12 (pixel): '' is not an integer"),
            std::string::npos);
  EXPECT_NE(read_error(dir, line_with_field(65, "2.5") + "\n").find("bad.csv:1: field 65 (label): '2.5' is not an integer"),
            std::string::npos);
}

TEST(DigitsCsv, pixel_outside_0_to_16_names_line_and_field) {
  TempDir dir;
  EXPECT_NE(read_error(dir, good_line(1) + "\n" + good_line(1) + "\n" + line_with_field(64, "17") + "\n")
                .find("bad.csv:3: field 64 (pixel): 17 is outside 0..16"),
            std::string::npos);
  EXPECT_NE(read_error(dir, line_with_field(1, "-1") + "\n").find("bad.csv:1: field 1 (pixel): -1 is outside 0..16"),
            std::string::npos);
}

TEST(DigitsCsv, label_outside_0_to_9_names_line_and_field) {
  TempDir dir;
  const std::string message = read_error(dir, line_with_field(65, "10") + "\n");
  EXPECT_NE(message.find("bad.csv:1: field 65 (label): 10 is outside 0..9"), std::string::npos) << message;
}

}  // namespace
}  // namespace utrain::tools
