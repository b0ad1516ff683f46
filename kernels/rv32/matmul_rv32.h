// Matrix-multiply kernels shaped for a scalar RV32F core (one PULP core, a hart of the cluster):
// 32 FP registers, loads with a 12-bit immediate offset and no indexed addressing, one
// instruction per load, FMA or branch. Plain C++ written so that GCC's rv32 output is the tight
// loop (check with objdump on a cross build); it builds and is tested on every target.
//
// Per k an MR×NR register tile loads MR values of op(A) and NR of op(B) and issues MR·NR fused
// multiply-adds. Each operand is reached in one of two ways, fixed by its transposition:
//  - along K (A not transposed, B transposed): each tile row of A (column of B) is contiguous
//    in k, so it gets its own pointer and the U unrolled steps read it at immediate offsets
//    0..U-1; the pointers advance once per U steps.
//  - along the tile (A transposed, B not): the tile's values for one k are contiguous, so one
//    pointer reads them at immediate offsets and advances by the leading dimension every step.
// With 4×6 and U = 16 that is 16·(10 loads + 24 FMAs + at most 2 pointer steps) plus at most 10
// pointer steps and a branch per 384 MACs: 0.66-0.69 MAC per instruction. The tile needs
// 24 sums + 4 values of A + 1 value of B = 29 registers, B loaded one value at a time. (A 5×5
// tile needs 31; GCC spilled in it, and it was never the fastest choice for a model step.)
//
// Edges: rows and columns left over after the full tiles are done with smaller tiles
// (edge_size, unrolled at most 8 times: edge_unroll), so every shape and every split is correct
// and no member writes outside its share.
// An outer product (K = 1, a batch-1 weight gradient) has nothing to sum and runs its own loops
// (outer_product_rv32.h).
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "kernels/activation_fn.h"
#include "kernels/generic/matmul_epilogue.h"
#include "kernels/generic/multiply_add.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/mm/matmul_b_panels.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/rv32/band_4x6_rv32.h"
#include "kernels/rv32/outer_product_rv32.h"
#include "kernels/rv32/short_dot_rv32.h"

namespace utrain::rv32 {

// How a tile's operand lies in memory: along K or along the tile (see the top of this file), or
// in a packed panel (pack_panel below), k-major with exactly E values per k, so that all its
// loads in a block are immediate offsets from one pointer.
enum class Reach : uint8_t { along_k, along_tile, packed };

template <Trans T, bool IS_A>
constexpr Reach kReach = (T == Trans::n) == IS_A ? Reach::along_k : Reach::along_tile;

// The pointers one operand's tile is read through, and how they advance.
template <int E, Reach R>
struct TileStream {
  static constexpr int kPointers = R == Reach::along_k ? E : 1;
  const float* at[kPointers];
  intptr_t ld;

