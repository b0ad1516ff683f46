// The default kernel choice, used when no tuning result exists. It is a table, not a chain of
// ifs: the first rule whose transpositions and shape class match names the tile; the parallel
// axis is then the dimension that gives the team more tiles.
//
// The tiles follow the two inner-loop forms of the generic kernel: the dot form (n_t) wants K
// unrolled into independent partial sums, the outer forms want a tile long along the
// contiguous dimension of the output (N for n_n and t_n, M for t_t).
//
// Measured with bench_matmul_kernels --best_json (baseline x86-64, GCC 12, one thread) on the
// Deep AutoEncoder's batch-1 layer steps:
//  - n_t row (forward, M = 1): 1x1_u8 gives 12-13 GMAC/s against 3.5 for 1x8_u4. The compiler
//    vectorizes one output's 8 partial sums along K; a multi-output dot tile reads B from
//    several rows, which GCC does not vectorize, so it runs scalar. (On a scalar core the
//    multi-output tiles save loads; the autotuner picks them there.)
//  - t_n (weight gradient, K = 1): 8x4_u1 is the fastest or within noise of it on every shape
//    (9-11 GMAC/s; 4x16_u1 keeps 64 sums, more than SSE's 16 registers hold).
//  - n_n row (input gradient, M = 1): 1x16_u1, 9-12 GMAC/s.
// and on the lowered convolution products of DS-CNN and ResNet8 (M, N, K from 16 to 1024, both
// layouts, every step):
//  - n_t (HWC forward, CHW weight gradient): 1x1_u8 first on 19 of 20 shapes, 8-14 GMAC/s; the
//    previous 2x2_u4 ran at 4-5.
//  - n_n (CHW forward, HWC input gradient): 1x16_u1 best or within 5% on all but the K = 27
//    shapes (there 4x4_u2, 8 GMAC/s against 7.6), 11-14 GMAC/s; 4x16_u1 keeps 64 sums in flight,
//    spills, and ran at 3.5.
//  - t_n (CHW input gradient, HWC weight gradient): 8x4_u1 and 4x4_u1 within 3% everywhere,
//    13-17 GMAC/s.
#include "kernels/mm/matmul.h"
#include "kernels/mm/matmul_default_rules.h"
#include "kernels/rv32/matmul_rv32_cost.h"

namespace utrain {

namespace {

bool matches(const DefaultRule& rule, const MatMulArgs& p) {
  if (rule.ta != p.ta || rule.tb != p.tb) return false;
  switch (rule.shape) {
    case ShapeClass::row: return p.m == 1;
    case ShapeClass::column: return p.n == 1;
    case ShapeClass::any: return true;
  }
  return false;
}

const MatMulKernel* find_generic(Trans ta, Trans tb, uint8_t mr, uint8_t nr, uint8_t ku,
                                 ParAxis axis) {
  for (const MatMulKernel& k : matmul_kernels())
    if (k.isa == Isa::generic && k.ta == ta && k.tb == tb && k.mr == mr && k.nr == nr &&
        k.ku == ku && k.axis == axis)
      return &k;
  return nullptr;
}

// On a scalar RV32F core the instruction count is the time, and the rv32 kernels' count is
// known from their loops (kernels/rv32/matmul_rv32_cost.h): the tile and split whose busiest
// member runs the fewest instructions, or null where no rv32 kernel has the transpositions.
const MatMulKernel* fewest_rv32_instructions(const MatMulArgs& p, int members) {
  const MatMulKernel* best = nullptr;
  int64_t best_count = 0;
  for (const MatMulKernel& k : matmul_kernels()) {
    if (k.isa != Isa::rv32_f || k.ta != p.ta || k.tb != p.tb) continue;
    const int64_t count = rv32::team_instructions(k, p, members);
    if (best == nullptr || count < best_count) best = &k, best_count = count;
  }
  return best;
}

}  // namespace

const MatMulKernel& default_matmul_kernel(const MatMulArgs& p, int members, IsaSet isas) {
  if (isas.has(Isa::rv32_f))
    if (const MatMulKernel* k = fewest_rv32_instructions(p, members)) return *k;
  uint8_t mr = 1, nr = 1, ku = 1;
  for (const DefaultRule& rule : kDefaultRules)
    if (matches(rule, p)) {
      mr = rule.mr;
      nr = rule.nr;
      ku = rule.ku;
      break;
    }
  // Split the dimension with more whole tiles; with a team of one either is the same.
  const ParAxis axis = p.m / mr > p.n / nr ? ParAxis::m : ParAxis::n;
  const MatMulKernel* k = find_generic(p.ta, p.tb, mr, nr, ku, axis);
  // Every rule names a tile of the generic table (tests/kernels check it), so this is a guard,
  // not a path: the naive kernel is always present.
  return k != nullptr ? *k : *find_generic(p.ta, p.tb, 1, 1, 1, axis);
}

}  // namespace utrain
