// The matmul() front end: argument checks name the problem, vector normalization does not change
// results, the default choice always exists and fits the call, a mismatched kernel is refused, and
// a product is split along K exactly when members would otherwise have no tile.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/mm/matmul.h"
#include "kernels/mm/matmul_reference.h"
#include "kernels/mm/matmul_split_k.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

std::string what(const Status& s) { return s.ok() ? "ok" : s.what(); }

MatMulArgs valid_args(std::vector<float>& a, std::vector<float>& b, std::vector<float>& c) {
  a.assign(12, 1.0f), b.assign(20, 1.0f), c.assign(15, 0.0f);
  MatMulArgs p;
  p.m = 3, p.n = 5, p.k = 4;
  p.a = a.data(), p.lda = 4, p.b = b.data(), p.ldb = 5, p.c = c.data(), p.ldc = 5;
  return p;
}

TEST(MatMulCheck, accepts_a_valid_call_and_empty_outputs) {
  std::vector<float> a, b, c;
  MatMulArgs p = valid_args(a, b, c);
  EXPECT_TRUE(check_matmul(p).ok());
  p.m = 0;
  p.c = nullptr;
  EXPECT_TRUE(check_matmul(p).ok());
}

TEST(MatMulCheck, names_each_problem) {
  std::vector<float> a, b, c;
  const MatMulArgs good = valid_args(a, b, c);
  auto with = [&](auto change) {
    MatMulArgs p = good;
    change(p);
    return check_matmul(p);
  };
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.k = -1; })), "matmul: M, N and K must not be negative");
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.c = nullptr; })), "matmul: C is null");
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.a = nullptr; })), "matmul: A is null");
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.b = nullptr; })), "matmul: B is null");
  const Status ldc = with([](MatMulArgs& p) { p.ldc = 4; });
  EXPECT_EQ(what(ldc), "matmul: ldc is smaller than N");
  EXPECT_EQ(ldc.got(), 4);
  EXPECT_EQ(ldc.expected(), 5);
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.lda = 3; })), "matmul: lda is smaller than a row of A as stored");
  // Transposed A is stored K×M: its rows hold M = 3 values.
  EXPECT_TRUE(with([](MatMulArgs& p) { p.ta = Trans::t; p.lda = 3; }).ok());
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.ldb = 4; })), "matmul: ldb is smaller than a row of B as stored");
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.bias_axis = BiasAxis::row; })),
            "matmul: a bias axis is set but the bias is null");
  EXPECT_EQ(what(with([](MatMulArgs& p) { p.act = Activation::leaky_relu; p.act_slope = 0.0f; })),
            "matmul: LeakyReLU slope must be positive");
  EXPECT_EQ(what(with([&](MatMulArgs& p) { p.c = a.data(); })), "matmul: C overlaps A");
  EXPECT_EQ(what(with([&](MatMulArgs& p) { p.c = b.data() + 10; })), "matmul: C overlaps B");
  EXPECT_EQ(what(with([&](MatMulArgs& p) { p.bias_axis = BiasAxis::col; p.bias = c.data() + 3; })),
            "matmul: C overlaps the bias");
}

// Each vector case, in each transposition, gives the reference's numbers through matmul().
TEST(MatMulFrontEnd, vector_shapes_in_every_form_match_the_reference) {
  Rng rng(5);
  const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  struct Case {
    int32_t m, n, k;
  };
  for (Case s : {Case{1, 9, 7}, Case{9, 1, 7}, Case{9, 7, 1}, Case{1, 1, 7}, Case{1, 7, 1}, Case{7, 1, 1}})
    for (Trans ta : {Trans::n, Trans::t})
      for (Trans tb : {Trans::n, Trans::t}) {
        MatMulArgs p;
        p.m = s.m, p.n = s.n, p.k = s.k, p.ta = ta, p.tb = tb;
        p.lda = ta == Trans::n ? s.k : s.m;
        p.ldb = tb == Trans::n ? s.n : s.k;
        p.ldc = s.n;
        std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n));
        for (float& x : a) x = rng.uniform_symmetric(1.0f);
        for (float& x : b) x = rng.uniform_symmetric(1.0f);
        std::vector<float> got(static_cast<size_t>(s.m * s.n)), want(got.size());
        p.a = a.data(), p.b = b.data(), p.c = want.data();
        matmul_reference(p);
        p.c = got.data();
        ASSERT_TRUE(matmul(ctx, p).ok());
        for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-5f);
      }
}