  // `corner` is the tile's first element; along K the tile's e-th row starts ld·e further.
  TileStream(const float* corner, intptr_t leading) : ld(leading) {
    for (int e = 0; e < kPointers; ++e) at[e] = corner + (R == Reach::along_k ? e * leading : 0);
  }
  // Element e of the tile at unrolled step u of the current block.
  float value(int e, int u) const {
    if constexpr (R == Reach::along_k) return at[e][u];
    if constexpr (R == Reach::packed) return at[0][u * E + e];
    return at[0][e];
  }
  // After one k step (along the tile only: the next k is a row further).
  void step() {
    if constexpr (R == Reach::along_tile) at[0] += ld;
  }
  // After a block of `steps` k steps (along K and packed).
  void advance(int steps) {
    if constexpr (R == Reach::along_k)
      for (int e = 0; e < E; ++e) at[e] += steps;
    if constexpr (R == Reach::packed) at[0] += steps * E;
  }
};

// How a tile's sums start at its first k: set to the products, or to the products plus the
// bias of the sum's row or column (C overwritten: the store then has nothing to add).
enum class Start : uint8_t { product, row_bias, column_bias };

// One product of a step: added to the sum, or, in the first step, the sum's start.
template <bool FIRST, Start START>
inline float step_sum(float a, float b, float sum, float bias) {
  if constexpr (!FIRST) return multiply_add(a, b, sum);
  else if constexpr (START == Start::product) return a * b;
  else return multiply_add(a, b, bias);
}

// sum += the products of `steps` consecutive k (a compile-time count, so every offset is an
// immediate), then moves both streams past them. The shorter side of the tile is held in
// registers and the longer one streamed a value at a time: MR·NR + min(MR, NR) + 1 registers.
// FIRST (with one step) starts the sums as START says instead of adding to them, which saves
// zeroing the tile and, with a bias, adding it at the store: MR·NR instructions each, a tenth of
// a tile's work when K is as short as 16 (ResNet8's 1x1 shortcut forward: 0.560 -> 0.583 MAC
// per instruction). The bias values are loaded in the step, beside the operands they meet.
template <int MR, int NR, int STEPS, bool FIRST = false, Start START = Start::product, class StreamA,
          class StreamB>
inline void multiply_block(StreamA& a, StreamB& b, float (&sum)[MR][NR], const float* bias = nullptr) {
  static_assert(!FIRST || STEPS == 1, "only a single step can start the sums");
#pragma GCC unroll 32
  for (int u = 0; u < STEPS; ++u) {
    if constexpr (MR <= NR) {
      float av[MR], row_bias[MR];
#pragma GCC unroll 32
      for (int r = 0; r < MR; ++r) {
        av[r] = a.value(r, u);
        row_bias[r] = START == Start::row_bias ? bias[r] : 0.0f;
      }
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) {
        const float bv = b.value(c, u);
        const float column_bias = START == Start::column_bias ? bias[c] : 0.0f;
#pragma GCC unroll 32
        for (int r = 0; r < MR; ++r)
          sum[r][c] = step_sum<FIRST, START>(av[r], bv, sum[r][c], START == Start::row_bias ? row_bias[r] : column_bias);
      }
    } else {
      float bv[NR], column_bias[NR];
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) {
        bv[c] = b.value(c, u);
        column_bias[c] = START == Start::column_bias ? bias[c] : 0.0f;
      }
#pragma GCC unroll 32
      for (int r = 0; r < MR; ++r) {
        const float av = a.value(r, u);
        const float row_bias = START == Start::row_bias ? bias[r] : 0.0f;
#pragma GCC unroll 32
        for (int c = 0; c < NR; ++c)
          sum[r][c] = step_sum<FIRST, START>(av, bv[c], sum[r][c], START == Start::row_bias ? row_bias : column_bias[c]);
      }
    }
    a.step();
    b.step();
  }
  a.advance(STEPS);
  b.advance(STEPS);
}

// The K steps left after the blocks of U (fewer than U, at most 32), as at most one block each
// of 16, 8, 4, 2 and 1 steps: every load keeps its immediate offset and the pointers move once
// per block, so a short K (8 in the Deep AutoEncoder's bottleneck) costs no more per step than a
// long one. Always inlined: with two band functions calling the n_t 6×4 tile GCC made this a call,
// and the tile's 24 sums went to the stack and back around it for every tile.
template <int MR, int NR, int U, class StreamA, class StreamB>
[[gnu::always_inline]] inline void multiply_rest(StreamA& a, StreamB& b, float (&sum)[MR][NR], uint32_t left) {
  static_assert(U <= 32, "more steps left than the blocks below cover");
  if constexpr (U > 16)
    if (left & 16) multiply_block<MR, NR, 16>(a, b, sum);
  if constexpr (U > 8)
    if (left & 8) multiply_block<MR, NR, 8>(a, b, sum);
  if constexpr (U > 4)
    if (left & 4) multiply_block<MR, NR, 4>(a, b, sum);
  if constexpr (U > 2)
    if (left & 2) multiply_block<MR, NR, 2>(a, b, sum);
  if constexpr (U > 1)
    if (left & 1) multiply_block<MR, NR, 1>(a, b, sum);
}

// Which operand, if any, a tile reads from a packed panel.
enum class Packed : uint8_t { none, a, b };

