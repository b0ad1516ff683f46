// The rv32 kernels' instruction model (kernels/rv32/matmul_rv32_cost.h) and the default choice it
// drives. The model's agreement with exact counts is measured in QEMU by the device benchmark;
// here: its arithmetic is consistent, the selector offers rv32 kernels only where they exist,
// and which operand's panel the t_n kernels pack.
#include <gtest/gtest.h>

#include "kernels/mm/matmul.h"
#include "kernels/rv32/matmul_rv32.h"
#include "kernels/rv32/matmul_rv32_cost.h"

namespace utrain {
namespace {

MatMulArgs product(Trans ta, Trans tb, int32_t m, int32_t n, int32_t k) {
  MatMulArgs p;
  p.m = m, p.n = n, p.k = k, p.ta = ta, p.tb = tb;
  p.lda = ta == Trans::n ? k : m;
  p.ldb = tb == Trans::n ? n : k;
  p.ldc = n;
  return p;
}

const IsaSet kRv32 = IsaSet().with(Isa::rv32_f);

TEST(MatMulRv32Choice, picks_rv32_kernels_for_the_layer_forms_and_generic_for_t_t) {
  const Trans forms[3][2] = {{Trans::n, Trans::n}, {Trans::n, Trans::t}, {Trans::t, Trans::n}};
  for (const auto& form : forms)
    for (int members : {1, 8}) {
      const MatMulArgs p = product(form[0], form[1], 64, 125, 64);
      const MatMulKernel& k = default_matmul_kernel(p, members, kRv32);
      EXPECT_EQ(k.isa, Isa::rv32_f) << k.name;
      EXPECT_EQ(k.ta, p.ta);
      EXPECT_EQ(k.tb, p.tb);
      EXPECT_EQ(default_matmul_kernel(p, members, IsaSet::generic_only()).isa, Isa::generic);
    }
  EXPECT_EQ(default_matmul_kernel(product(Trans::t, Trans::t, 64, 64, 64), 1, kRv32).isa, Isa::generic);
}

TEST(MatMulRv32Choice, takes_the_fewest_instructions_and_balances_8_harts) {
  // DS-CNN's pointwise product: 64 × 125 splits evenly in 4-row tiles (16 = 8 × 2) or 4-column
  // ones (32 = 8 × 4), not in 5- or 6-wide ones; the choice must find one of the even splits.
  const MatMulArgs p = product(Trans::n, Trans::n, 64, 125, 64);
  const MatMulKernel& chosen = default_matmul_kernel(p, 8, kRv32);
  const int64_t busiest = rv32::team_instructions(chosen, p, 8);
  for (const MatMulKernel& k : matmul_kernels()) {
    if (k.isa == Isa::rv32_f && k.ta == p.ta && k.tb == p.tb) {
      EXPECT_LE(busiest, rv32::team_instructions(k, p, 8)) << k.name;
    }
  }
  EXPECT_LT(static_cast<double>(busiest) * 8, 1.05 * static_cast<double>(rv32::team_instructions(chosen, p, 1)))
      << chosen.name;
}

TEST(MatMulRv32Cost, shares_add_up_and_the_busiest_bounds_the_team) {
  for (const MatMulKernel& k : matmul_kernels()) {
    if (k.isa != Isa::rv32_f) continue;
    for (int32_t size : {1, 7, 64, 125}) {
      const MatMulArgs p = product(k.ta, k.tb, size, size + 3, size);
      const int64_t alone = rv32::team_instructions(k, p, 1);
      EXPECT_EQ(alone, rv32::share_instructions(k, p, Range{0, p.m}, Range{0, p.n})) << k.name;
      int64_t total = 0, busiest = 0;
      for (int member = 0; member < 8; ++member) {
        const rv32::Share s = rv32::member_share(p, k.ta, k.tb, k.mr, k.nr, k.ku, k.axis, member, 8);
        const int64_t share = rv32::share_instructions(k, p, s.rows, s.cols);
        total += share;
        busiest = share > busiest ? share : busiest;
      }
      EXPECT_EQ(busiest, rv32::team_instructions(k, p, 8)) << k.name;
      EXPECT_GE(busiest * 8, total) << k.name;
      EXPECT_LE(busiest, alone) << k.name;
    }
  }
}

TEST(MatMulRv32Panels, packs_the_operand_whose_panel_serves_more_tiles_when_k_fits) {
  // The shapes the property tests give the t_n kernels to reach each path (see there).
  const auto choice = [](int32_t m, int32_t n, int32_t k, int32_t mr, int32_t nr) {
    return rv32::choose_panel(k, mr, nr, Range{0, m}, Range{0, n});
  };
  EXPECT_EQ(choice(101, 71, 37, 6, 4), rv32::Packed::a);  // 17 tiles per band of A, 16 per column panel
  EXPECT_EQ(choice(101, 71, 37, 4, 6), rv32::Packed::b);  // 11 against 25
  EXPECT_EQ(choice(7, 67, 19, 6, 4), rv32::Packed::a);
  EXPECT_EQ(choice(67, 7, 19, 4, 6), rv32::Packed::b);
  EXPECT_EQ(choice(70, 70, 300, 4, 6), rv32::Packed::none);  // 300 x 6 values do not fit
  EXPECT_EQ(choice(32, 64, 64, 4, 6), rv32::Packed::none);   // 10 and 8 tiles do not repay a copy
}

TEST(MatMulRv32Cost, a_large_product_costs_what_its_inner_loop_does) {
  // 6×4 tiles, U = 16: per step 10 loads + 24 multiply-adds + 1 pointer step, per block 6 pointer
  // steps and a branch: 24 MACs per 35.5 instructions, plus the tiles' stores.
  const MatMulArgs p = product(Trans::n, Trans::n, 96, 96, 512);
  const MatMulKernel* k = find_matmul_kernel("mm_f32_n_n_6x4_u16_par_m__rv32");
  ASSERT_NE(k, nullptr);
  const double macs_per_instruction = 96.0 * 96 * 512 / static_cast<double>(rv32::team_instructions(*k, p, 1));
  EXPECT_GT(macs_per_instruction, 24.0 / 36.0);
  EXPECT_LT(macs_per_instruction, 24.0 / 35.0);
}

TEST(MatMulRv32Cost, a_hand_written_band_costs_what_its_steps_do) {
  // The 4x6 n_n entry's bands run in band_4x6_rv32.S: per k 4 + 6 loads, 24 multiply-adds and
  // B's pointer step, K = 33 one block; 600 columns are 100 tiles of 6 (nothing in C++). Modelled
  // for an RV32 build, which has the code (a Cortex-M4F build runs the C++ tiles).
  const MatMulArgs p = product(Trans::n, Trans::n, 8, 600, 33);
  const MatMulKernel* k = find_matmul_kernel("mm_f32_n_n_4x6_u16_par_m__rv32");
  ASSERT_NE(k, nullptr);
  const int64_t tile = 35 * 33 + 1 /* block */ + 24 /* stores */ + 9;
  EXPECT_EQ(rv32::team_instructions(*k, p, 1, true), 120 + 2 * 25 + 2 * 100 * tile);
  // 601 columns: 99 tiles of 6 and 1 of 5 would leave 2 columns; the band ends in 5 tiles of 5.
  const MatMulArgs q = product(Trans::n, Trans::n, 8, 601, 33);
  const int64_t narrow_tile = 30 * 33 + 1 + 20 + 9;
  EXPECT_EQ(rv32::team_instructions(*k, q, 1, true), 120 + 2 * 25 + 2 * (96 * tile + 5 * narrow_tile));
  // With B in column panels a step has no pointer step along B: 34 a k.
  MatMulArgs panels = p;
  panels.b_panels = true;
  EXPECT_EQ(rv32::team_instructions(*k, panels, 1, true), 120 + 2 * 25 + 2 * 100 * (tile - 33));
  // GCC's tiles of the same entry, on a build without the code, cost more.
  EXPECT_GT(rv32::team_instructions(*k, p, 1, false), rv32::team_instructions(*k, p, 1, true));
}

TEST(MatMulRv32Cost, hand_written_bands_share_columns_in_any_width) {
  // 256 columns over 8 harts: 32 each where the bands are hand-written (they end in 5-wide
  // tiles), whole 6-wide tiles (36 or 30) elsewhere, and where C has no full band (M < 4). (12
  // rows are 3 bands, which no group count of 8 harts divides: row_groups keeps them together.)
  const MatMulKernel* k = find_matmul_kernel("mm_f32_t_n_4x6_u16_par_n__rv32");
  ASSERT_NE(k, nullptr);
  const MatMulArgs p = product(Trans::t, Trans::n, 12, 256, 32), flat = product(Trans::t, Trans::n, 3, 256, 32);
  for (int member = 0; member < 8; ++member) {
    const auto share = [&](const MatMulArgs& q, bool by_hand) {
      return rv32::member_share(q, k->ta, k->tb, k->mr, k->nr, k->ku, k->axis, member, 8, by_hand).cols;
    };
    EXPECT_EQ(share(p, true).size(), 32);
    EXPECT_TRUE(share(p, false).size() % 6 == 0 || share(p, false).end == 256);
    EXPECT_TRUE(share(flat, true).size() % 6 == 0 || share(flat, true).end == 256);
  }
}

TEST(MatMulRv32Cost, a_t_n_split_along_n_groups_rows_where_that_repays_a_panel) {
  // ResNet8's 16 x 256 x 32 input gradient on 8 harts: 32 columns a member are 6 tiles a band,
  // too few to pack A's panel; 4 groups of one band and 2 of columns give each member 4 rows and
  // 128 columns (22 tiles), a panel, and fewer instructions than the strip of 32.
  const MatMulKernel* k = find_matmul_kernel("mm_f32_t_n_4x6_u16_par_n__rv32");
  ASSERT_NE(k, nullptr);
  const MatMulArgs p = product(Trans::t, Trans::n, 16, 256, 32);
  int32_t covered[16][256] = {};
  for (int member = 0; member < 8; ++member) {
    const rv32::Share s = rv32::member_share(p, k->ta, k->tb, k->mr, k->nr, k->ku, k->axis, member, 8, true);
    EXPECT_EQ(s.rows.size(), 4);
    EXPECT_EQ(s.cols.size(), 128);
    EXPECT_EQ(rv32::choose_panel(p.k, k->mr, k->nr, s.rows, s.cols), rv32::Packed::a);
    for (int32_t i = s.rows.begin; i < s.rows.end; ++i)
      for (int32_t j = s.cols.begin; j < s.cols.end; ++j) ++covered[i][j];
  }
  for (const auto& row : covered)
    for (int32_t times : row) EXPECT_EQ(times, 1);
  const int64_t strip = rv32::share_instructions(*k, p, Range{0, 16}, Range{0, 32}, true);
  EXPECT_LT(rv32::team_instructions(*k, p, 8, true), strip);
  // Rows that no group count splits evenly into bands (18 = 4 bands and 2 rows) stay together.
  const MatMulArgs q = product(Trans::t, Trans::n, 18, 256, 32);
  EXPECT_EQ(rv32::member_share(q, k->ta, k->tb, k->mr, k->nr, k->ku, k->axis, 3, 8, true).rows.size(), 18);
}

}  // namespace
}  // namespace utrain