TEST(MatMulFrontEnd, normalization_turns_vectors_into_contiguous_forms) {
  MatMulArgs p;
  p.m = 8, p.n = 1, p.k = 5, p.lda = 5, p.ldb = 1, p.ldc = 1;
  MatMulArgs q = normalize_matmul(p);
  EXPECT_EQ(q.tb, Trans::t);  // matrix × vector: dot form
  EXPECT_EQ(q.ldb, 5);
  p = MatMulArgs{};
  p.m = 8, p.n = 6, p.k = 1, p.lda = 1, p.tb = Trans::t, p.ldb = 1, p.ldc = 6;
  q = normalize_matmul(p);
  EXPECT_EQ(q.tb, Trans::n);  // outer product: B as a row
  EXPECT_EQ(q.ldb, 6);
  p = MatMulArgs{};
  p.m = 1, p.n = 6, p.k = 5, p.ta = Trans::t, p.lda = 1, p.tb = Trans::t, p.ldb = 5, p.ldc = 6;
  q = normalize_matmul(p);
  EXPECT_EQ(q.ta, Trans::n);  // row vector × matrix: A as a row
  EXPECT_EQ(q.lda, 5);
}

TEST(MatMulFrontEnd, default_kernel_fits_every_form_and_shape) {
  for (Trans ta : {Trans::n, Trans::t})
    for (Trans tb : {Trans::n, Trans::t})
      for (int32_t m : {1, 3, 64})
        for (int32_t n : {1, 5, 128})
          for (int members : {1, 8}) {
            MatMulArgs p;
            p.m = m, p.n = n, p.k = 7, p.ta = ta, p.tb = tb;
            const MatMulKernel& k = default_matmul_kernel(p, members, IsaSet::generic_only());
            EXPECT_EQ(k.ta, ta);
            EXPECT_EQ(k.tb, tb);
            EXPECT_EQ(k.isa, Isa::generic);
          }
}

TEST(MatMulFrontEnd, refuses_a_kernel_of_another_form) {
  std::vector<float> a, b, c;
  const MatMulArgs p = valid_args(a, b, c);
  const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  const MatMulKernel* wrong = find_matmul_kernel("mm_f32_t_n_4x4_u1_par_m");
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(what(matmul(ctx, p, wrong)),
            "matmul: the kernel's operand transpositions do not match the (normalized) call");
  EXPECT_TRUE(matmul(ctx, p, find_matmul_kernel("mm_f32_n_n_4x4_u1_par_m")).ok());
  EXPECT_EQ(find_matmul_kernel("mm_f32_no_such_kernel"), nullptr);
}

// B in column panels (kernels/mm/matmul_b_panels.h): the reference reads the layout, and the
// front end takes it only where it can run it.
TEST(MatMulBPanels, the_reference_reads_b_in_panels) {
  Rng rng(9);
  for (int32_t n : {5, 6, 10, 29, 64})
    for (int32_t k : {1, 3, 17}) {
      const int32_t m = 3;
      std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), panels(b.size());
      for (float& x : a) x = rng.uniform_symmetric(1.0f);
      for (float& x : b) x = rng.uniform_symmetric(1.0f);
      for (int32_t kk = 0; kk < k; ++kk)
        for (int32_t j = 0; j < n; ++j)
          panels[static_cast<size_t>(b_panel_index(n, k, kk, j))] = b[static_cast<size_t>(kk * n + j)];
      std::vector<float> plain(static_cast<size_t>(m * n)), from_panels(plain.size());
      MatMulArgs p;
      p.m = m, p.n = n, p.k = k, p.a = a.data(), p.lda = k, p.b = b.data(), p.ldb = n, p.c = plain.data(), p.ldc = n;
      matmul_reference(p);
      p.b = panels.data(), p.b_panels = true, p.c = from_panels.data();
      matmul_reference(p);
      EXPECT_EQ(plain, from_panels) << "N " << n << " K " << k;
    }
}