// Whether a tile's sums start at zero (or the bias) and all of K runs in blocks, instead of
// starting from the products of a first step alone. The n_t tiles read both operands along K,
// MR + NR pointers each stepped once per block: the first step and the 15 steps left after it
// (K = 16, 32, 128 ...) cost them five blocks' pointer steps, more than setting MR·NR sums (the
// Deep AutoEncoder's forward 0.428 -> 0.440 MAC/instr). The other forms step at most MR
// pointers a block, and their first step saves setting the sums.
constexpr bool starts_with_whole_blocks(Trans ta, Trans tb) { return ta == Trans::n && tb == Trans::t; }

// The sums of the tile at (i0, j0) set to zero or to the bias of their row or column
// (starts_with_whole_blocks). One loop per case: a choice per sum made GCC's code around it
// slower.
template <int MR, int NR>
inline void set_sums(float (&sum)[MR][NR], Start start, const float* bias, int32_t i0, int32_t j0) {
  if (start == Start::product) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) sum[r][c] = 0.0f;
  } else if (start == Start::row_bias) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) sum[r][c] = bias[i0 + r];
  } else {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) sum[r][c] = bias[j0 + c];
  }
}

// Whether an entry's tiles start their sums from the bias, instead of a pass over C afterwards
// that costs about 6 instructions a value (ResNet8's 1x1 shortcut forward, K = 16, ran at 0.50
// MAC per instruction with the pass, 0.58 without): the n_n register tiles (a CHW convolution's
// forward) and every n_t tile (a Linear forward, an HWC convolution's forward; the Deep
// AutoEncoder's batch-1 forward 0.440 -> 0.448). Not the t_n tiles nor the n_n vector tiles:
// their products (input gradients, batch-1 ones) have no bias, and the bias variants of the
// first step cost them 0.5% in GCC's code around it.
constexpr bool tiles_add_bias(Trans ta, Trans tb, int mr, int nr) {
  return ta == Trans::n && (tb == Trans::t || (mr > 1 && nr > 1));
}
template <Trans TA, Trans TB, int MR, int NR>
constexpr bool kTilesAddBias = tiles_add_bias(TA, TB, MR, NR);

// Whether the tiles that add the bias also apply a ReLU as they store (a fused Linear + ReLU
// forward): the vector tiles only, where the pass over C costs about 4 instructions a value
// against a batch-1 output's 128 MACs (the Deep AutoEncoder's 128 -> 128 forward, with its
// front end: 0.442 -> 0.450 MAC/instr); in the register tiles the extra store variant cost 0.3%
// on products with no activation.
template <int MR, int NR>
constexpr bool kTilesApplyRelu = MR == 1 || NR == 1;

// Whether this call's tiles apply the ReLU (so matmul() must not): the tile and matmul() ask the
// same question.
template <bool BIAS, int MR, int NR>
bool tiles_apply_relu(const MatMulArgs& p) {
  return BIAS && kTilesApplyRelu<MR, NR> && !p.accumulate && p.act == Activation::relu;
}

// How the tiles' sums start. With BIAS (see kTilesAddBias) and C overwritten, from the bias;
// accumulating, the bias is left to the pass in matmul(), which must add it after C + dot.
template <bool BIAS>
Start tile_start(const MatMulArgs& p) {
  if (!BIAS || p.accumulate || p.bias_axis == BiasAxis::none) return Start::product;
  return p.bias_axis == BiasAxis::row ? Start::row_bias : Start::column_bias;
}

