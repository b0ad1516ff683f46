// im2col / col2im (CHW) and im2row / row2im (HWC): the gathers against a tap-by-tap reference,
// the scatters as their exact adjoints (<scatter(a), b> == <a, gather(b)>), accumulate, the
// lowered matrix's size and the argument checks; over 1×1, 3×3 with padding, 10×4 with
// asymmetric padding, stride 2 with dilation 2, a stride larger than the kernel, a cropped
// output (the transposed convolution's equivalent), on teams of 1 and 3.
#include "kernels/conv/im2col.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/mm/matmul_b_panels.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::status_text;

struct LoweringCase {
  const char* name;
  int32_t channels, in_h, in_w;
  Window2d window;
  int32_t crop_h = 0, crop_w = 0;  // output rows and columns dropped from the window's natural size
};

const LoweringCase kCases[] = {
    {"k1x1_c3", 3, 4, 5, Window2d{}},
    {"k3x3_pad1_c2", 2, 5, 6, Window2d{3, 3, 1, 1, Padding2d::same(1), 1, 1}},
    {"k10x4_s2_pad_asym_c1", 1, 14, 7, Window2d{10, 4, 2, 2, {4, 5, 1, 2}, 1, 1}},
    {"k3x3_s2_pad_asym_dil2_c2", 2, 9, 8, Window2d{3, 3, 2, 2, {1, 0, 2, 1}, 2, 2}},
    {"k2x3_s3_gaps_c3", 3, 8, 10, Window2d{2, 3, 3, 3, {}, 1, 1}},
    {"k3x2_dil2_cropped_c2", 2, 7, 6, Window2d{3, 2, 1, 1, {0, 0, 1, 0}, 2, 2}, 1, 2},
    // 1×1 without padding: im2col gathers whole output rows and col2im places the values in one
    // pass (rows ending inside a gap or at a value, rows and columns the window skips, cropped
    // outputs, unequal strides).
    {"k1x1_s2_c3", 3, 8, 7, Window2d{1, 1, 2, 2, {}, 1, 1}},
    {"k1x1_s2_even_c2", 2, 6, 8, Window2d{1, 1, 2, 2, {}, 1, 1}},
    {"k1x1_s3x2_cropped_c2", 2, 10, 9, Window2d{1, 1, 3, 2, {}, 1, 1}, 1, 1},
    {"k1x1_s1x3_c2", 2, 4, 11, Window2d{1, 1, 1, 3, {}, 1, 1}},
    {"k1x1_s2_wide_c2", 2, 5, 21, Window2d{1, 1, 2, 2, {}, 1, 1}},  // rows of 8 + 3 values
};

struct LoweringParam {
  LoweringCase c;
  Layout layout;
  int team;
};

std::string param_name(const ::testing::TestParamInfo<LoweringParam>& info) {
  return std::string(info.param.c.name) + (info.param.layout == Layout::chw ? "_im2col" : "_im2row") + "_team" +
         std::to_string(info.param.team);
}

std::vector<LoweringParam> all_params() {
  std::vector<LoweringParam> params;
  for (const LoweringCase& c : kCases)
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (int team : {1, 3}) params.push_back({c, layout, team});
  return params;
}

// CHW lowers one sample, HWC a batch of 3.
ConvShape shape_of(const LoweringParam& p) {
  ConvShape s;
  s.layout = p.layout, s.batch = p.layout == Layout::chw ? 1 : 3;
  s.in_channels = p.c.channels, s.in_h = p.c.in_h, s.in_w = p.c.in_w, s.out_channels = 1;
  s.window = p.c.window;
  s.out_h = p.c.window.out_h(p.c.in_h) - p.c.crop_h;
  s.out_w = p.c.window.out_w(p.c.in_w) - p.c.crop_w;
  return s;
}

std::vector<float> random_values(size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(count);
  for (float& value : v) value = rng.uniform_symmetric(1.0f);
  return v;
}

