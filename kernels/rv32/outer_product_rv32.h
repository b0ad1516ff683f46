// The outer product of a batch-1 weight gradient (K = 1, C overwritten): C[i][j] = a_i · b_j,
// on a scalar RV32F core. There is nothing to sum, so every value of C costs a multiply and a
// store; what is left is reaching the operands. A block of W values of op(B) stays in registers
// while the rows go by four at a time, each row costing one load of op(A) and one pointer step:
// (8·W + 8) instructions per 4·W MACs, 0.48 MAC per instruction at W = 24. (Holding 16 values of
// op(A) and streaming op(B) instead needs 16 row pointers, which GCC spilled: 0.448.)
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "kernels/mm/matmul_args.h"

namespace utrain::rv32 {

// 24 values of op(B), one of op(A) and the products on their way to memory fit the 32 FP
// registers; the rows of a group are immediate offsets from one pointer of op(A).
constexpr int kOuterColumns = 24;
constexpr int kOuterRows = 4;

// Columns [cols.begin, cols.end) of rows [rows.begin, rows.end), in blocks of W (cols.size() a
// multiple of W). Not inlined: each width is its own loop, called once per product.
template <Trans TA, Trans TB, int W>
[[gnu::noinline]] void outer_columns(const MatMulArgs& p, Range rows, Range cols) {
  // op(B)'s row 0 runs along the columns, op(A)'s column 0 down the rows, with these strides.
  const intptr_t b_stride = TB == Trans::n ? 1 : p.ldb;
  const intptr_t a_stride = TA == Trans::t ? 1 : p.lda;
  const intptr_t ldc = p.ldc;
  for (int32_t j = cols.begin; j < cols.end; j += W) {
    float bv[W];
#pragma GCC unroll 32
    for (int c = 0; c < W; ++c) bv[c] = p.b[(j + c) * b_stride];
    const float* ap = p.a + rows.begin * a_stride;
    float* out = p.c + rows.begin * ldc + j;
    int32_t i = rows.begin;
    for (; i + kOuterRows <= rows.end; i += kOuterRows, ap += kOuterRows * a_stride) {
#pragma GCC unroll 4
      for (int r = 0; r < kOuterRows; ++r, out += ldc) {
        // Opaque to GCC, so that it stores at immediate offsets from the row's pointer instead
        // of keeping an offset r·ldc + c for each of the 4·W stores (three times slower).
        asm("" : "+r"(out));
        const float av = ap[r * a_stride];
#pragma GCC unroll 32
        for (int c = 0; c < W; ++c) out[c] = av * bv[c];
      }
    }
    for (; i < rows.end; ++i, ap += a_stride, out += ldc) {
      const float av = *ap;
#pragma GCC unroll 32
      for (int c = 0; c < W; ++c) out[c] = av * bv[c];
    }
  }
}

// Blocks of kOuterColumns, then the columns left (fewer than 24) as at most one block each of
// 16, 8, 4, 2 and 1.
template <Trans TA, Trans TB>
void outer_product(const MatMulArgs& p, Range rows, Range cols) {
  if (rows.empty() || cols.empty()) return;
  int32_t j = cols.begin + cols.size() / kOuterColumns * kOuterColumns;
  if (j > cols.begin) outer_columns<TA, TB, kOuterColumns>(p, rows, Range{cols.begin, j});
  const int32_t left = cols.end - j;
  if (left & 16) outer_columns<TA, TB, 16>(p, rows, Range{j, j + 16}), j += 16;
  if (left & 8) outer_columns<TA, TB, 8>(p, rows, Range{j, j + 8}), j += 8;
  if (left & 4) outer_columns<TA, TB, 4>(p, rows, Range{j, j + 4}), j += 4;
  if (left & 2) outer_columns<TA, TB, 2>(p, rows, Range{j, j + 2}), j += 2;
  if (left & 1) outer_columns<TA, TB, 1>(p, rows, Range{j, j + 1});
}

}  // namespace utrain::rv32