// C[i0 .. i0+MR, j0 .. j0+NR] from the full K range (and the bias when C is overwritten); the
// PACKED operand is read from `panel` (its MR or NR values per k from the tile's first k on).
// Every loop over the sums is unrolled by pragma so that GCC keeps them in registers (an array
// indexed in a loop it has not yet unrolled stays in memory), and the tile is inlined into its
// band so the callee-saved registers are saved once per band, not once per tile.
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS, Packed PACKED>
[[gnu::always_inline]] inline void tile(const MatMulArgs& p, int32_t i0, int32_t j0, const float* panel) {
  const intptr_t lda = p.lda, ldb = p.ldb;
  TileStream<MR, PACKED == Packed::a ? Reach::packed : kReach<TA, true>> a(
      PACKED == Packed::a ? panel : p.a + (TA == Trans::n ? i0 * lda : i0), lda);
  TileStream<NR, PACKED == Packed::b ? Reach::packed : kReach<TB, false>> b(
      PACKED == Packed::b ? panel : p.b + (TB == Trans::t ? j0 * ldb : j0), ldb);
  float sum[MR][NR];  // K >= 1: matmul() below handles K = 0
  const Start start = tile_start<BIAS>(p);
  uint32_t k = static_cast<uint32_t>(p.k);  // unsigned: k / U and k % U are a shift and a mask
  if constexpr (starts_with_whole_blocks(TA, TB)) {
    set_sums(sum, start, p.bias, i0, j0);
  } else {
    if (start == Start::product)
      multiply_block<MR, NR, 1, true>(a, b, sum);
    else if (start == Start::row_bias)
      multiply_block<MR, NR, 1, true, Start::row_bias>(a, b, sum, p.bias + i0);
    else
      multiply_block<MR, NR, 1, true, Start::column_bias>(a, b, sum, p.bias + j0);
    k -= 1;
  }
  for (uint32_t blocks = k / U; blocks > 0; --blocks) multiply_block<MR, NR, U>(a, b, sum);
  multiply_rest<MR, NR, U>(a, b, sum, k % U);

  // Each case has its own store loop: one shared loop after optional adds made GCC spill the row
  // pointers (1% on every product).
  float* out = p.c + static_cast<intptr_t>(i0) * p.ldc + j0;
  if (p.accumulate) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r, out += p.ldc)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) out[c] += sum[r][c];
  } else if (!tiles_apply_relu<BIAS, MR, NR>(p)) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r, out += p.ldc)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) out[c] = sum[r][c];
  } else {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r, out += p.ldc)
#pragma GCC unroll 32
      for (int c = 0; c < NR; ++c) out[c] = relu(sum[r][c]);
  }
}

// The height or width of the tiles that finish what MR- or NR-sized tiles leave: one less
// while tiles are small, so 64 rows are 12 tiles of 5 and one of 4; half for the 16-wide vector
// tiles, whose every size would cost code space for little speed.
constexpr int edge_size(int size) { return size > 6 ? size / 2 : size - 1; }

// The K unrolling of the edge tiles (the narrower ones at a band's end, the lower bands): at most
// 8. Every unrolled step of every tile size is code, and unrolling the edges 16 times as well
// made the rv32 entries a third larger (480 KB against 360 KB) for well under 1% of speed.
constexpr int edge_unroll(int unroll) { return unroll > 8 ? 8 : unroll; }

// Whether a row band's tiles run in hand-written code (band_4x6_rv32.h): the 4×6 entries with B
// along the tile and the K unrolling of the C++ tiles they replace (16). The code starts the sums
// from a row's bias but not a column's. On one hart, against GCC's code of the same tiles, MAC
// per instruction of the product: ResNet8's 1×1 shortcut forwards (K = 16, 32) 0.584 -> 0.639
// and 0.611 -> 0.657, its first layer's forward (K = 27) 0.623 -> 0.658, its input gradients
// 0.637 -> 0.656 and 0.637 -> 0.651, DS-CNN's pointwise forward 0.649 -> 0.669.
// (The cost model asks the same of an entry for a build that has the code or not.)
constexpr bool runs_hand_written_band(Trans ta, Trans tb, int mr, int nr, int unroll, Packed packed,
                                      bool hand_written_bands = kHasHandWrittenBands) {
  return hand_written_bands && tb == Trans::n && mr == 4 && nr == 6 && unroll == 16 &&
         (packed == Packed::none || (ta == Trans::t && packed == Packed::a));
}
template <Trans TA, Trans TB, int MR, int NR, int U, Packed PACKED>
constexpr bool kHandWrittenBand = runs_hand_written_band(TA, TB, MR, NR, U, PACKED);

