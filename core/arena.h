// Arena: hands out aligned pieces of one caller-provided block; the core never calls malloc.
//
// Allocation is a bump of an offset, so it costs a few instructions and cannot fragment.
// mark()/release() free everything allocated after a mark (scratch for one step); reset()
// frees everything. peak() is the high-water mark since construction or reset_peak(), which is
// what a planner's prediction is checked against.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace utrain {

// Alignment of every arena allocation unless a larger one is asked for: a cache line, which is
// also enough for any SIMD load on the targets we have.
inline constexpr size_t kArenaAlignment = 64;

class Arena {
 public:
  Arena() = default;
  Arena(void* memory, size_t capacity);

  // Returns `bytes` bytes aligned to `alignment` (a power of two), or nullptr when the arena is
  // exhausted or the alignment is not a power of two. A zero-byte request returns a valid,
  // aligned pointer that must not be dereferenced.
  void* allocate(size_t bytes, size_t alignment = kArenaAlignment);

  template <class T>
  T* allocate_array(size_t count, size_t alignment = kArenaAlignment) {
    if (count > static_cast<size_t>(-1) / sizeof(T)) return nullptr;
    return static_cast<T*>(allocate(count * sizeof(T), alignment));
  }

  size_t mark() const { return used_; }
  void release(size_t mark) { used_ = mark < used_ ? mark : used_; }
  void reset() { used_ = 0; }
  void reset_peak() { peak_ = used_; }

  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  size_t peak() const { return peak_; }
  size_t available() const { return capacity_ - used_; }

 private:
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  size_t peak_ = 0;
};

// Bytes an arena needs to serve `bytes` with `alignment` after `used` bytes are taken; shared
// by the allocator and by planners that add up sizes without memory.
size_t arena_bytes_after(size_t used, size_t bytes, size_t alignment = kArenaAlignment);

}  // namespace utrain
