// Helpers of the checkpoint tests: a file's bytes, the error decoding some bytes gives, and
// resealing an edited file so the edit passes the checksum and reaches the later checks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tools/checkpoint.h"
#include "tools/crc32.h"
#include "tools/tool_error.h"

namespace utrain::testing {

inline std::vector<std::byte> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// The ToolError message decoding `bytes` (named "model.utck") gives.
inline std::string decode_error(const std::vector<std::byte>& bytes) {
  try {
    tools::decode_checkpoint(bytes, "model.utck");
  } catch (const tools::ToolError& e) {
    return e.what();
  }
  ADD_FAILURE() << "decoded without error";
  return {};
}

// Rewrites the trailing CRC so a deliberate edit passes the checksum and reaches the later checks.
inline void reseal(std::vector<std::byte>& bytes) {
  const uint32_t crc = tools::crc32(std::span(bytes).first(bytes.size() - 4));
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + static_cast<size_t>(i)] = static_cast<std::byte>(crc >> (8 * i));
}

inline void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "\"" << text << "\" lacks \"" << part << "\"";
}

}  // namespace utrain::testing
