#include "core/arena.h"

namespace utrain {

namespace {
bool is_power_of_two(size_t v) { return v != 0 && (v & (v - 1)) == 0; }
size_t align_up(size_t v, size_t alignment) { return (v + alignment - 1) & ~(alignment - 1); }
}  // namespace

size_t arena_bytes_after(size_t used, size_t bytes, size_t alignment) {
  return align_up(used, alignment) + bytes;
}

Arena::Arena(void* memory, size_t capacity)
    : base_(static_cast<uint8_t*>(memory)), capacity_(memory == nullptr ? 0 : capacity) {}

void* Arena::allocate(size_t bytes, size_t alignment) {
  if (!is_power_of_two(alignment) || base_ == nullptr) return nullptr;
  // Align the address, not only the offset: the caller's block may itself be unaligned.
  const uintptr_t base = reinterpret_cast<uintptr_t>(base_);
  const size_t start = align_up(base + used_, alignment) - base;
  if (start > capacity_ || bytes > capacity_ - start) return nullptr;
  used_ = start + bytes;
  if (used_ > peak_) peak_ = used_;
  return base_ + start;
}

}  // namespace utrain
