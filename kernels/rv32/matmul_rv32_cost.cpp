#include "kernels/rv32/matmul_rv32_cost.h"

#include "kernels/mm/matmul_split_k.h"
#include "kernels/rv32/matmul_rv32.h"

namespace utrain::rv32 {

namespace {

// A length split into tiles as block()/row_band() do: `count` tiles of each `size`.
struct TileRun {
  int32_t size = 0, count = 0;
};
struct TileSplit {
  TileRun runs[8];
  int used = 0;
};

TileSplit split(int32_t length, int32_t tile) {
  TileSplit s;
  for (int32_t size = tile; size >= 1 && length > 0; size = edge_size(size)) {
    if (length >= size) s.runs[s.used++] = TileRun{size, length / size};
    length %= size;
  }
  return s;
}

// The columns of a band run in hand-written code (band_tiles): 6-wide and 5-wide tiles, then
// what is left in the C++ tiles narrower than 6.
TileSplit hand_written_columns(int32_t width) {
  const BandTiles tiles = band_tiles(width);
  const TileSplit rest = split(width - 6 * tiles.six - 5 * tiles.five, edge_size(6));
  TileSplit s;
  if (tiles.six > 0) s.runs[s.used++] = TileRun{6, tiles.six};
  if (tiles.five > 0) s.runs[s.used++] = TileRun{5, tiles.five};
  for (int i = 0; i < rest.used; ++i) s.runs[s.used++] = rest.runs[i];
  return s;
}

int32_t bits_set(int32_t v) {
  int32_t n = 0;
  for (; v != 0; v &= v - 1) ++n;
  return n;
}

// One 4-high tile of a hand-written band (band_4x6_rv32.S), `nr` 6 or 5 wide: per k its loads,
// multiply-adds and B's pointer step (none from panels; and A's, along the tile); per block of 32 steps after the
// first step a branch, and before another block A's pointer steps and a jump; the stores and 9
// more (C's row pointers, the start's branch and jump, the loop); A's pointers reset when a tile
// moves them (along the tile, or over more than one block).
int64_t hand_written_tile_instructions(const MatMulKernel& k, const MatMulArgs& p, int32_t nr, bool reads_panel) {
  constexpr int32_t kBlock = 32;
  const bool a_along_k = k.ta == Trans::n, a_along_tile = k.ta == Trans::t && !reads_panel;
  const int64_t per_step = 5 + 5 * nr + (a_along_tile ? 1 : 0) - (p.b_panels ? 1 : 0);
  const int64_t blocks = (p.k - 1 + kBlock - 1) / kBlock;
  const int64_t a_pointers = a_along_k ? 4 : 1;
  const int64_t per_further_block = 2 + (a_along_tile ? 0 : a_pointers);
  const int64_t resets = a_along_tile ? 1 : blocks > 1 ? a_pointers + 1 : 0;
  const int64_t stores = 4 * nr * (p.accumulate ? 3 : 1);
  return per_step * p.k + (blocks > 0 ? 1 + (blocks - 1) * per_further_block : 0) + stores + 9 + resets;
}

// One mr×nr tile over all of K; the edge tiles (smaller than the entry's) unroll less, and a
// tile reading a packed panel steps that operand once per block instead of once per k.
int64_t tile_instructions(const MatMulKernel& k, const MatMulArgs& p, int32_t mr, int32_t nr, bool reads_panel) {
  const int32_t unroll = mr == k.mr && nr == k.nr ? k.ku : edge_unroll(k.ku);
  const int64_t steps_along_tile = (k.ta == Trans::t ? 1 : 0) + (k.tb == Trans::n ? 1 : 0) - (reads_panel ? 1 : 0);
  const int64_t per_step = mr + nr + mr * nr + steps_along_tile;
  const int64_t per_block = (k.ta == Trans::n ? mr : 0) + (k.tb == Trans::t ? nr : 0) + 2 + (reads_panel ? 1 : 0);
  // Either all of K in blocks after setting the sums, or a first step alone, then blocks.
  const bool whole = starts_with_whole_blocks(k.ta, k.tb);
  const int64_t in_blocks = whole ? p.k : p.k - 1;
  const int64_t rest = in_blocks % unroll;
  const int64_t blocks = in_blocks / unroll + bits_set(static_cast<int32_t>(rest)) + (whole ? 0 : 1);
  const int64_t sums = mr * nr;
  const int64_t fixed = sums * (p.accumulate ? 3 : 1) /* stores */ + (whole ? sums : 0) + mr + nr + 12;
  return per_step * p.k + per_block * blocks + fixed;
}

// The columns of an outer product (outer_product_rv32.h) of `rows` rows, `width` wide.
int64_t outer_columns_instructions(int32_t rows, int32_t width) {
  const int64_t per_group = (2 * width + 2) * kOuterRows + 2;
  const int64_t per_row_left = 2 * width + 4;
  return width + 12 + rows / kOuterRows * per_group + rows % kOuterRows * per_row_left;
}

int64_t outer_product_instructions(int32_t rows, int32_t cols) {
  int64_t total = cols / kOuterColumns * outer_columns_instructions(rows, kOuterColumns);
  for (int32_t width = 16; width >= 1; width /= 2)
    if (cols % kOuterColumns & width) total += outer_columns_instructions(rows, width);
  return total;
}

// A short dot (short_dot_rv32.h): per row of C its K values of A and the set-up, per output K
// loads, K multiply-adds, its start, the ReLU and a store, per pass of 8 outputs (or a lone one)
// the pointer steps and the branch.
int64_t short_dot_instructions(const MatMulArgs& p, Range rows, Range cols) {
  const int64_t passes = cols.size() / kShortDotOutputs + cols.size() % kShortDotOutputs;
  return int64_t{rows.size()} * (p.k + 12 + int64_t{cols.size()} * (2 * p.k + 3) + passes * 3);
}

}  // namespace

int64_t share_instructions(const MatMulKernel& kernel, const MatMulArgs& p, Range rows, Range cols,
                           bool hand_written_bands) {
  if (rows.empty() || cols.empty()) return 0;
  if (p.k == 1 && !p.accumulate) return outer_product_instructions(rows.size(), cols.size());
  if (kernel.ta == Trans::n && kernel.tb == Trans::t && runs_short_dot(p)) return short_dot_instructions(p, rows, cols);
  const TileSplit r = split(rows.size(), kernel.mr);
  // t_n products pack a panel of one operand (t_n_block): its copies, and which tiles read it.
  const Packed packed = packs_panels(kernel.ta, kernel.tb, kernel.mr, kernel.nr)
                            ? choose_panel(p.k, kernel.mr, kernel.nr, rows, cols)
                            : Packed::none;
  // The full bands' hand-written code: one call for all of them, or one per band when each packs
  // its panel; a call costs about 120 instructions, a band in it about 25.
  const bool adds_bias = tiles_add_bias(kernel.ta, kernel.tb, kernel.mr, kernel.nr);
  const bool hand_written =
      runs_hand_written_band(kernel.ta, kernel.tb, kernel.mr, kernel.nr, kernel.ku, packed, hand_written_bands) &&
      rows.size() >= kernel.mr &&
      (adds_bias ? hand_written_takes<true>(p, cols.size()) : hand_written_takes<false>(p, cols.size()));
  const TileSplit c = hand_written ? hand_written_columns(cols.size()) : split(cols.size(), kernel.nr);
  int64_t total = 0;
  if (hand_written) {
    const int64_t bands = rows.size() / kernel.mr, calls = packed == Packed::a ? bands : 1;
    total += calls * 120 + bands * 25;
  }
  if (packed != Packed::none) {
    const int32_t width = packed == Packed::a ? kernel.mr : kernel.nr;
    const int32_t panels = packed == Packed::a ? rows.size() / kernel.mr : cols.size() / kernel.nr;
    total += int64_t{panels} * pack_panel_instructions(p.k, width);
  }
  for (int i = 0; i < r.used; ++i)
    for (int j = 0; j < c.used; ++j) {
      const bool full_height = r.runs[i].size == kernel.mr;
      const bool by_hand = hand_written && full_height && c.runs[j].size >= 5;
      const bool reads_panel = packed != Packed::none && full_height && (c.runs[j].size == kernel.nr || by_hand);
      total += int64_t{r.runs[i].count} * c.runs[j].count *
               (by_hand ? hand_written_tile_instructions(kernel, p, c.runs[j].size, reads_panel)
                        : tile_instructions(kernel, p, r.runs[i].size, c.runs[j].size, reads_panel));
    }
  return total;
}

namespace {

// A hart team's barrier: an atomic add, a load and the wait (about 40 with the call).
constexpr int64_t kBarrierInstructions = 40;

// A member's part of a product split along K (matmul_split_k.h): its slice of K over all of C,
// then the sum of every member's partials for its rows of C (three loads, two adds and a store a
// value and two partials, the loop a quarter), the copy into C, and two barriers.
int64_t split_k_instructions(const MatMulKernel& kernel, const MatMulArgs& p, int members, bool hand_written_bands) {
  MatMulArgs slice = p;
  slice.k = (p.k + members - 1) / members;
  slice.accumulate = false;
  const int64_t rows = (p.m + members - 1) / members;
  const int64_t reduction = rows * p.n * (4 * members + 4);
  return share_instructions(kernel, slice, Range{0, p.m}, Range{0, p.n}, hand_written_bands) + reduction +
         2 * kBarrierInstructions;
}

}  // namespace

int64_t team_instructions(const MatMulKernel& kernel, const MatMulArgs& p, int members, bool hand_written_bands) {
  if (splits_k(p, kernel, members)) return split_k_instructions(kernel, p, members, hand_written_bands);
  int64_t busiest = 0;
  for (int member = 0; member < members; ++member) {
    const Share s = member_share(p, kernel.ta, kernel.tb, kernel.mr, kernel.nr, kernel.ku, kernel.axis, member, members,
                                 hand_written_bands);
    const int64_t share = share_instructions(kernel, p, s.rows, s.cols, hand_written_bands);
    if (share > busiest) busiest = share;
  }
  return busiest;
}

}  // namespace utrain::rv32
