#include "tools/byte_stream.h"

#include <bit>

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {

void ByteWriter::u32(uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) u8(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::u64(uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8) u8(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::f32(float v) { u32(std::bit_cast<uint32_t>(v)); }

void ByteWriter::patch_u64(size_t offset, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.at(offset + static_cast<size_t>(i)) = static_cast<std::byte>(v >> (8 * i));
}

std::span<const std::byte> ByteReader::take(size_t count, const char* what) {
  if (count > remaining())
    throw ToolError(fmt::format("{}: truncated: {} needs {} bytes at offset {}, only {} remain", source_, what, count,
                                offset_, remaining()));
  const std::span<const std::byte> out = bytes_.subspan(offset_, count);
  offset_ += count;
  return out;
}

uint8_t ByteReader::u8(const char* what) { return static_cast<uint8_t>(take(1, what)[0]); }

uint32_t ByteReader::u32(const char* what) {
  const std::span<const std::byte> b = take(4, what);
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint32_t>(b[static_cast<size_t>(i)]);
  return v;
}

uint64_t ByteReader::u64(const char* what) {
  const std::span<const std::byte> b = take(8, what);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint64_t>(b[static_cast<size_t>(i)]);
  return v;
}

float ByteReader::f32(const char* what) { return std::bit_cast<float>(u32(what)); }

std::span<const std::byte> ByteReader::raw(size_t count, const char* what) { return take(count, what); }

}  // namespace utrain::tools
