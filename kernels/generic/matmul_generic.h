// The generic matrix-multiply kernel: one template over the operand transpositions, the
// register tile MR×NR, the K unroll KU and the parallel axis. The kernel table instantiates it;
// nothing here is specific to an instruction set, and the same source builds for x86, rv32 and
// Cortex-M4.
//
// Each member of the team takes a share of the rows (parallel over M) or columns (over N) from
// partition(), aligned to the tile, and walks it in MR×NR tiles. Leftover rows and columns are
// finished with tiles of half the height or width, down to 1, so every shape and every split is
// correct and no member writes outside its share. The tiles store the products; the bias and the
// activation are applied to the member's whole share afterwards (matmul_epilogue.h).
//
// Two inner-loop forms, chosen by where the operands are contiguous:
//  - "dot" form (A not transposed, B transposed): both A's rows and Bᵀ's rows run along K, so
//    each of the MR·NR outputs is a dot product. KU independent partial sums per output break
//    the add dependency chain and let the compiler vectorize along K; they are added at the end.
//  - "outer" form (every other case): per k, an MR×NR outer product of a column of op(A) and a
//    row of op(B), accumulated in registers; KU unrolls k.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/partition.h"
#include "kernels/generic/matmul_epilogue.h"
#include "kernels/generic/multiply_add.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/mm/matmul_kernel.h"

namespace utrain::generic {

// op(A) and op(B) seen from a tile's corner: a(r, kk) is op(A)(i0 + r, kk) and b(kk, c) is
// op(B)(kk, j0 + c). Indices are pointer-sized and the corner is folded into the base pointers,
// so the elements of a tile row are base[constant] and the compiler sees whole vectors.
template <Trans TA, Trans TB>
struct TileOperands {
  const float* a;
  const float* b;
  intptr_t lda, ldb;
  TileOperands(const MatMulArgs& p, int32_t i0, int32_t j0)
      : a(p.a + (TA == Trans::n ? static_cast<intptr_t>(i0) * p.lda : i0)),
        b(p.b + (TB == Trans::n ? j0 : static_cast<intptr_t>(j0) * p.ldb)),
        lda(p.lda),
        ldb(p.ldb) {}
  float at_a(intptr_t r, intptr_t kk) const { return TA == Trans::n ? a[r * lda + kk] : a[kk * lda + r]; }
  float at_b(intptr_t kk, intptr_t c) const { return TB == Trans::n ? b[kk * ldb + c] : b[c * ldb + kk]; }
};

// The dot form's sums for C[i0 .. i0+MR, j0 .. j0+NR] over the full K range.
template <Trans TA, Trans TB, int MR, int NR, int KU>
inline void dot_sums(const MatMulArgs& p, int32_t i0, int32_t j0, float (&sum)[MR][NR]) {
  const TileOperands<TA, TB> op(p, i0, j0);
  float part[MR][NR][KU] = {};
  intptr_t kk = 0;
  for (; kk + KU <= p.k; kk += KU)
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c)
        for (int u = 0; u < KU; ++u)
          part[r][c][u] = multiply_add(op.at_a(r, kk + u), op.at_b(kk + u, c), part[r][c][u]);
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) {
      float s = 0.0f;
      for (int u = 0; u < KU; ++u) s += part[r][c][u];
      sum[r][c] = s;
    }
  for (; kk < p.k; ++kk)  // the K remainder, fewer than KU steps
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) sum[r][c] = multiply_add(op.at_a(r, kk), op.at_b(kk, c), sum[r][c]);
}

// Whether a tile's step reads a run of exactly two contiguous values (a 2-high tile of Aᵀ, a
// 2-wide tile of B). Read one by one, GCC 12 (x86-64) loaded such a run as 4 floats, the next
// k's row too, past the end of B at the last k (a segfault in a conv weight-gradient test when B
// ended at a page); those tiles read the step's values first, a pair as one 8-byte copy, and then
// multiply. Only those: every other tile keeps its loop (and its code), and copying every run
// made GCC take over ten minutes on the kernel table.
template <Trans TA, Trans TB, int MR, int NR>
constexpr bool kReadsPairs = (TA == Trans::t && MR == 2) || (TB == Trans::n && NR == 2);

