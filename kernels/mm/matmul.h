// The matrix-multiply front end: checks the arguments, brings vector shapes to the form the
// kernels handle best, picks a kernel when none is given, and runs it on the team (split along K
// when C has too few tiles for the team: kernels/mm/matmul_split_k.h).
#pragma once
#include "core/status.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/mm/matmul_kernel.h"

namespace utrain {

// Sizes, leading dimensions, pointers, bias and activation parameters, and that C overlaps
// none of A, B and the bias.
Status check_matmul(const MatMulArgs& args);

// The same product with vector operands re-described in their contiguous form: a K×1 column
// with stride 1 is also a transposed 1×K row, and so on. Kernels then see the dot form for
// matrix–vector products (batch-1 forward and input gradient) and the outer form for outer
// products (batch-1 weight gradient). The result is bit-for-bit the same product.
MatMulArgs normalize_matmul(const MatMulArgs& args);

// The kernel the default heuristic picks for (already normalized) args: a tile suited to the
// shape, split along the dimension with more tiles for a team of `members`.
const MatMulKernel& default_matmul_kernel(const MatMulArgs& normalized, int members, IsaSet isas);

// Whether matmul() runs an M×N product with B in column panels (MatMulArgs::b_panels) on
// `kernel`: one that reads them, N in panels 6 and 5 wide, M in whole tiles of its rows (and C's
// bias, if any, per row). For a caller deciding how to lay out B.
bool matmul_takes_b_panels(const MatMulKernel* kernel, int32_t m, int32_t n);

// Checks, normalizes and runs. `kernel` (from a tuning result) may be null for the default; when
// given it must match the normalized transpositions and be supported by ctx.isas.
Status matmul(const ExecContext& ctx, const MatMulArgs& args, const MatMulKernel* kernel = nullptr);

}  // namespace utrain
