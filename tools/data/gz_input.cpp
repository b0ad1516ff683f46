#include "tools/data/gz_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

// gzread() counts in unsigned and returns int, so one call reads at most this much.
constexpr std::size_t kMaxReadPerCall = std::size_t{1} << 30;

}  // namespace

GzInput::GzInput(const std::filesystem::path& path) : name_(path.string()) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ToolError(fmt::format("{}: is a directory, not a data file", name_));
  errno = 0;
  file_ = gzopen(name_.c_str(), "rb");
  if (file_ == nullptr) {
    // gzopen() leaves errno at 0 when zlib itself could not allocate its state.
    throw ToolError(fmt::format("{}: cannot open: {}", name_, errno != 0 ? std::strerror(errno) : "out of memory"));
  }
}

GzInput::~GzInput() { gzclose_r(file_); }

std::size_t GzInput::read(std::span<uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto want = static_cast<unsigned>(std::min(bytes.size() - done, kMaxReadPerCall));
    errno = 0;
    const int got = gzread(file_, bytes.data() + done, want);
    if (got > 0) done += static_cast<std::size_t>(got);
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    // A gzip stream cut short reads as a short count with Z_BUF_ERROR set, not as -1.
    if (got < 0 || code != Z_OK) {
      const std::size_t at = delivered_ + done;
      if (code == Z_ERRNO)
        throw ToolError(fmt::format("{}: read error after {} bytes: {}", name_, at, std::strerror(errno)));
      if (code == Z_DATA_ERROR || code == Z_BUF_ERROR)
        throw ToolError(fmt::format("{}: damaged compressed data after {} bytes: {}", name_, at, message));
      throw ToolError(fmt::format("{}: cannot read after {} bytes: {}", name_, at, message));
    }
    if (static_cast<unsigned>(got) < want) break;
  }
  delivered_ += done;
  return done;
}

}  // namespace utrain::tools
