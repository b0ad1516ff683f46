// Every kernel of the table, for its transposition, against the plain reference: random M, N, K
// in 1..67 (1 and primes on purpose) and a few large shapes, teams of 1, 2, 3 and 8, leading
// dimensions larger than the rows, every epilogue. C sits between guard zones and the gaps between
// its rows are poisoned: a write outside the M×N result fails the test. Through the matmul() front
// end, the same checks cover products split along K (kernels/mm/matmul_split_k.h).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/mm/matmul.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/mm/matmul_split_k.h"
#include "kernels/mm/matmul_reference.h"
#include "support/matmul_epilogue_variant.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

constexpr float kPoison = -12345.0f;
constexpr int32_t kGuard = 37;  // floats before and after C

struct Shape3 {
  int32_t m, n, k;
};

// {13, 53, 1}: an rv32 outer product with columns left after its 24-wide blocks (4 + 1) and rows
// after its groups of 4. {5, 37, 8}, {1, 128, 8}: K = 8, the rv32 short dot of the n_t form
// (passes of 8 outputs and 5 left). {144, 5, 9}, {33, 1, 65}: strips narrower than three tiles
// with more rows of tiles, which the rv32 kernels split along N walk down their columns
// (share_block in kernels/rv32/matmul_rv32.h), as they do the members' strips of wider shapes.
std::vector<Shape3> shapes_for_sweep() {
  std::vector<Shape3> shapes = {{1, 1, 1},   {1, 67, 1},   {67, 1, 1},  {1, 1, 67},  {2, 3, 5},
                                {7, 11, 13}, {13, 17, 2},  {17, 8, 31}, {16, 16, 16}, {31, 37, 41},
                                {64, 64, 1}, {67, 61, 59}, {5, 144, 3}, {144, 5, 9}, {33, 1, 65},
                                {1, 47, 64}, {13, 53, 1},  {5, 37, 8},  {1, 128, 8}};
  Rng rng(2024);
  for (int i = 0; i < 8; ++i)
    shapes.push_back({static_cast<int32_t>(1 + rng.below(67)), static_cast<int32_t>(1 + rng.below(67)),
                      static_cast<int32_t>(1 + rng.below(67))});
  return shapes;
}

// {101, 71, 37}: the rv32 t_n kernels pack a panel of A (6x4) or of B (4x6), with edge tiles on
// both sides; {70, 70, 300}: K too long for the panel (t_n_block); {16, 256, 32}: on 8 members
// the rv32 t_n kernels split along N in groups of rows as well (row_groups).
const Shape3 kLargeShapes[] = {{128, 144, 96}, {1, 640, 128}, {257, 1, 130}, {96, 200, 1},
                               {101, 71, 37},  {70, 70, 300}, {16, 256, 32}};

// Long K and C too small to give every member of a team of 2, 3 or 8 a tile for most kernels:
// the front end splits them along K (M·N ≤ kSplitKFloats, K / members ≥ kSplitKMinSteps). No
// dimension is 1, so the front end's normalization keeps the kernel's form.
const Shape3 kSplitKShapes[] = {{2, 2, 600}, {3, 5, 700}, {2, 19, 521}, {16, 27, 1031}, {13, 2, 777}};

// How a product reaches the kernel: called directly on every member, or through matmul().
enum class Route { direct, front_end };

void fill(std::vector<float>& v, Rng& rng) {
  for (float& x : v) x = rng.uniform_symmetric(1.0f);
}