TEST(MatMulBPanels, the_front_end_names_what_does_not_fit) {
  std::vector<float> a(4 * 3), b(3 * 6), c(4 * 6);
  MatMulArgs p;
  p.m = 4, p.n = 6, p.k = 3, p.a = a.data(), p.lda = 3, p.b = b.data(), p.ldb = 6, p.c = c.data(), p.ldc = 6;
  p.b_panels = true;
  EXPECT_TRUE(check_matmul(p).ok());
  MatMulArgs q = p;
  q.tb = Trans::t, q.ldb = 3;
  EXPECT_EQ(what(check_matmul(q)), "matmul: B in panels must not be transposed");
  q = p;
  q.n = 7, q.ldc = 7;  // a 6-wide panel and one column
  EXPECT_EQ(what(check_matmul(q)), "matmul: B in panels needs N in panels 6 and 5 wide");
  q = p;
  q.k = 1 << 20, q.n = 4096, q.ldc = 4096;
  EXPECT_EQ(what(check_matmul(q)), "matmul: B in panels has too many values");
  q = p;
  q.c = b.data() + 17;  // B in panels is K·N floats whatever ldb says
  EXPECT_EQ(what(check_matmul(q)), "matmul: C overlaps B");
  // The host's kernels read B as stored.
  const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  EXPECT_EQ(what(matmul(ctx, p, find_matmul_kernel("mm_f32_n_n_4x4_u1_par_m"))),
            "matmul: B in panels needs a kernel that reads them");
  EXPECT_EQ(what(matmul(ctx, p)), "matmul: B in panels needs a kernel that reads them");
  for (const MatMulKernel& k : matmul_kernels()) EXPECT_TRUE(k.isa == Isa::rv32_f || !k.reads_b_panels) << k.name;
}

TEST(MatMulCatalogue, has_the_paper_family_in_every_form_with_unique_names) {
  const MatMulKernelList list = matmul_kernels();
  for (const char* tile : {"1x1_u1", "1x1_u2", "1x2_u1", "1x4_u1", "1x8_u1", "2x1_u1", "4x1_u1",
                           "8x1_u1", "2x2_u1", "2x4_u1", "4x2_u1", "4x4_u1"})
    for (const char* form : {"n_n", "n_t", "t_n", "t_t"})
      for (const char* axis : {"m", "n"}) {
        const std::string name = std::string("mm_f32_") + form + "_" + tile + "_par_" + axis;
        EXPECT_NE(find_matmul_kernel(name.c_str()), nullptr) << name;
      }
  for (size_t i = 0; i < list.count; ++i)
    for (size_t j = i + 1; j < list.count; ++j)
      ASSERT_STRNE(list.entries[i].name, list.entries[j].name);
}

}  // namespace
}  // namespace utrain

namespace utrain {
namespace {

// ResNet8's first weight gradient, 16 x 27 outputs over K = 1024, with 4-row tiles split over the
// rows: 4 tiles, so a team of 8 leaves 4 members idle unless K is split.
TEST(MatMulSplitK, splits_only_when_members_would_have_no_tile) {
  const MatMulKernel* rows4 = find_matmul_kernel("mm_f32_n_t_4x6_u16_par_m__rv32");
  const MatMulKernel* cols6 = find_matmul_kernel("mm_f32_n_t_4x6_u16_par_n__rv32");
  ASSERT_NE(rows4, nullptr);
  ASSERT_NE(cols6, nullptr);
  auto product = [](int32_t m, int32_t n, int32_t k) {
    MatMulArgs p;
    p.m = m, p.n = n, p.k = k, p.tb = Trans::t;
    return p;
  };
  EXPECT_TRUE(splits_k(product(16, 27, 1024), *rows4, 8));
  EXPECT_TRUE(splits_k(product(16, 27, 1024), *cols6, 8));   // 5 column tiles
  EXPECT_FALSE(splits_k(product(16, 27, 1024), *rows4, 4));  // a tile for each
  EXPECT_FALSE(splits_k(product(16, 27, 1024), *rows4, 1));
  EXPECT_FALSE(splits_k(product(28, 19, 1024), *rows4, 8));  // 7 tiles, but C is over kSplitKFloats
  EXPECT_FALSE(splits_k(product(16, 27, 511), *rows4, 8));   // slices of 63 steps
  EXPECT_TRUE(splits_k(product(16, 27, 512), *rows4, 8));
  EXPECT_FALSE(splits_k(product(16, 27, 1 << 20), *rows4, kSplitKMaxMembers + 1));
}

}  // namespace
}  // namespace utrain
