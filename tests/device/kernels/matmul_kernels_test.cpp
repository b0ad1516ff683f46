// Every matrix-multiply kernel of the table against the plain reference, on the device's team:
// sizes 1 and primes, shares that are not tile multiples (144 rows or columns over 8 harts give
// 18 each, and every prime size leaves a partial tile), leading dimensions beyond the row length,
// every epilogue. C sits between guard zones and the gaps between its rows are poisoned, so a
// write outside the M×N result fails the test. One test per operand form, named after it, and one
// per form through the matmul() front end on products it splits along K on a team
// (kernels/mm/matmul_split_k.h), the paths of the rv32 hand-written bands, and B in column panels.
//
// The shapes are kept small for the emulator. Each shape's inputs, reference result and
// tolerances are made once and shared by all the form's kernels: the reference accumulates in
// double, which rv32imf and the Cortex-M4F emulate in software.
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "harness/device_test.h"
#include "kernels/mm/matmul.h"
#include "kernels/mm/matmul_kernel.h"
#include "kernels/mm/matmul_split_k.h"
#include "kernels/mm/matmul_reference.h"
#include "kernels/rv32/band_4x6_rv32.h"
#include "support/matmul_epilogue_variant.h"

namespace utrain {
namespace {

constexpr float kPoison = -12345.0f;
constexpr int32_t kGuard = 37;       // floats before and after C
constexpr int32_t kCapacity = 4096;  // floats of each operand, C included
constexpr int kRandomShapes = 3;

struct Shape {
  int32_t m, n, k;
};

// {7, 67, 19} and {67, 7, 19}: the rv32 t_n kernels pack a panel of A (6x4) or of B (4x6) for
// them, with edge tiles on both sides (t_n_block). {13, 53, 1}: an outer product with columns
// left after the 24-wide blocks (4 + 1) and rows after the groups of 4. {5, 37, 8} and
// {3, 21, 8}: the n_t short dot (K = 8), at even places so that B is dense (no padding) and C is
// overwritten, with no bias and with a bias per column. {144, 5, 4}, {67, 7, 19}: strips narrower
// than three tiles, which the rv32 kernels split along N walk down their columns (share_block).
constexpr Shape kShapes[] = {{5, 37, 8},  {1, 1, 1},    {3, 21, 8},   {1, 37, 5},   {37, 1, 7},   {3, 5, 67},   {7, 11, 13},
                             {17, 19, 9}, {31, 37, 23}, {5, 144, 3},  {144, 5, 4},  {16, 16, 16},
                             {29, 61, 11}, {41, 43, 37}, {7, 67, 19}, {67, 7, 19}, {13, 53, 1}};

// The paths of the rv32 hand-written bands (kernels/rv32/band_4x6_rv32.S): widths of 6-wide
// tiles alone (6, 18), ending in 5-wide ones (11, 10, 29, 31: 6 - width % 6 of them) or too
// narrow for that and ending in C++ tiles (7, 4); K = 1 (no block: only accumulating C reaches the
// tiles), 2, 16, 17 and 33 (one block, entered part-way or whole), 34 and 65 (more blocks); one
// band, several, and rows left under them (13, 9, 7); {6, 97, 37} and {12, 100, 8}: t_n shares
// wide enough to pack A's panel (one call per band), n_n ones in one call; {16, 200, 19}: on 8
// harts the t_n split along N gives each hart one band and 100 columns (row_groups), a panel each.
constexpr Shape kHandWrittenBandShapes[] = {{4, 6, 1},   {4, 11, 2},  {8, 10, 16}, {12, 29, 17}, {13, 31, 33},
                                            {9, 7, 34},  {8, 40, 65}, {7, 18, 5},  {5, 4, 20},   {6, 97, 37},
                                            {12, 100, 8}, {16, 200, 19}};

// B in column panels (kernels/mm/matmul_b_panels.h) for the kernels that read them: C in whole
// bands of 4 rows (one band, several, and over 8 harts some with none), N in 6-wide panels alone
// (6, 36) or ending in 5-wide ones (10, 11, 23, 29, 64, 100); K = 1 (the outer product, and
// accumulating C the bands' first step alone), 2, 16, 17, 33 (one block, entered part-way or
// whole), 34 and 65 (more blocks).
constexpr Shape kBPanelShapes[] = {{4, 6, 1},   {8, 10, 2},   {4, 29, 16}, {12, 36, 17},
                                   {8, 64, 33}, {4, 11, 34}, {16, 23, 65}, {32, 100, 16}};

// Long K, C too small for every hart of 8 to get a tile, every operand within kCapacity with the
// padded leading dimensions; no dimension is 1, so the front end keeps the kernel's form.
constexpr Shape kSplitKShapes[] = {{2, 2, 600}, {3, 3, 560}, {2, 3, 577}};

// How a product reaches the kernel: called directly on every member, or through matmul().
enum class Route { direct, front_end };

// One product with its expected result: C's initial contents (guards and row gaps poisoned),
// the reference result and each element's tolerance.
struct Problem {
  MatMulArgs args;  // args.c points into `c`, after the front guard
  float a[kCapacity], b[kCapacity], bias[kCapacity];
  float b_panels[kCapacity];  // B laid out in column panels (lay_out_b_panels)
  float c_initial[kCapacity + 2 * kGuard];
  float c[kCapacity + 2 * kGuard];
  float expect[kCapacity];
  float tolerance[kCapacity];
};

Problem g_problem;  // static: too large for a device stack

void fill(float* values, int32_t count, Rng& rng) {
  for (int32_t i = 0; i < count; ++i) values[i] = rng.uniform_symmetric(1.0f);
}

// Makes the inputs, the reference and the tolerances of one shape; `variant` picks the padding
// and the epilogue. False if the shape does not fit the buffers.
bool make_problem(Shape s, Trans ta, Trans tb, int variant, Rng& rng, Problem& pr) {
  MatMulArgs& p = pr.args;
  p = MatMulArgs{};
  p.m = s.m, p.n = s.n, p.k = s.k;
  p.ta = ta, p.tb = tb;
  const int32_t pad = variant % 2 == 0 ? 0 : 3;
  const int32_t a_rows = ta == Trans::n ? s.m : s.k, a_cols = ta == Trans::n ? s.k : s.m;
  const int32_t b_rows = tb == Trans::n ? s.k : s.n, b_cols = tb == Trans::n ? s.n : s.k;
  p.lda = a_cols + pad, p.ldb = b_cols + pad, p.ldc = s.n + pad;
  const int32_t c_size = s.m * p.ldc;
  if (a_rows * p.lda > kCapacity || b_rows * p.ldb > kCapacity || c_size > kCapacity ||
      (s.m > s.n ? s.m : s.n) > kCapacity)
    return false;
  fill(pr.a, a_rows * p.lda, rng);
  fill(pr.b, b_rows * p.ldb, rng);
  fill(pr.bias, s.m > s.n ? s.m : s.n, rng);
  p.a = pr.a, p.b = pr.b;

  testing::set_epilogue_variant(p, variant, pr.bias);

  for (int32_t x = 0; x < c_size + 2 * kGuard; ++x) pr.c_initial[x] = kPoison;
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < s.n; ++j) pr.c_initial[kGuard + i * p.ldc + j] = rng.uniform_symmetric(1.0f);
  memcpy(pr.expect, pr.c_initial + kGuard, sizeof(float) * static_cast<size_t>(c_size));
  MatMulArgs reference = p;
  reference.c = pr.expect;
  matmul_reference(reference);
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < s.n; ++j) {
      // fp32 rounding of a K-term sum, plus the epilogue's terms.
      const double scale = matmul_abs_dot(reference, i, j) + fabs(pr.expect[i * p.ldc + j]) + 1.0;
      pr.tolerance[i * p.ldc + j] = static_cast<float>(1e-6 + 2.0 * (s.k + 4) * 1.2e-7 * scale);
    }
  p.c = pr.c + kGuard;
  return true;
}

