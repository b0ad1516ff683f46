#include "core/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace utrain {
namespace {

bool aligned(const void* p, size_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }

TEST(Arena, allocations_are_aligned_disjoint_and_tracked) {
  alignas(64) uint8_t block[1024];
  Arena arena(block, sizeof block);
  void* a = arena.allocate(10);
  void* b = arena.allocate(100, 128);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(aligned(a, kArenaAlignment));
  EXPECT_TRUE(aligned(b, 128));
  EXPECT_GE(static_cast<uint8_t*>(b), static_cast<uint8_t*>(a) + 10);
  EXPECT_EQ(arena.used(), static_cast<size_t>(static_cast<uint8_t*>(b) - block) + 100);
  EXPECT_EQ(arena.peak(), arena.used());
}

TEST(Arena, unaligned_block_still_gives_aligned_pointers) {
  std::vector<uint8_t> storage(1000);
  Arena arena(storage.data() + 3, storage.size() - 3);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(aligned(arena.allocate(17), kArenaAlignment));
}

TEST(Arena, exhaustion_returns_null_and_keeps_state) {
  alignas(64) uint8_t block[256];
  Arena arena(block, sizeof block);
  ASSERT_NE(arena.allocate(200), nullptr);
  const size_t used = arena.used();
  EXPECT_EQ(arena.allocate(100), nullptr);
  EXPECT_EQ(arena.used(), used);
  EXPECT_EQ(arena.allocate_array<float>(SIZE_MAX / 2), nullptr);  // count overflow
  EXPECT_EQ(arena.allocate(8, 3), nullptr);                       // not a power of two
}

TEST(Arena, mark_release_and_reset_keep_the_peak) {
  alignas(64) uint8_t block[4096];
  Arena arena(block, sizeof block);
  ASSERT_NE(arena.allocate(100), nullptr);
  const size_t mark = arena.mark();
  ASSERT_NE(arena.allocate(1000), nullptr);
  const size_t peak = arena.peak();
  arena.release(mark);
  EXPECT_EQ(arena.used(), mark);
  EXPECT_EQ(arena.peak(), peak);
  arena.reset();
  EXPECT_EQ(arena.used(), 0u);
  arena.reset_peak();
  EXPECT_EQ(arena.peak(), 0u);
}

TEST(Arena, planner_size_function_matches_allocation) {
  alignas(64) uint8_t block[4096];
  Arena arena(block, sizeof block);
  size_t predicted = 0;
  for (size_t bytes : {3u, 64u, 65u, 1u, 300u}) {
    predicted = arena_bytes_after(predicted, bytes);
    ASSERT_NE(arena.allocate(bytes), nullptr);
  }
  EXPECT_EQ(arena.used(), predicted);
}

TEST(Arena, null_memory_gives_nothing) {
  Arena arena(nullptr, 100);
  EXPECT_EQ(arena.capacity(), 0u);
  EXPECT_EQ(arena.allocate(1), nullptr);
}

}  // namespace
}  // namespace utrain
