#include "kernels/rv32/matmul_rv32_cost.h"

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

int32_t bits_set(int32_t v) {
  int32_t n = 0;
  for (; v != 0; v &= v - 1) ++n;
  return n;
}

// One mr×nr tile over all of K; the edge tiles (smaller than the entry's) unroll less, and a
// tile reading a packed panel steps that operand once per block instead of once per k.
int64_t tile_instructions(const MatMulKernel& k, const MatMulArgs& p, int32_t mr, int32_t nr, bool reads_panel) {
  const int32_t unroll = mr == k.mr && nr == k.nr ? k.ku : edge_unroll(k.ku);
  const int64_t steps_along_tile = (k.ta == Trans::t ? 1 : 0) + (k.tb == Trans::n ? 1 : 0) - (reads_panel ? 1 : 0);
  const int64_t per_step = mr + nr + mr * nr + steps_along_tile;
  const int64_t per_block = (k.ta == Trans::n ? mr : 0) + (k.tb == Trans::t ? nr : 0) + 2 + (reads_panel ? 1 : 0);
  const int64_t rest = (p.k - 1) % unroll;
  const int64_t blocks = (p.k - 1) / unroll + bits_set(static_cast<int32_t>(rest)) + 1;
  const int64_t sums = mr * nr;
  const int64_t fixed = sums * (p.accumulate ? 3 : 1) /* stores */ + mr + nr + 12;
  return per_step * p.k + per_block * blocks + fixed;
}

// One band of mr rows of an outer product over `cols` columns.
int64_t outer_band_instructions(const MatMulKernel& k, int32_t mr, int32_t cols) {
  const int64_t per_column = 1 + 2 * mr;
  const int64_t per_block = mr + 3;
  return per_column * cols + per_block * (cols / k.ku) + (cols % k.ku) * (mr + 2) + 3 * mr + 10;
}

}  // namespace

int64_t share_instructions(const MatMulKernel& kernel, const MatMulArgs& p, Range rows, Range cols) {
  if (rows.empty() || cols.empty()) return 0;
  const TileSplit r = split(rows.size(), kernel.mr);
  if (p.k == 1 && !p.accumulate) {
    int64_t total = 0;
    for (int i = 0; i < r.used; ++i) total += r.runs[i].count * outer_band_instructions(kernel, r.runs[i].size, cols.size());
    return total;
  }
  const TileSplit c = split(cols.size(), kernel.nr);
  // t_n products pack a panel of one operand (t_n_block): its copies, and which tiles read it.
  const Packed packed = packs_panels(kernel.ta, kernel.tb, kernel.mr, kernel.nr)
                            ? choose_panel(p.k, kernel.mr, kernel.nr, rows, cols)
                            : Packed::none;
  int64_t total = 0;
  if (packed != Packed::none) {
    const int32_t width = packed == Packed::a ? kernel.mr : kernel.nr;
    const int32_t panels = packed == Packed::a ? rows.size() / kernel.mr : cols.size() / kernel.nr;
    total += int64_t{panels} * (p.k * (2 * width + 1) + 12);
  }
  for (int i = 0; i < r.used; ++i)
    for (int j = 0; j < c.used; ++j) {
      const bool reads_panel = packed != Packed::none && r.runs[i].size == kernel.mr && c.runs[j].size == kernel.nr;
      total += int64_t{r.runs[i].count} * c.runs[j].count *
               tile_instructions(kernel, p, r.runs[i].size, c.runs[j].size, reads_panel);
    }
  return total;
}

int64_t team_instructions(const MatMulKernel& kernel, const MatMulArgs& p, int members) {
  int64_t busiest = 0;
  for (int member = 0; member < members; ++member) {
    const Range rows = kernel.axis == ParAxis::m ? partition(p.m, member, members, kernel.mr) : Range{0, p.m};
    const Range cols = kernel.axis == ParAxis::n ? partition(p.n, member, members, kernel.nr) : Range{0, p.n};
    const int64_t share = share_instructions(kernel, p, rows, cols);
    if (share > busiest) busiest = share;
  }
  return busiest;
}

}  // namespace utrain::rv32
