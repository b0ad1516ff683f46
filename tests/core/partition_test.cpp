#include "core/partition.h"

#include <gtest/gtest.h>

namespace utrain {
namespace {

// Every element covered exactly once, chunks aligned, only the last non-empty chunk partial,
// and sizes within one aligned block of each other.
TEST(Partition, covers_range_with_aligned_balanced_chunks) {
  for (int32_t total : {0, 1, 5, 7, 16, 17, 64, 67, 144, 1000})
    for (int members : {1, 2, 3, 7, 8})
      for (int32_t align : {1, 2, 4, 8, 16}) {
        int32_t next = 0, min_size = total, max_size = 0;
        for (int m = 0; m < members; ++m) {
          const Range r = partition(total, m, members, align);
          ASSERT_EQ(r.begin, next) << total << " " << members << " " << align;
          ASSERT_LE(r.begin, r.end);
          if (!r.empty()) {
            ASSERT_EQ(r.begin % align, 0);
          }
          if (r.end != total) {
            ASSERT_EQ(r.size() % align, 0);
          }
          next = r.end;
          min_size = r.size() < min_size ? r.size() : min_size;
          max_size = r.size() > max_size ? r.size() : max_size;
        }
        EXPECT_EQ(next, total);
        EXPECT_LE(max_size - min_size, align) << total << " " << members << " " << align;
      }
}

TEST(Partition, pulp_case_144_columns_over_8_cores_with_tile_4) {
  // 144 = 36 tiles of 4: members get 5 or 4 tiles, never a partial one.
  for (int m = 0; m < 8; ++m) {
    const Range r = partition(144, m, 8, 4);
    EXPECT_EQ(r.size() % 4, 0);
    EXPECT_EQ(r.size(), m < 4 ? 16 : 20);
  }
}

}  // namespace
}  // namespace utrain