// Whether an entry also takes B in column panels (MatMulArgs::b_panels, kernels/mm/matmul_b_panels.h):
// the n_n one with hand-written bands, whose tiles then read B from one pointer at immediate
// offsets (34 instructions per k for a 6-wide tile, against 35 stepping B's rows). Its bands run
// every panel, so C must be whole bands of rows (matmul() checks) and members share rows.
constexpr bool reads_b_panels(Trans ta, Trans tb, int mr, int nr, int unroll) {
  return ta == Trans::n && runs_hand_written_band(ta, tb, mr, nr, unroll, Packed::none);
}

// Whether the hand-written code takes bands `width` columns wide of a call whose tiles add the
// bias or not (BIAS): it starts the sums from a row's bias but not a column's, and the width
// must hold a tile of 6 or 5. (The cost model asks the same.)
template <bool BIAS>
bool hand_written_takes(const MatMulArgs& p, int32_t width) {
  const BandTiles tiles = band_tiles(width);
  return tile_start<BIAS>(p) != Start::column_bias && tiles.six + tiles.five > 0;
}

// The tiles of `bands` row bands from row i0 and column cols.begin on in hand-written code;
// returns the column after them (cols.begin when the code does not take them).
template <Trans TA, bool BIAS, Packed PACKED>
int32_t hand_written_tiles(const MatMulArgs& p, int32_t i0, int32_t bands, Range cols, const float* panel) {
  if (bands == 0 || !hand_written_takes<BIAS>(p, cols.size())) return cols.begin;
  const Start start = tile_start<BIAS>(p);
  const BandTiles tiles = band_tiles(cols.size());
  Band4x6Args args;
  args.a = PACKED == Packed::a ? panel : p.a + (TA == Trans::n ? i0 * p.lda : i0);
  args.lda_bytes = static_cast<int32_t>(p.lda * sizeof(float));
  args.b = p.b + (p.b_panels ? static_cast<intptr_t>(cols.begin) * p.k : cols.begin);
  args.ldb_bytes = static_cast<int32_t>(p.ldb * sizeof(float));
  args.c = p.c + static_cast<intptr_t>(i0) * p.ldc + cols.begin;
  args.ldc_bytes = static_cast<int32_t>(p.ldc * sizeof(float));
  args.k = p.k;
  args.tiles_6 = tiles.six;
  args.tiles_5 = tiles.five;
  args.bias = start == Start::row_bias ? p.bias + i0 : nullptr;
  args.accumulate = p.accumulate;
  args.bands = bands;
  constexpr BandA reach = PACKED == Packed::a ? BandA::packed : TA == Trans::n ? BandA::along_k : BandA::along_tile;
  run_hand_written_band<reach>(args, p.b_panels);
  return cols.begin + 6 * tiles.six + 5 * tiles.five;
}

// Rows i0 .. i0+MR, columns [cols.begin, cols.end): NR-wide tiles (reading the band's rows of
// A from `panel` when A is packed), then narrower ones (reading A as stored: a panel would save
// them little for the code it takes). Not inlined: GCC's inlining of the narrower bands into
// the wider ones made small products slower (a 1 x 64 x 12 share: 600 -> 710 instructions).
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS, Packed PACKED = Packed::none>
[[gnu::noinline]] void row_band(const MatMulArgs& p, int32_t i0, Range cols, const float* panel = nullptr) {
  static_assert(PACKED != Packed::b, "a row band's tiles have different columns of B");
  int32_t j = cols.begin;
  if constexpr (PACKED == Packed::a && kHandWrittenBand<TA, TB, MR, NR, U, PACKED>)
    j = hand_written_tiles<TA, BIAS, PACKED>(p, i0, 1, cols, panel);
  for (; j + NR <= cols.end; j += NR) tile<TA, TB, MR, NR, U, BIAS, PACKED>(p, i0, j, panel);
  if constexpr (NR > 1)
    if (j < cols.end) row_band<TA, TB, MR, edge_size(NR), edge_unroll(U), BIAS>(p, i0, Range{j, cols.end});
}

