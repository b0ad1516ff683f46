// Little-endian encoding of integers and floats into a byte vector and back, so a file written
// on one host reads the same on any other (and on a little-endian device) whatever its
// endianness. Floats travel as their IEEE-754 bit patterns, exactly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace utrain::tools {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(static_cast<std::byte>(v)); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void f32(float v);
  void raw(std::span<const std::byte> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  // Overwrites 8 bytes at `offset` (already written) with v: for sizes known only at the end.
  void patch_u64(size_t offset, uint64_t v);

  size_t size() const { return bytes_.size(); }
  const std::vector<std::byte>& bytes() const { return bytes_; }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  std::vector<std::byte> bytes_;
};

// Reads what ByteWriter wrote. Reading past the end throws ToolError "<source>: truncated:
// <what> needs N bytes at offset O, only R remain".
class ByteReader {
 public:
  // Reads `bytes` from `start` on.
  ByteReader(std::span<const std::byte> bytes, std::string source, size_t start = 0)
      : bytes_(bytes), source_(std::move(source)), offset_(start < bytes.size() ? start : bytes.size()) {}

  uint8_t u8(const char* what);
  uint32_t u32(const char* what);
  uint64_t u64(const char* what);
  int32_t i32(const char* what) { return static_cast<int32_t>(u32(what)); }
  float f32(const char* what);
  std::span<const std::byte> raw(size_t count, const char* what);

  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }

 private:
  std::span<const std::byte> take(size_t count, const char* what);

  std::span<const std::byte> bytes_;
  std::string source_;
  size_t offset_ = 0;
};

}  // namespace utrain::tools
