// Splits a range of work over the members of a team.
//
// Chunks are multiples of `align` (a register tile's rows or columns) except the very last one,
// which takes the remainder, so at most one member ever runs a partial tile. Chunk sizes differ
// by at most `align`: the members with one block more than the others are the last ones, where
// the partial block is, so the partial block shortens a longer chunk.
#pragma once
#include <stdint.h>

namespace utrain {

struct Range {
  int32_t begin = 0;
  int32_t end = 0;
  constexpr int32_t size() const { return end - begin; }
  constexpr bool empty() const { return end <= begin; }
};

// The part of [0, total) that `member` of a team of `members` works on. Requires total >= 0,
// 0 <= member < members and align >= 1.
constexpr Range partition(int32_t total, int member, int members, int32_t align) {
  const int32_t blocks = (total + align - 1) / align;
  const int32_t base = blocks / members;
  const int32_t extra = blocks % members;
  const int32_t shorter = members - extra;  // members [0, shorter) get `base` blocks
  const int32_t first = member * base + (member > shorter ? member - shorter : 0);
  const int32_t count = base + (member >= shorter ? 1 : 0);
  int32_t begin = first * align;
  int32_t end = (first + count) * align;
  if (begin > total) begin = total;
  if (end > total) end = total;
  return Range{begin, end};
}

}  // namespace utrain
