// Reader of the 8×8 handwritten digits in the CSV layout of data/digits/digits.csv (see its
// README): one image per line, 64 integer pixels 0..16 then the label 0..9, comma-separated.
//
// Each sample is an image of 1 channel × 8 × 8. Pixels are scaled to [0, 1] (divided by 16) so
// that a freshly initialised network starts with activations of order one. Every malformed
// input is a ToolError whose message names the file, the line (1-based) and the field (1-based,
// "pixel k" or "label"), so a user can open the file at the right place: wrong field count,
// non-numeric field, pixel or label out of range, empty file, unreadable or missing file. A '\r'
// before the line end (a file saved on Windows) is accepted; empty lines are not.
#pragma once
#include <filesystem>

#include "tools/data/dataset.h"

namespace utrain::tools {

inline constexpr int32_t kDigitsSide = 8;
inline constexpr int32_t kDigitsPixels = kDigitsSide * kDigitsSide;
inline constexpr int32_t kDigitsClasses = 10;
inline constexpr int32_t kDigitsMaxPixel = 16;

// The copy bundled with the sources (data/digits/digits.csv).
std::filesystem::path bundled_digits_path();

Dataset read_digits_csv(const std::filesystem::path& path);

}  // namespace utrain::tools