// The outer form's sums for C[i0 .. i0+MR, j0 .. j0+NR] over the full K range.
template <Trans TA, Trans TB, int MR, int NR, int KU>
inline void outer_sums(const MatMulArgs& p, int32_t i0, int32_t j0, float (&sum)[MR][NR]) {
  const TileOperands<TA, TB> op(p, i0, j0);
  if (p.k == 1) {
    // A single outer product (the batch-1 weight gradient): straight-line code without the K
    // loop, which the compiler turns into whole-vector multiplies instead of treating the
    // one-trip loop as a reduction to vectorize across iterations.
    for (int r = 0; r < MR; ++r) {
      const float av = op.at_a(r, 0);
      for (int c = 0; c < NR; ++c) sum[r][c] = av * op.at_b(0, c);
    }
    return;
  }
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) sum[r][c] = 0.0f;
  intptr_t kk = 0;
  for (; kk + KU <= p.k; kk += KU)
    for (int u = 0; u < KU; ++u) {
      if constexpr (kReadsPairs<TA, TB, MR, NR>) {
        float av[MR], bv[NR];
        if constexpr (TA == Trans::t && MR == 2)
          __builtin_memcpy(av, op.a + (kk + u) * op.lda, sizeof av);
        else
          for (int r = 0; r < MR; ++r) av[r] = op.at_a(r, kk + u);
        if constexpr (TB == Trans::n && NR == 2)
          __builtin_memcpy(bv, op.b + (kk + u) * op.ldb, sizeof bv);
        else
          for (int c = 0; c < NR; ++c) bv[c] = op.at_b(kk + u, c);
        for (int r = 0; r < MR; ++r)
          for (int c = 0; c < NR; ++c) sum[r][c] = multiply_add(av[r], bv[c], sum[r][c]);
      } else {
        for (int r = 0; r < MR; ++r) {
          const float av = op.at_a(r, kk + u);
          for (int c = 0; c < NR; ++c) sum[r][c] = multiply_add(av, op.at_b(kk + u, c), sum[r][c]);
        }
      }
    }
  for (; kk < p.k; ++kk)  // the K remainder, fewer than KU steps
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) sum[r][c] = multiply_add(op.at_a(r, kk), op.at_b(kk, c), sum[r][c]);
}

// C[i0 .. i0+MR, j0 .. j0+NR] from the full K range. Stores the raw sums only: bias and
// activation follow per block (apply_bias_activation), so the stores have no per-element branch
// and write whole vectors.
template <Trans TA, Trans TB, int MR, int NR, int KU>
inline void tile(const MatMulArgs& p, int32_t i0, int32_t j0) {
  float sum[MR][NR];
  if constexpr (TA == Trans::n && TB == Trans::t)
    dot_sums<TA, TB, MR, NR, KU>(p, i0, j0, sum);
  else
    outer_sums<TA, TB, MR, NR, KU>(p, i0, j0, sum);
  float* out = p.c + static_cast<intptr_t>(i0) * p.ldc + j0;
  if (p.accumulate) {
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) out[static_cast<intptr_t>(r) * p.ldc + c] += sum[r][c];
  } else {
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) out[static_cast<intptr_t>(r) * p.ldc + c] = sum[r][c];
  }
}

// Columns [cols.begin, cols.end) of rows i0 .. i0+MR: NR-wide tiles, then the remainder (fewer
// than NR columns) with tiles half as wide, and so on down to 1, so a narrow leftover still runs
// in a register tile (N = 8 with NR = 16 is one 8-wide tile, not eight 1-wide ones).
template <Trans TA, Trans TB, int MR, int NR, int KU>
void row_band(const MatMulArgs& p, int32_t i0, Range cols) {
  int32_t j = cols.begin;
  for (; j + NR <= cols.end; j += NR) tile<TA, TB, MR, NR, KU>(p, i0, j);
  if constexpr (NR > 1) row_band<TA, TB, MR, NR / 2, KU>(p, i0, Range{j, cols.end});
}

// Rows [rows.begin, rows.end) × columns [cols.begin, cols.end) of C: bands of MR rows, then the
// remaining rows in bands half as tall, down to 1.
template <Trans TA, Trans TB, int MR, int NR, int KU>
void block(const MatMulArgs& p, Range rows, Range cols) {
  int32_t i = rows.begin;
  for (; i + MR <= rows.end; i += MR) row_band<TA, TB, MR, NR, KU>(p, i, cols);
  if constexpr (MR > 1) block<TA, TB, MR / 2, NR, KU>(p, Range{i, rows.end}, cols);
}

// The kernel table's entry point: this member's share of the work.
template <Trans TA, Trans TB, int MR, int NR, int KU, ParAxis AXIS>
void matmul(const MatMulArgs& p, int member, int members) {
  const Range all_rows{0, p.m};
  const Range all_cols{0, p.n};
  const Range rows = AXIS == ParAxis::m ? partition(p.m, member, members, MR) : all_rows;
  const Range cols = AXIS == ParAxis::n ? partition(p.n, member, members, NR) : all_cols;
  block<TA, TB, MR, NR, KU>(p, rows, cols);
  apply_bias_activation(p, rows, cols);
}

}  // namespace utrain::generic
