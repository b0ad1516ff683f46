// How many instructions an rv32 kernel (kernels/rv32/matmul_rv32.h) spends on a share of C: the
// default selector compares these to pick a tile and a split for a shape and a team. Counted
// from the loops the kernels compile to (loads, multiply-adds, pointer steps, branches, the
// sums' set-up and stores); the device benchmark (bench/) checks the choice against QEMU's exact
// counts. The busiest member's share is the team's time.
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "kernels/mm/matmul_args.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/rv32/band_4x6_rv32.h"

namespace utrain::rv32 {

// Instructions of `kernel` (an Isa::rv32_f entry) on rows × cols of the product `p`, on a build
// with or without the hand-written bands (band_4x6_rv32.h: RV32 has them, the Cortex-M4F, which
// runs the same C++ tiles, does not).
int64_t share_instructions(const MatMulKernel& kernel, const MatMulArgs& p, Range rows, Range cols,
                           bool hand_written_bands = kHasHandWrittenBands);

// The largest share's instructions when a team of `members` runs `kernel` on `p` through the
// front end, which splits some products along K (kernels/mm/matmul_split_k.h).
int64_t team_instructions(const MatMulKernel& kernel, const MatMulArgs& p, int members,
                          bool hand_written_bands = kHasHandWrittenBands);

}  // namespace utrain::rv32