// The lowered matrix tap by tap: entry (row, column) of the CHW column matrix or the HWC row
// matrix is the input value its tap reads, or 0 in the padding (conv_shape.h gives the orders).
std::vector<float> reference_gather(const ConvShape& s, const std::vector<float>& x) {
  const Window2d& w = s.window;
  std::vector<float> lowered(conv_lowered_floats(s), NAN);
  for (int32_t n = 0; n < s.batch; ++n)
    for (int32_t c = 0; c < s.in_channels; ++c)
      for (int32_t i = 0; i < w.kernel_h; ++i)
        for (int32_t j = 0; j < w.kernel_w; ++j)
          for (int32_t oh = 0; oh < s.out_h; ++oh)
            for (int32_t ow = 0; ow < s.out_w; ++ow) {
              const int32_t ih = oh * w.stride_h - w.pad.top + i * w.dilation_h;
              const int32_t iw = ow * w.stride_w - w.pad.left + j * w.dilation_w;
              const bool inside = ih >= 0 && ih < s.in_h && iw >= 0 && iw < s.in_w;
              const int64_t position = int64_t{oh} * s.out_w + ow;
              int64_t entry = 0, source = 0;
              if (s.layout == Layout::chw) {
                entry = ((int64_t{c} * w.kernel_h + i) * w.kernel_w + j) * s.positions() + position;
                source = (int64_t{c} * s.in_h + ih) * s.in_w + iw;
              } else {
                entry = (int64_t{n} * s.positions() + position) * s.k() + (int64_t{i} * w.kernel_w + j) * s.in_channels + c;
                source = ((int64_t{n} * s.in_h + ih) * s.in_w + iw) * s.in_channels + c;
              }
              lowered[static_cast<size_t>(entry)] = inside ? x[static_cast<size_t>(source)] : 0.0f;
            }
  return lowered;
}