// Runs `kernel` on the team and checks the guards, the row gaps and every result element;
// stops at the first wrong element.
void check_kernel(const MatMulKernel& kernel, Problem& pr, int variant, Route route = Route::direct) {
  const MatMulArgs& p = pr.args;
  Team& team = *device_test::context().team;
  device_test::Note note("%s M=%ld N=%ld K=%ld team=%d variant=%d", kernel.name, static_cast<long>(p.m),
                         static_cast<long>(p.n), static_cast<long>(p.k), team.size(), variant);
  const int32_t c_size = p.m * p.ldc;
  memcpy(pr.c, pr.c_initial, sizeof(float) * static_cast<size_t>(c_size + 2 * kGuard));
  if (route == Route::front_end) {
    if (!EXPECT_TRUE(matmul(device_test::context(), p, &kernel).ok())) return;
  } else {
    team_run(team, [&](int member, int size) { kernel.fn(p, member, size); });
  }

  for (int32_t g = 0; g < kGuard; ++g) {
    if (!EXPECT_EQ(pr.c[g], kPoison)) return;                    // written before C
    if (!EXPECT_EQ(pr.c[kGuard + c_size + g], kPoison)) return;  // written after C
  }
  // Elements are compared plainly and reported through a check only when wrong: a check per
  // element would spend most of the emulator's time on bookkeeping.
  for (int32_t i = 0; i < p.m; ++i)
    for (int32_t j = 0; j < p.ldc; ++j) {
      const int32_t at = i * p.ldc + j;
      const float got = pr.c[kGuard + at], want = pr.expect[at];
      const bool in_gap = j >= p.n;  // between rows: must stay untouched
      if (in_gap ? got == kPoison : fabsf(got - want) <= pr.tolerance[at]) continue;
      device_test::Note element("element (%ld, %ld)", static_cast<long>(i), static_cast<long>(j));
      if (in_gap ? !EXPECT_EQ(got, kPoison) : !EXPECT_NEAR(got, want, pr.tolerance[at])) return;
    }
}

