// One 64×64×64 product (n_n, the rv32 4×6 register tile, split over M: an entry of the lean
// table too, UTRAIN_LEAN_MATMUL_TABLE) between the region markers, for instruction counts:
// scripts/count_instructions.sh runs this program under -icount with the QEMU plugin and divides
// the region's instructions by the MACs. The result is checked against the reference, so a
// count is never taken of a wrong product.
#include <math.h>
#include <stdio.h>

#include "core/rng.h"
#include "harness/device_test.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/mm/matmul_reference.h"
#include "targets/common/region_markers.h"
#if defined(__riscv)
#include "targets/rv32/instruction_counter.h"
#endif

namespace utrain {
namespace {

constexpr int32_t kSize = 64;
constexpr const char* kKernel = "mm_f32_n_n_4x6_u16_par_m__rv32";

float g_a[kSize * kSize], g_b[kSize * kSize], g_c[kSize * kSize], g_expect[kSize * kSize];

DEVICE_TEST(matmul_64x64x64_n_n_4x6_counted) {
  const MatMulKernel* kernel = find_matmul_kernel(kKernel);
  ASSERT_TRUE(kernel != nullptr);
  Rng rng(64);
  for (float& x : g_a) x = rng.uniform_symmetric(1.0f);
  for (float& x : g_b) x = rng.uniform_symmetric(1.0f);
  MatMulArgs p;
  p.m = p.n = p.k = kSize;
  p.a = g_a, p.lda = kSize;
  p.b = g_b, p.ldb = kSize;
  p.c = g_c, p.ldc = kSize;
  Team& team = *device_test::context().team;

#if defined(__riscv)
  const uint64_t before = rv32::retired_instructions();
#endif
  utrain_region_begin();
  team_run(team, [&](int member, int size) { kernel->fn(p, member, size); });
  utrain_region_end();
#if defined(__riscv)
  // Exact under -icount; on a team it is all harts' instructions and their sleep together.
  printf("minstret: %llu instructions from region begin to end\n",
         static_cast<unsigned long long>(rv32::retired_instructions() - before));
#endif
  printf("region: %s, %ld MACs, team of %d\n", kKernel, static_cast<long>(kSize) * kSize * kSize,
         team.size());

  MatMulArgs reference = p;
  reference.c = g_expect;
  matmul_reference(reference);
  // Inputs in [-1, 1) bound Σ|a·b| and |c| by K = 64, so the fp32 rounding bound the kernel tests
  // use, 2·(K+4)·1.2e-7·(Σ|a·b| + |c| + 1), is below 2.2e-3 for every element.
  int wrong = 0;
  for (int32_t i = 0; i < kSize * kSize; ++i)
    if (!(fabsf(g_c[i] - g_expect[i]) <= 2.2e-3f)) ++wrong;
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace utrain
