// B in column panels: a layout of a product's B (K×N, not transposed) in which a register tile
// reads B's values for every k from one pointer at immediate offsets, where rows of the plain
// layout are a run-time stride apart and cost the tile a pointer step per k (the rv32 4×6 tile:
// 35 instructions per k, 34 from panels). A gather (im2col) writes it at the cost of the plain
// layout; matmul() takes it with MatMulArgs::b_panels, for the kernels that read it.
//
// The columns are cut as a 4×6 band's tiles are (band_tiles): panels 6 wide, then 5 wide, and a
// panel of width w whose first column is j0 holds B(k, j0 + e) at k·w + e from element j0·K on.
// With K = 1 that is the plain layout.
#pragma once
#include <stdint.h>

namespace utrain {

// A band `width` columns wide as 6-wide tiles and then 5-wide ones: on the rv32 cores a tile costs
// 5 + 5·width instructions per k whatever its width, so ending in 5-wide tiles (one for each
// column a 6-wide tile would lack) costs no more per k than one narrow tile, and runs in the
// hand-written code (kernels/rv32/band_4x6_rv32.S). Bands too narrow for that end in C++ tiles.
struct BandTiles {
  int32_t six, five;
};
constexpr BandTiles band_tiles(int32_t width) {
  const int32_t five = (6 - width % 6) % 6;
  if (width < 5 * five) return BandTiles{width / 6, 0};
  return BandTiles{(width - 5 * five) / 6, five};
}

// How many of N columns panels 6 and 5 wide hold, and whether that is all of them (the widths B
// in panels allows).
constexpr int32_t b_panel_columns(int32_t n) {
  const BandTiles t = band_tiles(n);
  return 6 * t.six + 5 * t.five;
}
constexpr bool b_panels_cover(int32_t n) { return b_panel_columns(n) == n; }

// Where B(kk, j) of a K×N B in panels lies (b_panels_cover(n)).
constexpr int64_t b_panel_index(int32_t n, int32_t k, int32_t kk, int32_t j) {
  const int32_t six_end = 6 * band_tiles(n).six;
  const int32_t width = j < six_end ? 6 : 5;
  const int32_t first = j < six_end ? j - j % 6 : j - (j - six_end) % 5;
  return int64_t{first} * k + int64_t{kk} * width + (j - first);
}

}  // namespace utrain
