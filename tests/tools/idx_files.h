// Writers of small IDX files for the tests: the bytes of a header and its data, put in a file
// plain or gzip-compressed, and a folder laid out like Debian's dataset-fashion-mnist.
#pragma once
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>
#include <zlib.h>

namespace utrain::testing {

// An IDX header: 0, 0, `type`, the dimension count, then each dimension big-endian.
inline std::string idx_header(uint8_t type, std::initializer_list<uint32_t> dimensions) {
  std::string bytes = {'\0', '\0', static_cast<char>(type), static_cast<char>(dimensions.size())};
  for (const uint32_t d : dimensions)
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((d >> shift) & 0xff);
  return bytes;
}

// `count` bytes: start, start + step, ... (mod 256).
inline std::string byte_ramp(std::size_t count, int start = 0, int step = 1) {
  std::string bytes(count, '\0');
  for (std::size_t i = 0; i < count; ++i) bytes[i] = static_cast<char>((start + step * static_cast<int>(i)) & 0xff);
  return bytes;
}

// Writes `content` gzip-compressed to `path` and returns the path.
inline std::filesystem::path write_gzip(const std::filesystem::path& path, const std::string& content) {
  const gzFile file = gzopen(path.string().c_str(), "wb");
  EXPECT_NE(file, nullptr) << path;
  if (file == nullptr) return path;
  EXPECT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  EXPECT_EQ(gzclose(file), Z_OK);
  return path;
}

}  // namespace utrain::testing
