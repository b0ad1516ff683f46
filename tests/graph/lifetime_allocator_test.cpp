#include "graph/lifetime_allocator.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"

namespace utrain {
namespace {

bool bytes_overlap(const LifetimeRequest& a, const LifetimeRequest& b) {
  return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}
bool times_overlap(const LifetimeRequest& a, const LifetimeRequest& b) {
  return a.first <= b.last && b.first <= a.last;
}

TEST(LifetimeAllocator, buffers_alive_together_never_share_bytes) {
  Rng rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<LifetimeRequest> r(1 + rng.below(40));
    for (auto& q : r) {
      q.bytes = 1 + rng.below(5000);
      q.first = static_cast<int32_t>(rng.below(30));
      q.last = q.first + static_cast<int32_t>(rng.below(10));
    }
    const size_t end = place_by_lifetime(r.data(), static_cast<int>(r.size()), 100, 64);
    size_t sum = 0;
    for (size_t i = 0; i < r.size(); ++i) {
      ASSERT_EQ(r[i].offset % 64, 0u);
      ASSERT_GE(r[i].offset, 128u);  // base 100 aligned up
      ASSERT_LE(r[i].offset + r[i].bytes, end);
      sum += (r[i].bytes + 63) / 64 * 64;
      for (size_t j = i + 1; j < r.size(); ++j)
        ASSERT_FALSE(times_overlap(r[i], r[j]) && bytes_overlap(r[i], r[j])) << trial << " " << i << " " << j;
    }
    EXPECT_LE(end, 128 + sum);
  }
}

TEST(LifetimeAllocator, a_chain_reuses_memory_of_dead_buffers) {
  // Four buffers, each alive for two consecutive steps: two slots are enough.
  LifetimeRequest r[4] = {{256, 0, 1, 0}, {256, 1, 2, 0}, {256, 2, 3, 0}, {256, 3, 4, 0}};
  EXPECT_EQ(place_by_lifetime(r, 4, 0, 64), 512u);
  EXPECT_EQ(r[0].offset, r[2].offset);
  EXPECT_EQ(r[1].offset, r[3].offset);
}

// Largest first puts the two 256-byte buffers side by side and leaves no room for the others at
// step 5 (640 bytes); the long-lived one placed first (by size × lifetime) packs them into the
// most that is ever alive together: 576 bytes at step 5.
TEST(LifetimeAllocator, placing_by_area_packs_where_largest_first_fragments) {
  LifetimeRequest r[4] = {{128, 4, 5, 0}, {192, 5, 6, 0}, {256, 2, 3, 0}, {256, 1, 5, 0}};
  EXPECT_EQ(place_by_lifetime(r, 4, 0, 64), 576u);
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j) EXPECT_FALSE(times_overlap(r[i], r[j]) && bytes_overlap(r[i], r[j])) << i << " " << j;
}

TEST(LifetimeAllocator, empty_request_list_ends_at_aligned_base) {
  EXPECT_EQ(place_by_lifetime(nullptr, 0, 70, 64), 128u);
}

}  // namespace
}  // namespace utrain