void check_every_kernel_of_form(Trans ta, Trans tb, uint64_t seed) {
  Rng rng(seed);
  Shape shapes[sizeof kShapes / sizeof kShapes[0] + kRandomShapes];
  int count = 0;
  for (const Shape& s : kShapes) shapes[count++] = s;
  for (int r = 0; r < kRandomShapes; ++r)
    shapes[count++] = {static_cast<int32_t>(1 + rng.below(40)), static_cast<int32_t>(1 + rng.below(40)),
                       static_cast<int32_t>(1 + rng.below(40))};
  const IsaSet isas = device_test::context().isas;
  for (int variant = 0; variant < count; ++variant) {
    ASSERT_TRUE(make_problem(shapes[variant], ta, tb, variant, rng, g_problem));
    for (const MatMulKernel& kernel : matmul_kernels()) {
      if (kernel.ta != ta || kernel.tb != tb || !isas.has(kernel.isa)) continue;
      check_kernel(kernel, g_problem, variant);
      if (device_test::current_test_failed()) return;
    }
  }
}

// The 4x6 entries that read B along the tile (the forms of the hand-written bands) on their
// paths' shapes, each shape with six consecutive epilogue variants (overwriting and accumulating
// C, with no bias, a row's and a column's).
void check_hand_written_bands_of_form(Trans ta, uint64_t seed) {
  Rng rng(seed);
  const IsaSet isas = device_test::context().isas;
  int variant = 0;
  for (const Shape& s : kHandWrittenBandShapes)
    for (int epilogue = 0; epilogue < 6; ++epilogue, ++variant) {
      ASSERT_TRUE(make_problem(s, ta, Trans::n, variant, rng, g_problem));
      for (const MatMulKernel& kernel : matmul_kernels()) {
        if (kernel.ta != ta || kernel.tb != Trans::n || kernel.mr != 4 || kernel.nr != 6 || !isas.has(kernel.isa))
          continue;
        check_kernel(kernel, g_problem, variant);
        if (device_test::current_test_failed()) return;
      }
    }
}