// Runs `kernel` for one shape and epilogue on `members` members and compares with the reference.
void check_kernel(const MatMulKernel& kernel, Shape3 s, int members, int variant, Rng& rng,
                  Route route = Route::direct) {
  MatMulArgs p;
  p.m = s.m, p.n = s.n, p.k = s.k;
  p.ta = kernel.ta, p.tb = kernel.tb;
  const int32_t pad = variant % 2 == 0 ? 0 : 3;  // leading dimensions beyond the row length
  const int32_t a_rows = p.ta == Trans::n ? s.m : s.k, a_cols = p.ta == Trans::n ? s.k : s.m;
  const int32_t b_rows = p.tb == Trans::n ? s.k : s.n, b_cols = p.tb == Trans::n ? s.n : s.k;
  p.lda = a_cols + pad, p.ldb = b_cols + pad, p.ldc = s.n + pad;
  std::vector<float> a(static_cast<size_t>(a_rows * p.lda)), b(static_cast<size_t>(b_rows * p.ldb));
  fill(a, rng);
  fill(b, rng);
  std::vector<float> bias(static_cast<size_t>(s.m > s.n ? s.m : s.n));
  fill(bias, rng);
  p.a = a.data(), p.b = b.data();

  testing::set_epilogue_variant(p, variant, bias.data());

  const size_t c_size = static_cast<size_t>(s.m * p.ldc);
  std::vector<float> c(c_size + 2 * kGuard, kPoison), expect(c_size, kPoison);
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < s.n; ++j) {
      const float v = rng.uniform_symmetric(1.0f);
      c[static_cast<size_t>(kGuard + i * p.ldc + j)] = v;
      expect[static_cast<size_t>(i * p.ldc + j)] = v;
    }
  MatMulArgs ref = p;
  ref.c = expect.data();
  matmul_reference(ref);
  p.c = c.data() + kGuard;

  if (route == Route::front_end) {
    const ExecContext ctx{&testing::team_of(members), IsaSet().with(kernel.isa)};
    ASSERT_TRUE(matmul(ctx, p, &kernel).ok());
  } else {
    struct Call {
      const MatMulKernel* kernel;
      const MatMulArgs* args;
    } call{&kernel, &p};
    testing::team_of(members).run(
        [](void* ctx, int member, int size) {
          const Call* cl = static_cast<const Call*>(ctx);
          cl->kernel->fn(*cl->args, member, size);
        },
        &call);
  }

  const std::string where = std::string(kernel.name) + " M=" + std::to_string(s.m) +
                            " N=" + std::to_string(s.n) + " K=" + std::to_string(s.k) +
                            " team=" + std::to_string(members) + " variant=" + std::to_string(variant);
  for (int32_t g = 0; g < kGuard; ++g) {
    ASSERT_EQ(c[static_cast<size_t>(g)], kPoison) << "write before C: " << where;
    ASSERT_EQ(c[c_size + kGuard + static_cast<size_t>(g)], kPoison) << "write after C: " << where;
  }
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < p.ldc; ++j) {
      const float got = c[static_cast<size_t>(kGuard + i * p.ldc + j)];
      const float want = expect[static_cast<size_t>(i * p.ldc + j)];
      if (j >= s.n) {
        ASSERT_EQ(got, kPoison) << "write into the row gap at (" << i << "," << j << "): " << where;
        continue;
      }
      // fp32 rounding of a K-term sum, plus the epilogue's terms.
      const double scale = matmul_abs_dot(ref, i, j) + std::fabs(want) + 1.0;
      const double tol = 1e-6 + 2.0 * (s.k + 4) * 1.2e-7 * scale;
      ASSERT_NEAR(got, want, tol) << "at (" << i << "," << j << "): " << where;
    }
}

class MatMulKernelTest : public ::testing::TestWithParam<size_t> {
 protected:
  const MatMulKernel& kernel() const { return matmul_kernels().entries[GetParam()]; }
};

TEST_P(MatMulKernelTest, matches_reference_for_every_shape_and_split) {
  Rng rng(7 + GetParam());
  int variant = 0;
  for (const Shape3& s : shapes_for_sweep())
    for (int members : testing::kTeamSizes) {
      check_kernel(kernel(), s, members, variant++, rng);
      if (HasFatalFailure()) return;
    }
}

TEST_P(MatMulKernelTest, matches_reference_for_large_shapes) {
  Rng rng(99 + GetParam());
  int variant = 0;
  for (const Shape3& s : kLargeShapes)
    for (int members : {1, 8}) {
      check_kernel(kernel(), s, members, variant++, rng);
      if (HasFatalFailure()) return;
    }
}

// Every kernel split along K on some of these (the test says if none), and unsplit on others.
TEST_P(MatMulKernelTest, matches_reference_split_along_k) {
  Rng rng(313 + GetParam());
  int variant = 0, splits = 0;
  for (const Shape3& s : kSplitKShapes)
    for (int members : {2, 3, 8}) {
      MatMulArgs p;
      p.m = s.m, p.n = s.n, p.k = s.k, p.ta = kernel().ta, p.tb = kernel().tb;
      splits += splits_k(p, kernel(), members) ? 1 : 0;
      check_kernel(kernel(), s, members, variant++, rng, Route::front_end);
      if (HasFatalFailure()) return;
    }
  EXPECT_GT(splits, 0) << "no shape was split along K";
}

std::vector<size_t> all_kernel_indices() {
  std::vector<size_t> idx(matmul_kernels().count);
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  return idx;
}

INSTANTIATE_TEST_SUITE_P(AllKernels, MatMulKernelTest, ::testing::ValuesIn(all_kernel_indices()),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return std::string(matmul_kernels().entries[param.param].name);
                         });

}  // namespace
}  // namespace utrain