Status gather(Team& team, const ConvShape& s, const float* x, float* lowered) {
  return s.layout == Layout::chw ? im2col(team, s, x, lowered) : im2row(team, s, x, lowered);
}
Status scatter(Team& team, const ConvShape& s, const float* lowered, float* dx, bool accumulate) {
  return s.layout == Layout::chw ? col2im(team, s, lowered, dx, accumulate) : row2im(team, s, lowered, dx, accumulate);
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

class Lowering : public ::testing::TestWithParam<LoweringParam> {};

TEST_P(Lowering, gather_matches_the_taps_and_writes_zero_for_padding) {
  const ConvShape s = shape_of(GetParam());
  Team& team = testing::team_of(GetParam().team);
  const std::vector<float> x = random_values(static_cast<size_t>(s.input().elements()), 1);
  std::vector<float> lowered(conv_lowered_floats(s), NAN);
  ASSERT_EQ(status_text(gather(team, s, x.data(), lowered.data())), "ok");
  EXPECT_EQ(lowered, reference_gather(s, x));
}

// <scatter(a), b> == <a, gather(b)>: the scatter is the gather's adjoint, which is what makes the
// input gradient exact. Both sides add the same products in another order: tolerance 1e-12
// relative in double.
TEST_P(Lowering, scatter_is_the_adjoint_of_the_gather) {
  const ConvShape s = shape_of(GetParam());
  Team& team = testing::team_of(GetParam().team);
  const std::vector<float> a = random_values(conv_lowered_floats(s), 2),
                           b = random_values(static_cast<size_t>(s.input().elements()), 3);
  std::vector<float> scattered(b.size(), NAN), gathered(a.size(), NAN);
  ASSERT_EQ(status_text(scatter(team, s, a.data(), scattered.data(), false)), "ok");
  ASSERT_EQ(status_text(gather(team, s, b.data(), gathered.data())), "ok");
  const double left = dot(scattered, b), right = dot(a, gathered);
  EXPECT_NEAR(left, right, 1e-12 * std::fabs(right) + 1e-5) << "<scatter(a), b> = " << left << ", <a, gather(b)> = " << right;
}

// accumulate adds the scatter onto dx; without it dx is overwritten, NaN included.
TEST_P(Lowering, scatter_accumulates_or_overwrites) {
  const ConvShape s = shape_of(GetParam());
  Team& team = testing::team_of(GetParam().team);
  const std::vector<float> a = random_values(conv_lowered_floats(s), 4),
                           old = random_values(static_cast<size_t>(s.input().elements()), 5);
  std::vector<float> fresh(old.size(), NAN), added = old;
  ASSERT_EQ(status_text(scatter(team, s, a.data(), fresh.data(), false)), "ok");
  ASSERT_EQ(status_text(scatter(team, s, a.data(), added.data(), true)), "ok");
  for (size_t i = 0; i < old.size(); ++i) EXPECT_NEAR(added[i], old[i] + fresh[i], 1e-6) << i;
}

INSTANTIATE_TEST_SUITE_P(Shapes, Lowering, ::testing::ValuesIn(all_params()), param_name);

// im2col into column panels (kernels/mm/matmul_b_panels.h) is im2col's matrix laid out in panels:
// 1×1 windows without padding, strides 1-3, positions in panels 6 wide only (6) or ending in
// 5-wide ones (10, 55, 64: a ResNet8 shortcut's 8×8), teams of 1 and 3.
TEST(LoweringPanels, gather_into_panels_is_the_column_matrix_in_panels) {
  struct Case {
    int32_t channels, in_h, in_w, stride_h, stride_w;
  };
  for (const Case& c : {Case{3, 2, 3, 1, 1}, Case{2, 4, 6, 2, 2}, Case{5, 5, 11, 1, 1}, Case{2, 4, 15, 2, 3},
                        Case{4, 16, 16, 2, 2}})
    for (int team : {1, 3}) {
      ConvShape s;
      s.layout = Layout::chw, s.batch = 1, s.in_channels = c.channels, s.in_h = c.in_h, s.in_w = c.in_w;
      s.out_channels = 1;
      s.window = Window2d{1, 1, c.stride_h, c.stride_w, {}, 1, 1};
      s.out_h = s.window.out_h(c.in_h), s.out_w = s.window.out_w(c.in_w);
      SCOPED_TRACE(::testing::Message() << c.channels << "x" << c.in_h << "x" << c.in_w << " positions "
                                        << s.positions() << " team " << team);
      ASSERT_TRUE(b_panels_cover(s.positions()));
      const std::vector<float> x = random_values(static_cast<size_t>(s.input().elements()), 5);
      std::vector<float> col(conv_lowered_floats(s)), panels(col.size(), NAN);
      ASSERT_TRUE(im2col(testing::team_of(team), s, x.data(), col.data()).ok());
      ASSERT_TRUE(im2col_panels(testing::team_of(team), s, x.data(), panels.data()).ok());
      for (int32_t k = 0; k < s.k(); ++k)
        for (int32_t p = 0; p < s.positions(); ++p)
          ASSERT_EQ(panels[static_cast<size_t>(b_panel_index(s.positions(), s.k(), k, p))],
                    col[static_cast<size_t>(int64_t{k} * s.positions() + p)])
              << "row " << k << " position " << p;
    }
}

TEST(LoweringPanels, refuses_windows_and_positions_it_cannot_lay_out) {
  ConvShape s;
  s.layout = Layout::chw, s.batch = 1, s.in_channels = 2, s.in_h = 4, s.in_w = 4, s.out_channels = 1;
  s.window = Window2d{3, 3, 1, 1, Padding2d::same(1), 1, 1};
  s.out_h = 4, s.out_w = 4;
  std::vector<float> x(32), col(2 * 9 * 16);
  EXPECT_EQ(status_text(im2col_panels(testing::team_of(1), s, x.data(), col.data())),
            "unsupported: im2col into panels: only a 1x1 window without padding gathers into panels");
  s.window = Window2d{};
  s.in_h = 1, s.in_w = 7, s.out_h = 1, s.out_w = 7;  // 7 positions: a 6-wide panel and one column
  EXPECT_EQ(status_text(im2col_panels(testing::team_of(1), s, x.data(), col.data())),
            "invalid argument: im2col into panels: the output positions do not cut into panels 6 and 5 wide (got 7, expected 6)");
}

TEST(LoweringSize, column_matrix_is_per_sample_and_row_matrix_per_batch) {
  ConvShape s;
  s.batch = 3, s.in_channels = 2, s.in_h = 9, s.in_w = 8, s.out_channels = 5, s.out_h = 4, s.out_w = 5;
  s.window = Window2d{3, 3, 2, 2, {1, 0, 2, 1}, 1, 1};
  s.layout = Layout::chw;
  EXPECT_EQ(conv_lowered_floats(s), 18u * 20u);
  s.layout = Layout::hwc;
  EXPECT_EQ(conv_lowered_floats(s), 3u * 18u * 20u);
}

TEST(LoweringErrors, names_layout_buffers_and_shape) {
  Team& team = testing::team_of(1);
  ConvShape s;
  s.in_channels = 2, s.in_h = 5, s.in_w = 5, s.out_channels = 1, s.out_h = 3, s.out_w = 3;
  s.window = Window2d{3, 3, 1, 1, {}, 1, 1};
  std::vector<float> x(50), col(conv_lowered_floats(s));
  EXPECT_EQ(status_text(im2col(team, s, x.data(), col.data())), "ok");
  EXPECT_EQ(status_text(im2row(team, s, x.data(), col.data())),
            "invalid argument: im2row: the shape's layout does not suit this lowering");
  EXPECT_EQ(status_text(col2im(team, s, nullptr, x.data(), false)), "invalid argument: col2im: a buffer is null");
  ConvShape too_tall = s;
  too_tall.out_h = 4;
  EXPECT_EQ(status_text(im2col(team, too_tall, x.data(), col.data())),
            "shape mismatch: im2col: output height exceeds the window's (got 4, expected 3)");
  ConvShape no_channels = s;
  no_channels.in_channels = 0;
  EXPECT_EQ(status_text(col2im(team, no_channels, col.data(), x.data(), false)),
            "invalid argument: col2im: batch and channels must be positive");
  ConvShape hwc = s;
  hwc.layout = Layout::hwc;
  EXPECT_EQ(status_text(col2im(team, hwc, col.data(), x.data(), false)),
            "invalid argument: col2im: the shape's layout does not suit this lowering");
}

}  // namespace
}  // namespace utrain