// The problem's B copied into column panels, and the arguments pointed at them.
void lay_out_b_panels(Problem& pr) {
  MatMulArgs& p = pr.args;
  for (int32_t kk = 0; kk < p.k; ++kk)
    for (int32_t j = 0; j < p.n; ++j) pr.b_panels[b_panel_index(p.n, p.k, kk, j)] = pr.b[kk * p.ldb + j];
  p.b = pr.b_panels;
  p.b_panels = true;
}

// The kernels that read B in panels, through matmul(), on every shape with the epilogues that
// take it (overwriting and accumulating C, with no bias and a row's); RV32 builds have them.
void check_b_panels(uint64_t seed) {
  Rng rng(seed);
  const IsaSet isas = device_test::context().isas;
  int variant = 0, runs = 0;
  for (const Shape& s : kBPanelShapes)
    for (int epilogue = 0; epilogue < 6; ++epilogue, ++variant) {
      ASSERT_TRUE(make_problem(s, Trans::n, Trans::n, variant, rng, g_problem));
      if (g_problem.args.bias_axis == BiasAxis::col) continue;  // panels take a bias per row
      lay_out_b_panels(g_problem);
      for (const MatMulKernel& kernel : matmul_kernels()) {
        if (!kernel.reads_b_panels || !isas.has(kernel.isa)) continue;
        check_kernel(kernel, g_problem, variant, Route::front_end);
        if (device_test::current_test_failed()) return;
        ++runs;
      }
    }
  EXPECT_EQ(runs > 0, rv32::kHasHandWrittenBands);
}

// On a team every kernel is split along K for some of the shapes (checked); alone, never.
void check_split_k_of_form(Trans ta, Trans tb, uint64_t seed) {
  Rng rng(seed);
  const IsaSet isas = device_test::context().isas;
  const int members = device_test::context().team->size();
  int variant = 0, splits = 0;
  for (const Shape& s : kSplitKShapes) {
    ASSERT_TRUE(make_problem(s, ta, tb, variant, rng, g_problem));
    for (const MatMulKernel& kernel : matmul_kernels()) {
      if (kernel.ta != ta || kernel.tb != tb || !isas.has(kernel.isa)) continue;
      splits += splits_k(g_problem.args, kernel, members) ? 1 : 0;
      check_kernel(kernel, g_problem, variant, Route::front_end);
      if (device_test::current_test_failed()) return;
    }
    ++variant;
  }
  EXPECT_EQ(splits > 0, members > 1);
}

DEVICE_TEST(matmul_n_n_every_kernel_matches_reference) { check_every_kernel_of_form(Trans::n, Trans::n, 11); }
DEVICE_TEST(matmul_n_t_every_kernel_matches_reference) { check_every_kernel_of_form(Trans::n, Trans::t, 12); }
DEVICE_TEST(matmul_t_n_every_kernel_matches_reference) { check_every_kernel_of_form(Trans::t, Trans::n, 13); }
DEVICE_TEST(matmul_t_t_every_kernel_matches_reference) { check_every_kernel_of_form(Trans::t, Trans::t, 14); }
DEVICE_TEST(matmul_n_n_4x6_hand_written_band_paths_match_reference) { check_hand_written_bands_of_form(Trans::n, 31); }
DEVICE_TEST(matmul_t_n_4x6_hand_written_band_paths_match_reference) { check_hand_written_bands_of_form(Trans::t, 32); }
DEVICE_TEST(matmul_n_n_b_in_panels_matches_reference) { check_b_panels(41); }
DEVICE_TEST(matmul_n_n_split_along_k_matches_reference) { check_split_k_of_form(Trans::n, Trans::n, 21); }
DEVICE_TEST(matmul_n_t_split_along_k_matches_reference) { check_split_k_of_form(Trans::n, Trans::t, 22); }
DEVICE_TEST(matmul_t_n_split_along_k_matches_reference) { check_split_k_of_form(Trans::t, Trans::n, 23); }
DEVICE_TEST(matmul_t_t_split_along_k_matches_reference) { check_split_k_of_form(Trans::t, Trans::t, 24); }

}  // namespace
}  // namespace utrain
