#include "tools/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

// Owns the temporary file until it has been renamed over the target: destroying it before then
// (an error was thrown) closes and deletes it.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path_template) : path_(std::move(path_template)) {
    fd_ = ::mkstemp(path_.data());
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the descriptor; returns false (errno set) when the close reports a write error.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

[[noreturn]] void fail(const std::filesystem::path& target, const char* doing) {
  throw ToolError(fmt::format("{}: {}: {} (the previous file, if any, is unchanged)", target.string(), doing,
                              std::strerror(errno)));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes) {
  const std::filesystem::path directory = target.parent_path().empty() ? "." : target.parent_path();
  // Hidden, named after the target, with mkstemp's unique suffix.
  std::string temp_name = target.filename().string();
  temp_name.insert(0, 1, '.');
  temp_name += ".tmp.XXXXXX";
  TemporaryFile temp((directory / temp_name).string());
  if (temp.fd() < 0) fail(target, "cannot create a temporary file beside it");

  // mkstemp makes the file 0600; give it the permissions a plain new file would get.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(temp.fd(), 0666 & ~mask) != 0) fail(target, "cannot set the permissions of the temporary file");

  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(temp.fd(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // a write that makes no progress would loop forever
    if (n <= 0) fail(target, "cannot write the temporary file");
    written += static_cast<size_t>(n);
  }
  if (::fsync(temp.fd()) != 0) fail(target, "cannot flush the temporary file to disk");
  if (!temp.close()) fail(target, "cannot close the temporary file");
  if (std::rename(temp.path().c_str(), target.c_str()) != 0) fail(target, "cannot rename the temporary file over it");
  temp.commit();

  // Make the rename durable too. Failing here is not an error for the caller: the new file is
  // complete and in place, only its survival of a power cut right now is not guaranteed.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace utrain::tools
