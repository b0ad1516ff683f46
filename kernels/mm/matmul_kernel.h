// One entry of the matrix-multiply kernel table, and the table itself.
//
// Name grammar (written once, here):  mm_f32_<ta>_<tb>_<MR>x<NR>_u<KU>_par_<axis>[__<isa>]
//   <ta>, <tb>  n or t: operand A / B stored transposed (the three training steps of a layer
//               use different pairs, see kernels/mm/matmul_args.h)
//   MR×NR       register tile: rows × columns of C computed together
//   KU          K unroll (independent partial sums in the dot form)
//   <axis>      m or n: the team splits the rows or the columns of C
//   <isa>       absent for generic C++; avx2, avx512, rv32 for kernels that need an ISA
// PULP-TrainLib's "naive" kernel is 1x1_u1 and its "K-unrolled" kernel is 1x1_u2.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kernels/isa.h"
#include "kernels/mm/matmul_args.h"

namespace utrain {

enum class ParAxis : uint8_t { m, n };

// Computes member `member`'s share of C; every member of the team must be called.
using MatMulFn = void (*)(const MatMulArgs& args, int member, int members);

struct MatMulKernel {
  const char* name;
  Trans ta, tb;
  uint8_t mr, nr, ku;
  ParAxis axis;
  Isa isa;
  MatMulFn fn;
  bool reads_b_panels = false;  // also takes B in column panels (MatMulArgs::b_panels), C in whole tiles of rows
};

struct MatMulKernelList {
  const MatMulKernel* entries = nullptr;
  size_t count = 0;
  const MatMulKernel* begin() const { return entries; }
  const MatMulKernel* end() const { return entries + count; }
};

// Every kernel this build has, generic ones first, whatever the running CPU supports.
MatMulKernelList matmul_kernels();

// The entry with this exact name, or nullptr.
const MatMulKernel* find_matmul_kernel(const char* name);

}  // namespace utrain