// Rows × columns: bands of MR rows (their tiles in hand-written code where it has them, all the
// bands in one call, then the columns it leaves), then lower ones.
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS>
void block(const MatMulArgs& p, Range rows, Range cols) {
  const int32_t bands = rows.size() / MR, bands_end = rows.begin + bands * MR;
  int32_t j = cols.begin;
  if constexpr (kHandWrittenBand<TA, TB, MR, NR, U, Packed::none>)
    j = hand_written_tiles<TA, BIAS, Packed::none>(p, rows.begin, bands, cols, nullptr);
  if (j < cols.end)
    for (int32_t i = rows.begin; i < bands_end; i += MR) row_band<TA, TB, MR, NR, U, BIAS>(p, i, Range{j, cols.end});
  if constexpr (MR > 1)
    if (bands_end < rows.end) block<TA, TB, edge_size(MR), NR, edge_unroll(U), BIAS>(p, Range{bands_end, rows.end}, cols);
}

// Columns j0 .. j0+NR of rows [rows.begin, rows.end): MR-high tiles (reading B's columns from
// `panel` when B is packed), then lower ones reading B as stored.
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS, Packed PACKED>
[[gnu::noinline]] void column_band(const MatMulArgs& p, Range rows, int32_t j0, const float* panel) {
  static_assert(PACKED != Packed::a, "a column band's tiles have different rows of A");
  int32_t i = rows.begin;
  for (; i + MR <= rows.end; i += MR) tile<TA, TB, MR, NR, U, BIAS, PACKED>(p, i, j0, panel);
  if constexpr (MR > 1)
    if (i < rows.end) block<TA, TB, edge_size(MR), NR, edge_unroll(U), BIAS>(p, Range{i, rows.end}, Range{j0, j0 + NR});
}

// A t_n product (an input gradient, Wᵀ·dY) reads both operands along the tile, so both pointers
// step every k: 36 instructions per 24 MACs where the other forms take 35. Copying one operand's
// panel k-major into a stack buffer (pack_panel) makes its loads immediate offsets that advance
// once per block. The copy costs about 2·width + 1 instructions per k and saves one per k for
// every tile that reads the panel, so the operand whose panel serves more tiles is packed, and
// only when they are enough to repay it; K must fit the buffer (the models' t_n products have
// K = 16 .. 64, their output channels).
constexpr int32_t kPanelFloats = 1024;  // 4 KB of a hart's 16 KB stack
constexpr int32_t kPanelMinTiles = 16;

// Whether an entry runs its products through t_n_block: the t_n register tiles (the vector
// tiles, one row or column wide, have no second operand worth packing).
constexpr bool packs_panels(Trans ta, Trans tb, int32_t mr, int32_t nr) {
  return ta == Trans::t && tb == Trans::n && mr > 1 && nr > 1;
}

// Which operand's panel a t_n share of rows × cols packs, with tiles of mr × nr.
inline Packed choose_panel(int32_t k, int32_t mr, int32_t nr, Range rows, Range cols) {
  const int32_t a_tiles = cols.size() / nr, b_tiles = rows.size() / mr;
  if (a_tiles >= b_tiles && a_tiles >= kPanelMinTiles && k * mr <= kPanelFloats) return Packed::a;
  if (b_tiles > a_tiles && b_tiles >= kPanelMinTiles && k * nr <= kPanelFloats) return Packed::b;
  return Packed::none;
}

// E consecutive values from each of K rows `ld` apart into panel[k·E + e]; four rows per loop
// pass, so the stores are immediate offsets and the loop costs a quarter per row: about 2·E + 1
// instructions per k and 12 for the call (pack_panel_instructions).
template <int E>
void pack_panel(const float* from, intptr_t ld, int32_t k, float* panel) {
  constexpr int kRows = 4;
  for (; k >= kRows; k -= kRows, panel += kRows * E)
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r, from += ld)
#pragma GCC unroll 8
      for (int e = 0; e < E; ++e) panel[r * E + e] = from[e];
  for (; k > 0; --k, from += ld, panel += E)
#pragma GCC unroll 8
    for (int e = 0; e < E; ++e) panel[e] = from[e];
}

constexpr int32_t pack_panel_instructions(int32_t k, int32_t width) { return k * (2 * width + 1) + 12; }

