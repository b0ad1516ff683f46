// AlignedBuffer: one heap block of exactly the requested size, aligned to a cache line, for the
// arena a Trainer runs in. (The trainer accepts any alignment; aligning the block means its
// buffers start on cache lines without the planner's slack being spent.)
#pragma once
#include <cstddef>
#include <memory>
#include <new>

namespace utrain::tools {

class AlignedBuffer {
 public:
  static constexpr std::size_t kAlignment = 64;

  explicit AlignedBuffer(std::size_t bytes)
      : bytes_(bytes), data_(static_cast<std::byte*>(::operator new(bytes == 0 ? 1 : bytes, std::align_val_t{kAlignment}))) {}

  std::byte* data() const { return data_.get(); }
  std::size_t size() const { return bytes_; }

 private:
  struct Free {
    void operator()(std::byte* p) const { ::operator delete(p, std::align_val_t{kAlignment}); }
  };
  std::size_t bytes_;
  std::unique_ptr<std::byte, Free> data_;
};

}  // namespace utrain::tools
