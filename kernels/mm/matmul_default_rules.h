// The generic tiles the default kernel choice names (matmul_select.cpp explains and measures
// them), shared with the kernel table so that a lean table (UTRAIN_LEAN_MATMUL_TABLE) keeps
// exactly these: the first rule whose transpositions and shape class match names the tile.
#pragma once
#include <stdint.h>

#include "kernels/mm/matmul_args.h"

namespace utrain {

enum class ShapeClass : uint8_t { row /* M == 1 */, column /* N == 1 */, any };

struct DefaultRule {
  Trans ta, tb;
  ShapeClass shape;
  uint8_t mr, nr, ku;
};

inline constexpr DefaultRule kDefaultRules[] = {
    {Trans::n, Trans::t, ShapeClass::column, 8, 1, 4},
    {Trans::n, Trans::t, ShapeClass::any, 1, 1, 8},
    {Trans::n, Trans::n, ShapeClass::any, 1, 16, 1},
    {Trans::t, Trans::n, ShapeClass::row, 1, 16, 1},
    {Trans::t, Trans::n, ShapeClass::any, 8, 4, 1},
    {Trans::t, Trans::t, ShapeClass::column, 16, 1, 1},
    {Trans::t, Trans::t, ShapeClass::any, 16, 4, 1},
};

}  // namespace utrain