// Rows × columns as bands of columns NR wide, then narrower ones. With B packed, each band's
// columns of B are first copied k-major into `panel` (pack_panel).
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS, Packed PACKED>
void column_bands(const MatMulArgs& p, Range rows, Range cols, float* panel) {
  int32_t j = cols.begin;
  for (; j + NR <= cols.end; j += NR) {
    if constexpr (PACKED == Packed::b) pack_panel<NR>(p.b + j, p.ldb, p.k, panel);
    column_band<TA, TB, MR, NR, U, BIAS, PACKED>(p, rows, j, panel);
  }
  if (j < cols.end) block<TA, TB, MR, edge_size(NR), edge_unroll(U), BIAS>(p, rows, Range{j, cols.end});
}

// A member's share of C in the entry's tiles. A share split along N is often a strip one or two
// tiles wide (ResNet8's 64 × 32 weight gradient over 8 harts: 4 columns each), where every band
// of rows would hold a tile or two and pay the band's set-up (the callee-saved registers, the
// pointers, the K split: about 150 instructions) for them; such a strip is walked down its columns
// instead, a band per column of tiles (that product on 8 harts: 4.82 -> 5.05 MAC per cycle). Only
// the split along N: along M the strips are wide and the bands long, and every column band is
// code (about 6 KB an entry). Wider shares keep the row bands, which were faster at 8 columns of
// tiles against 10 rows (the same product on one hart), and so do products whose B is in panels
// (the bands read them).
template <Trans TA, Trans TB, int MR, int NR, int U, bool BIAS, ParAxis AXIS>
void share_block(const MatMulArgs& p, Range rows, Range cols) {
  if constexpr (AXIS == ParAxis::n && MR > 1 && NR > 1) {
    if (!p.b_panels && cols.size() < 3 * NR && cols.size() / NR < rows.size() / MR)
      return column_bands<TA, TB, MR, NR, U, BIAS, Packed::none>(p, rows, cols, nullptr);
  }
  block<TA, TB, MR, NR, U, BIAS>(p, rows, cols);
}

template <int MR, int NR, int U, bool BIAS, ParAxis AXIS>
void t_n_block(const MatMulArgs& p, Range rows, Range cols) {
  constexpr Trans T = Trans::t, N = Trans::n;
  const Packed packed = choose_panel(p.k, MR, NR, rows, cols);
  if (packed == Packed::none) return share_block<T, N, MR, NR, U, BIAS, AXIS>(p, rows, cols);
  float panel[kPanelFloats];
  if (packed == Packed::a) {
    int32_t i = rows.begin;
    for (; i + MR <= rows.end; i += MR) {
      pack_panel<MR>(p.a + i, p.lda, p.k, panel);
      row_band<T, N, MR, NR, U, BIAS, Packed::a>(p, i, cols, panel);
    }
    if (i < rows.end) block<T, N, edge_size(MR), NR, edge_unroll(U), BIAS>(p, Range{i, rows.end}, cols);
  } else {
    column_bands<T, N, MR, NR, U, BIAS, Packed::b>(p, rows, cols, panel);
  }
}

// The activation alone on rows × cols of C, whose sums already hold the bias.
inline void apply_activation_only(const MatMulArgs& p, Range rows, Range cols) {
  MatMulArgs activation_only = p;
  activation_only.bias_axis = BiasAxis::none;
  generic::apply_bias_activation(activation_only, rows, cols);
}

// What packing the panels of a t_n share of rows × cols (choose_panel) saves: one pointer step
// per k for every full tile that reads a panel, less the copies (pack_panel_instructions).
inline int64_t panel_saving(int32_t k, int32_t mr, int32_t nr, Range rows, Range cols) {
  const Packed packed = choose_panel(k, mr, nr, rows, cols);
  if (packed == Packed::none) return 0;
  const int32_t row_tiles = rows.size() / mr, column_tiles = cols.size() / nr;
  const int32_t panels = packed == Packed::a ? row_tiles : column_tiles;
  const int32_t readers = packed == Packed::a ? column_tiles : row_tiles;
  return int64_t{panels} * (int64_t{readers} * k - pack_panel_instructions(k, packed == Packed::a ? mr : nr));
}

