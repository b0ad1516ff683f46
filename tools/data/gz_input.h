// GzInput: a file read through zlib's gzread(), which decompresses a gzip file on the fly and
// passes any other file through unchanged. The IDX reader uses it so that the Fashion-MNIST
// files read the same whether they are stored compressed (as the Debian package ships them,
// *.gz) or decompressed, without a temporary copy and without decompressing more than is read.
//
// Every failure is a ToolError naming the file: cannot open, is a directory, read error, and
// damaged compressed data (a bad check value, or a gzip stream cut short: "unexpected end of
// file"). Bytes after the end of a gzip stream that do not start another one are ignored, as
// gzip(1) does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include <zlib.h>

namespace utrain::tools {

class GzInput {
 public:
  explicit GzInput(const std::filesystem::path& path);
  ~GzInput();
  GzInput(const GzInput&) = delete;
  GzInput& operator=(const GzInput&) = delete;

  // Fills `bytes` from the (decompressed) data; returns how many bytes it read, fewer than
  // bytes.size() only at the end of the data.
  std::size_t read(std::span<uint8_t> bytes);

  // The path as given, for messages.
  const std::string& name() const { return name_; }

 private:
  gzFile file_ = nullptr;
  std::string name_;
  std::size_t delivered_ = 0;  // bytes read() has returned so far
};

}  // namespace utrain::tools
