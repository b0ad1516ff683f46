#include "tools/data/digits_csv.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

constexpr int kFieldsPerLine = kDigitsPixels + 1;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string field_name(int field) {
  return fmt::format("field {} ({})", field, field == kFieldsPerLine ? "label" : "pixel");
}

// Parses field number `field` of the line at `where` ("file:line"), checking it is an integer in [low, high].
int32_t parse_field(std::string_view text, int low, int high, const std::string& where, int field) {
  const std::string_view value = trim(text);
  int32_t parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || error != std::errc() || end != value.data() + value.size())
    throw ToolError(fmt::format("{}: {}: '{}' is not an integer", where, field_name(field), value));
  if (parsed < low || parsed > high)
    throw ToolError(fmt::format("{}: {}: {} is outside {}..{}", where, field_name(field), parsed, low, high));
  return parsed;
}

}  // namespace

std::filesystem::path bundled_digits_path() {
  return std::filesystem::path(UTRAIN_DATA_DIR) / "digits" / "digits.csv";
}

Dataset read_digits_csv(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ToolError(fmt::format("{}: is a directory, not a data file", file));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(fmt::format("{}: cannot open: {}", file, std::strerror(errno)));

  Dataset data;
  data.features = kDigitsPixels;
  data.shape = SampleShape{1, kDigitsSide, kDigitsSide};
  data.classes = kDigitsClasses;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = fmt::format("{}:{}", file, line_number);
    if (trim(line).empty()) throw ToolError(fmt::format("{}: empty line, expected {} fields", where, kFieldsPerLine));

    std::string_view rest = line;
    int field = 0;
    while (true) {
      ++field;
      const size_t comma = rest.find(',');
      const std::string_view text = rest.substr(0, comma);
      if (field > kFieldsPerLine) {
        throw ToolError(fmt::format("{}: too many fields: field {} is extra, expected {} (64 pixels and a label)",
                                    where, field, kFieldsPerLine));
      }
      if (field < kFieldsPerLine)
        data.inputs.push_back(static_cast<float>(parse_field(text, 0, kDigitsMaxPixel, where, field)) /
                              static_cast<float>(kDigitsMaxPixel));
      else
        data.labels.push_back(parse_field(text, 0, kDigitsClasses - 1, where, field));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (field < kFieldsPerLine) {
      throw ToolError(fmt::format("{}: too few fields: found {}, expected {}; {} is missing", where, field,
                                  kFieldsPerLine, field_name(field + 1)));
    }
  }
  if (in.bad()) throw ToolError(fmt::format("{}: read error after line {}: {}", file, line_number, std::strerror(errno)));
  if (data.labels.empty()) throw ToolError(fmt::format("{}: empty file, no samples", file));
  return data;
}

}  // namespace utrain::tools