// How many groups of rows a t_n split along N makes as well (members = groups × column groups):
// of the powers of two that divide the members and C's whole bands evenly, the one whose shares
// save the most by packing panels (panel_saving). ResNet8's 16 × 256 × 32 input gradient on 8
// harts: 32 columns a member hold 6 tiles a band, too few for a panel, so every k costs each tile
// two pointer steps; 4 groups of one band give 128 columns, a panel each and 22 tiles of it
// (4.93 -> 5.05 MAC per cluster cycle).
inline int row_groups(const MatMulArgs& p, Trans ta, Trans tb, int32_t mr, int32_t nr, int members) {
  if (members == 1 || !packs_panels(ta, tb, mr, nr) || p.k < 2 || p.k * mr > kPanelFloats) return 1;
  int best = 1;
  int64_t best_saving = panel_saving(p.k, mr, nr, Range{0, p.m}, Range{0, p.n / members});
  for (int groups = 2; groups <= members && members % groups == 0 && p.m % (groups * mr) == 0; groups *= 2) {
    const int64_t saving = panel_saving(p.k, mr, nr, Range{0, p.m / groups}, Range{0, p.n / (members / groups)});
    if (saving > best_saving) best = groups, best_saving = saving;
  }
  return best;
}

// A member's share of C, split along `axis` in whole tiles (along N, in groups of rows as well:
// row_groups); where an entry's hand-written bands run (C has a band's rows), its columns in any
// width, as those bands end in 5-wide tiles (band_tiles): 8 harts share 256 columns as 32 each
// (2 tiles of 6 and 4 of 5) instead of 36 or 30.
struct Share {
  Range rows, cols;
};
inline Share member_share(const MatMulArgs& p, Trans ta, Trans tb, int32_t mr, int32_t nr, int32_t unroll,
                          ParAxis axis, int member, int members, bool hand_written_bands = kHasHandWrittenBands) {
  // With B in panels (reads_b_panels) every member runs all the columns.
  if (axis == ParAxis::m || p.b_panels) return Share{partition(p.m, member, members, mr), Range{0, p.n}};
  const bool bands_by_hand = runs_hand_written_band(ta, tb, mr, nr, unroll, Packed::none, hand_written_bands) && p.m >= mr;
  const int32_t granule = bands_by_hand ? 1 : nr;
  const int groups = row_groups(p, ta, tb, mr, nr, members);
  if (groups == 1) return Share{Range{0, p.m}, partition(p.n, member, members, granule)};
  const int columns = members / groups;
  return Share{partition(p.m, member / columns, groups, mr), partition(p.n, member % columns, columns, granule)};
}

// The kernel table's entry point: this member's share of C (member_share).
template <Trans TA, Trans TB, int MR, int NR, int U, ParAxis AXIS>
void matmul(const MatMulArgs& p, int member, int members) {
  const auto [rows, cols] = member_share(p, TA, TB, MR, NR, U, AXIS, member, members);
  if (p.k == 0) {
    // An empty sum: C keeps its values when accumulating and is zero otherwise.
    if (!p.accumulate)
      for (int32_t i = rows.begin; i < rows.end; ++i)
        for (int32_t j = cols.begin; j < cols.end; ++j) p.c[static_cast<intptr_t>(i) * p.ldc + j] = 0.0f;
  } else if (p.k == 1 && !p.accumulate) {
    outer_product<TA, TB>(p, rows, cols);
  } else if (TA == Trans::n && TB == Trans::t && runs_short_dot(p)) {
    if (short_dot<kShortDotK>(p, rows, cols)) apply_activation_only(p, rows, cols);
    return;
  } else {
    constexpr bool kBias = kTilesAddBias<TA, TB, MR, NR>;
    if constexpr (packs_panels(TA, TB, MR, NR))
      t_n_block<MR, NR, U, kBias, AXIS>(p, rows, cols);
    else
      share_block<TA, TB, MR, NR, U, kBias, AXIS>(p, rows, cols);
    if (kBias && !p.accumulate) {
      if (!tiles_apply_relu<kBias, MR, NR>(p)) apply_activation_only(p, rows, cols);
      return;
    }
  }
  generic::apply_bias_activation(p, rows, cols);
}

}  // namespace utrain::rv32
