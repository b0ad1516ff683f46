// Every depthwise kernel of the table against the plain reference: random shapes (channels 1,
// primes and up to 37; spatial 1..19; kernels 1..5, non-square; stride 1..3; asymmetric padding
// 0..2; dilation 1..2; batch 1..3) plus fixed edge shapes and two model-sized ones, on teams of
// 1, 2, 3 and 8, with and without bias, every fused activation, overwriting and accumulating, and
// the weight grad with either output left out. Every output sits between guard zones: a write
// outside it fails the test. Then the table itself, the default choice and the tap geometry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/dw/depthwise_reference.h"
#include "kernels/dw/depthwise_taps.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

constexpr float kPoison = -12345.0f;
constexpr size_t kGuard = 29;  // floats before and after every output

struct DwShape {
  int32_t batch, channels, in_h, in_w;
  Window2d window;
};

Window2d make_window(int32_t kh, int32_t kw, int32_t sh, int32_t sw, Padding2d pad, int32_t dh, int32_t dw) {
  Window2d w;
  w.kernel_h = kh, w.kernel_w = kw, w.stride_h = sh, w.stride_w = sw, w.pad = pad, w.dilation_h = dh,
  w.dilation_w = dw;
  return w;
}

bool fits(const DwShape& s) {
  return s.in_h + s.window.pad.top + s.window.pad.bottom >= s.window.dilation_h * (s.window.kernel_h - 1) + 1 &&
         s.in_w + s.window.pad.left + s.window.pad.right >= s.window.dilation_w * (s.window.kernel_w - 1) + 1;
}

// e.g. "n2 c3 in 5x4 k 5x5 s 1,1 pad t2 b2 l2 r2 d 1,1"
std::string describe(const DwShape& s) {
  const Window2d& w = s.window;
  std::ostringstream text;
  text << "n" << s.batch << " c" << s.channels << " in " << s.in_h << "x" << s.in_w << " k " << w.kernel_h << "x"
       << w.kernel_w << " s " << w.stride_h << "," << w.stride_w << " pad t" << w.pad.top << " b" << w.pad.bottom
       << " l" << w.pad.left << " r" << w.pad.right << " d " << w.dilation_h << "," << w.dilation_w;
  return text.str();
}

std::vector<DwShape> shapes_for_sweep() {
  std::vector<DwShape> shapes = {
      {1, 1, 1, 1, make_window(1, 1, 1, 1, {}, 1, 1)},
      {1, 1, 1, 1, make_window(3, 3, 1, 1, Padding2d::same(1), 1, 1)},
      {2, 3, 5, 4, make_window(5, 5, 1, 1, Padding2d::same(2), 1, 1)},  // every tap clipped somewhere
      {1, 37, 19, 19, make_window(3, 3, 1, 1, Padding2d::same(1), 1, 1)},
      {3, 5, 19, 17, make_window(3, 3, 2, 2, Padding2d{0, 1, 0, 1}, 1, 1)},
      {1, 7, 13, 11, make_window(5, 2, 3, 3, Padding2d{2, 0, 1, 2}, 2, 2)},
      {2, 4, 9, 9, make_window(1, 1, 3, 3, {}, 1, 1)},  // dx positions no tap reaches
      {1, 13, 8, 19, make_window(2, 5, 2, 1, Padding2d{1, 0, 2, 0}, 2, 1)},
      {1, 16, 25, 5, make_window(3, 3, 1, 1, Padding2d::same(1), 1, 1)},  // DS-CNN's depthwise, narrowed
      {2, 17, 4, 19, make_window(4, 1, 1, 2, Padding2d{0, 2, 2, 1}, 1, 2)},
  };
  Rng rng(4242);
  const auto in = [&](int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(rng.below(static_cast<uint32_t>(hi - lo + 1))); };
  constexpr int32_t kChannels[] = {1, 2, 3, 5, 7, 8, 11, 13, 16, 17, 23, 31, 37};
  while (shapes.size() < 30) {
    DwShape s{in(1, 3), kChannels[rng.below(sizeof kChannels / sizeof kChannels[0])], in(1, 19), in(1, 19),
              make_window(in(1, 5), in(1, 5), in(1, 3), in(1, 3), Padding2d{in(0, 2), in(0, 2), in(0, 2), in(0, 2)},
                          in(1, 2), in(1, 2))};
    if (fits(s)) shapes.push_back(s);
  }
  return shapes;
}

const DwShape kLargeShapes[] = {
    {1, 64, 25, 5, make_window(3, 3, 1, 1, Padding2d::same(1), 1, 1)},
    {2, 32, 32, 32, make_window(3, 3, 2, 2, Padding2d{0, 1, 0, 1}, 1, 1)},
    // The strips at their limits: padding 2 (its own 1-wide strips), 0 and 1, wide rows.
    {2, 3, 45, 29, make_window(3, 3, 1, 1, Padding2d{2, 0, 1, 2}, 1, 1)},
    {1, 5, 17, 41, make_window(3, 3, 1, 1, Padding2d{0, 2, 2, 0}, 1, 1)},
};

std::vector<float> random_values(size_t count, Rng& rng) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform_symmetric(1.0f);
  return v;
}

// An output buffer: `count` floats between two guard zones of poison.
struct Guarded {
  std::vector<float> buffer;
  size_t count;

  Guarded(size_t n, const std::vector<float>& initial) : buffer(n + 2 * kGuard, kPoison), count(n) {
    std::copy(initial.begin(), initial.end(), buffer.begin() + kGuard);
  }
  float* data() { return buffer.data() + kGuard; }
  ::testing::AssertionResult guards_intact() const {
    for (size_t g = 0; g < kGuard; ++g) {
      if (buffer[g] != kPoison) return ::testing::AssertionFailure() << "write " << kGuard - g << " before the output";
      if (buffer[kGuard + count + g] != kPoison)
        return ::testing::AssertionFailure() << "write " << g << " after the output";
    }
    return ::testing::AssertionSuccess();
  }
};

// The same call with |every input| and |every prefill|, no activation: the reference then gives
// Σ|terms| per output, the scale of its float rounding error.
DepthwiseArgs absolute(const DepthwiseArgs& a, std::vector<std::vector<float>>& store, size_t x_count,
                       size_t dy_count, size_t w_count) {
  const auto abs_copy = [&](const float* p, size_t n) -> float* {
    if (p == nullptr) return nullptr;
    store.emplace_back(p, p + n);
    for (float& v : store.back()) v = std::fabs(v);
    return store.back().data();
  };
  DepthwiseArgs b = a;
  b.x = abs_copy(a.x, x_count), b.dy = abs_copy(a.dy, dy_count), b.weight = abs_copy(a.weight, w_count);
  b.bias = abs_copy(a.bias, static_cast<size_t>(a.channels));
  b.act = Activation::none;
  return b;
}

struct Outputs {
  float* y = nullptr;
  float* dx = nullptr;
  float* weight_grad = nullptr;
  float* bias_grad = nullptr;
};

// Where each output of `step` lives in a, and how many floats it has.
std::vector<std::pair<float**, size_t>> outputs_of(LayerStep step, DepthwiseArgs& a, size_t in_count,
                                                   size_t out_count, size_t w_count) {
  switch (step) {
    case LayerStep::forward: return {{&a.y, out_count}};
    case LayerStep::weight_grad: return {{&a.weight_grad, w_count}, {&a.bias_grad, static_cast<size_t>(a.channels)}};
    case LayerStep::input_grad: return {{&a.dx, in_count}};
  }
  return {};
}

void check_kernel(const DepthwiseKernel& kernel, const DwShape& s, int members, int variant, Rng& rng) {
  std::ostringstream where_text;
  where_text << kernel.name << " " << describe(s) << " team=" << members << " variant=" << variant;
  const std::string where = where_text.str();
  DepthwiseArgs a;
  a.layout = kernel.layout;
  a.batch = s.batch, a.channels = s.channels, a.in_h = s.in_h, a.in_w = s.in_w, a.window = s.window;
  a.out_h = s.window.out_h(s.in_h), a.out_w = s.window.out_w(s.in_w);
  const size_t in_count = static_cast<size_t>(s.batch) * s.channels * s.in_h * s.in_w;
  const size_t out_count = static_cast<size_t>(s.batch) * s.channels * a.out_h * a.out_w;
  const size_t w_count = static_cast<size_t>(s.channels) * s.window.taps();
  const std::vector<float> x = random_values(in_count, rng), dy = random_values(out_count, rng),
                           weight = random_values(w_count, rng), bias = random_values(w_count, rng);
  a.x = x.data(), a.dy = dy.data(), a.weight = weight.data();
  a.bias = variant % 2 == 0 ? bias.data() : nullptr;
  constexpr Activation kActs[] = {Activation::none, Activation::relu, Activation::leaky_relu, Activation::sigmoid,
                                  Activation::tanh};
  a.act = kActs[variant % 5];
  a.act_slope = 0.1f;
  a.accumulate = variant % 3 == 1;
  const bool skip_weight_grad = variant % 7 == 3, skip_bias_grad = variant % 7 == 5;

  // Kernel outputs between guards; the reference's in plain vectors with the same prefill.
  std::vector<Guarded> got;
  std::vector<std::vector<float>> want;
  DepthwiseArgs ref = a;
  auto ref_outputs = outputs_of(kernel.step, ref, in_count, out_count, w_count);
  auto kernel_outputs = outputs_of(kernel.step, a, in_count, out_count, w_count);
  got.reserve(kernel_outputs.size());
  want.reserve(kernel_outputs.size());
  for (size_t i = 0; i < kernel_outputs.size(); ++i) {
    const std::vector<float> prefill = random_values(kernel_outputs[i].second, rng);
    got.emplace_back(kernel_outputs[i].second, prefill);
    want.push_back(prefill);
  }
  for (size_t i = 0; i < kernel_outputs.size(); ++i) {
    const bool skipped = kernel.step == LayerStep::weight_grad && ((i == 0 && skip_weight_grad) || (i == 1 && skip_bias_grad));
    *kernel_outputs[i].first = skipped ? nullptr : got[i].data();
    *ref_outputs[i].first = skipped ? nullptr : want[i].data();
  }
  // Scales first: the accumulating reference then overwrites `want`.
  std::vector<std::vector<float>> abs_store, scales;
  DepthwiseArgs abs_args = absolute(ref, abs_store, in_count, out_count, w_count);
  auto abs_outputs = outputs_of(kernel.step, abs_args, in_count, out_count, w_count);
  scales.reserve(want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    scales.push_back(want[i]);
    for (float& v : scales.back()) v = std::fabs(v);
    if (*abs_outputs[i].first != nullptr) *abs_outputs[i].first = scales.back().data();
  }
  depthwise_reference(kernel.step, abs_args);
  depthwise_reference(kernel.step, ref);

  struct Call {
    const DepthwiseKernel* kernel;
    const DepthwiseArgs* args;
  } call{&kernel, &a};
  testing::team_of(members).run(
      [](void* ctx, int member, int size) {
        const Call* c = static_cast<const Call*>(ctx);
        c->kernel->fn(*c->args, member, size);
      },
      &call);

  // Terms per output: taps (forward, input grad) or batch × output positions (weight grad).
  const double terms = kernel.step == LayerStep::weight_grad ? double(s.batch) * a.out_h * a.out_w : s.window.taps();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(got[i].guards_intact()) << where << " output " << i;
    for (size_t e = 0; e < got[i].count; ++e) {
      const float g = got[i].data()[e], w = want[i][e];
      // fp32 rounding of a sum of `terms` products (plus bias, prefill and activation).
      const double tol = 1e-6 + 2.0 * (terms + 4) * 1.2e-7 * (scales[i][e] + std::fabs(w) + 1.0);
      ASSERT_NEAR(g, w, tol) << "output " << i << " [" << e << "]: " << where;
    }
  }
}

class DepthwiseKernelTest : public ::testing::TestWithParam<size_t> {
 protected:
  const DepthwiseKernel& kernel() const { return depthwise_kernels().entries[GetParam()]; }
};

TEST_P(DepthwiseKernelTest, matches_reference_for_every_shape_and_split) {
  Rng rng(11 + GetParam());
  int variant = 0;
  for (const DwShape& s : shapes_for_sweep())
    for (int members : testing::kTeamSizes) {
      check_kernel(kernel(), s, members, variant++, rng);
      if (HasFatalFailure()) return;
    }
}

TEST_P(DepthwiseKernelTest, matches_reference_for_model_sized_layers) {
  Rng rng(77 + GetParam());
  int variant = 0;
  for (const DwShape& s : kLargeShapes)
    for (int members : {1, 8}) {
      check_kernel(kernel(), s, members, variant++, rng);
      if (HasFatalFailure()) return;
    }
}

// The strips' edges: every padding of 0..2 on each side (strips with 0, 1 or 2 columns of
// padding at either end, rows of zeros above and below), planes 1..12 wide (one strip, a 5-wide one
// and what is left) and 1..4 high, on teams of 1 and 3.
TEST(DepthwiseStrips, match_the_reference_for_every_padding_and_width) {
  Rng rng(5);
  int variant = 0;
  for (const DepthwiseKernel& kernel : depthwise_kernels()) {
    if (!kernel.strips) continue;
    for (int32_t pads = 0; pads < 81; ++pads)
      for (int32_t in_h : {1, 2, 4})
        for (int32_t in_w : {1, 2, 3, 4, 5, 6, 7, 11, 12}) {
          const Padding2d pad{pads % 3, pads / 3 % 3, pads / 9 % 3, pads / 27};
          const DwShape s{1 + variant % 2, 2, in_h, in_w, make_window(3, 3, 1, 1, pad, 1, 1)};
          if (!fits(s)) continue;
          check_kernel(kernel, s, variant % 2 == 0 ? 1 : 3, variant, rng);
          ++variant;
          if (HasFatalFailure()) return;
        }
  }
  EXPECT_GT(variant, 3 * 1500);  // the shapes above, for each of the three steps
}

std::vector<size_t> all_kernel_indices() {
  std::vector<size_t> idx(depthwise_kernels().count);
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  return idx;
}

INSTANTIATE_TEST_SUITE_P(AllKernels, DepthwiseKernelTest, ::testing::ValuesIn(all_kernel_indices()),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return std::string(depthwise_kernels().entries[param.param].name);
                         });

// Names follow the grammar and are unique; every layout and step has unroll 1 first (the
// default selector relies on it).
TEST(DepthwiseKernelTable, names_follow_the_grammar_and_unroll_1_comes_first) {
  std::set<std::string> names;
  for (const DepthwiseKernel& k : depthwise_kernels()) {
    const std::string expected = std::string("dw_f32_") + (k.layout == Layout::chw ? "chw_" : "hwc_") +
                                 layer_step_name(k.step) + (k.strips ? "_s" : "_u") + std::to_string(k.unroll);
    EXPECT_EQ(k.isa, Isa::generic) << k.name;
    EXPECT_EQ(k.name, expected);
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate " << k.name;
    EXPECT_EQ(find_depthwise_kernel(k.name), &k);
  }
  EXPECT_EQ(find_depthwise_kernel("dw_f32_chw_fw_u3"), nullptr);
  for (Layout layout : {Layout::chw, Layout::hwc})
    for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
      const DepthwiseKernel* first = nullptr;
      for (const DepthwiseKernel& k : depthwise_kernels())
        if (k.layout == layout && k.step == step && first == nullptr) first = &k;
      ASSERT_NE(first, nullptr);
      EXPECT_EQ(first->unroll, 1) << first->name;
    }
}

// The default runs its unroll along the extent that suits the layout and step, and never wider
// (the strip kernels aside: their width is their own).
TEST(DepthwiseDefaultKernel, picks_the_layout_and_step_and_an_unroll_within_the_extent) {
  for (const DwShape& s : shapes_for_sweep())
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
        DepthwiseArgs a;
        a.layout = layout, a.batch = s.batch, a.channels = s.channels, a.in_h = s.in_h, a.in_w = s.in_w;
        a.window = s.window, a.out_h = s.window.out_h(s.in_h), a.out_w = s.window.out_w(s.in_w);
        const DepthwiseKernel& k = default_depthwise_kernel(layout, step, a, IsaSet::generic_only());
        EXPECT_EQ(k.layout, layout);
        EXPECT_EQ(k.step, step);
        const int32_t extent = layout == Layout::hwc              ? s.channels
                               : step == LayerStep::forward     ? a.out_h
                               : step == LayerStep::input_grad  ? (s.in_h + s.window.stride_h - 1) / s.window.stride_h
                                                                : a.out_w / 2;
        EXPECT_TRUE(k.strips || k.unroll == 1 || k.unroll <= extent) << k.name << " for extent " << extent;
      }
  DepthwiseArgs ds_cnn;  // DS-CNN's depthwise: 64 channels of 25×5
  ds_cnn.channels = 64, ds_cnn.in_h = ds_cnn.out_h = 25, ds_cnn.in_w = ds_cnn.out_w = 5;
  EXPECT_STREQ(default_depthwise_kernel(Layout::hwc, LayerStep::forward, ds_cnn, IsaSet::generic_only()).name,
               "dw_f32_hwc_fw_u16");
  EXPECT_STREQ(default_depthwise_kernel(Layout::chw, LayerStep::forward, ds_cnn, IsaSet::generic_only()).name,
               "dw_f32_chw_fw_u8");
  EXPECT_STREQ(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, ds_cnn, IsaSet::generic_only()).name,
               "dw_f32_chw_wg_u2");
}

// Every CHW step of a 3×3 stride-1 layer with padding up to 2 takes the strip kernels, however wide
// its rows, except on the host the weight grad of rows wider than 32; HWC, other windows and an
// input grad that adds to dx keep the unrolled ones.
TEST(DepthwiseDefaultKernel, takes_the_strip_kernels_where_they_cover_the_shape_and_pay) {
  const IsaSet host = IsaSet::generic_only(), rv32 = IsaSet::generic_only().with(Isa::rv32_f);
  DepthwiseArgs a;
  a.channels = 64, a.in_h = a.out_h = 25, a.in_w = a.out_w = 5;
  a.window = make_window(3, 3, 1, 1, Padding2d::same(1), 1, 1);
  for (IsaSet isas : {host, rv32}) {
    EXPECT_STREQ(default_depthwise_kernel(Layout::chw, LayerStep::forward, a, isas).name, "dw_f32_chw_fw_s5");
    EXPECT_STREQ(default_depthwise_kernel(Layout::chw, LayerStep::input_grad, a, isas).name, "dw_f32_chw_ig_s5");
    EXPECT_STREQ(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, a, isas).name, "dw_f32_chw_wg_s5");
    EXPECT_FALSE(default_depthwise_kernel(Layout::hwc, LayerStep::forward, a, isas).strips);
  }
  DepthwiseArgs wide = a;
  wide.in_w = wide.out_w = 33;
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::forward, wide, host).strips);
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::input_grad, wide, host).strips);
  EXPECT_FALSE(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, wide, host).strips);
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, wide, rv32).strips);
  wide.in_w = wide.out_w = 32;
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, wide, host).strips);
  DepthwiseArgs valid = a;  // no padding: the input grad's correlation has 2 on each side
  valid.window = make_window(3, 3, 1, 1, Padding2d{}, 1, 1);
  valid.out_h = 23, valid.out_w = 3;
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::input_grad, valid, rv32).strips);
  DepthwiseArgs strided = a;
  strided.window = make_window(3, 3, 2, 2, Padding2d::same(1), 1, 1);
  strided.out_h = 13, strided.out_w = 3;
  EXPECT_FALSE(default_depthwise_kernel(Layout::chw, LayerStep::forward, strided, rv32).strips);
  DepthwiseArgs padded = a;
  padded.window = make_window(3, 3, 1, 1, Padding2d{3, 0, 0, 0}, 1, 1);
  padded.out_h = 26, padded.out_w = 3;
  EXPECT_FALSE(default_depthwise_kernel(Layout::chw, LayerStep::forward, padded, rv32).strips);
  DepthwiseArgs adding = a;
  adding.accumulate = true;
  EXPECT_FALSE(default_depthwise_kernel(Layout::chw, LayerStep::input_grad, adding, rv32).strips);
  EXPECT_TRUE(default_depthwise_kernel(Layout::chw, LayerStep::weight_grad, adding, rv32).strips);
}

// TapLines against brute force: for every small geometry and destination position, the taps and
// source positions at() lists are exactly those that reach it, interior() holds exactly the lanes
// whose taps are all unclipped, and lanes_of_tap() exactly the lanes where a tap reads inside.
TEST(DepthwiseTaps, lines_and_interiors_match_brute_force) {
  for (bool backward : {false, true})
    for (int32_t kernel = 1; kernel <= 5; ++kernel)
      for (int32_t stride = 1; stride <= 3; ++stride)
        for (int32_t dilation = 1; dilation <= 3; ++dilation)
          for (int32_t pad = 0; pad <= 3; ++pad)
            for (int32_t in = 1; in <= 12; ++in) {
              const int32_t span = dilation * (kernel - 1) + 1;
              if (in + 2 * pad < span) continue;
              const int32_t out = (in + 2 * pad - span) / stride + 1;
              const dw::AxisMap map = backward ? dw::AxisMap::input_grad(kernel, stride, pad, dilation, in, out)
                                               : dw::AxisMap::forward(kernel, stride, pad, dilation, in, out);
              std::ostringstream at_text;
              at_text << (backward ? "input grad" : "forward") << " k" << kernel << " s" << stride << " d"
                      << dilation << " p" << pad << " in" << in;
              const std::string at = at_text.str();
              for (int32_t pos = 0; pos < map.dst_size; ++pos) {
                std::vector<std::pair<int32_t, int32_t>> expected, listed;  // (tap, source)
                for (int32_t k = 0; k < kernel; ++k) {
                  if (!backward) {
                    const int32_t src = pos * stride - pad + k * dilation;
                    if (src >= 0 && src < in) expected.emplace_back(k, src);
                  } else {
                    const int32_t reach = pos + pad - k * dilation;
                    if (reach >= 0 && reach % stride == 0 && reach / stride < out) expected.emplace_back(k, reach / stride);
                  }
                }
                const dw::TapLine l = map.at(pos);
                for (int32_t m = 0; m < l.count; ++m)
                  listed.emplace_back(l.tap + m * l.tap_step, l.src + m * l.src_step);
                std::sort(listed.begin(), listed.end());
                ASSERT_EQ(listed, expected) << at << " pos " << pos;
                const int32_t phase = pos % map.phases(), lane = pos / map.phases();
                const Range inner = map.interior(phase);
                const dw::TapLine full = map.full(phase);
                ASSERT_LE(inner.end, map.lanes(phase)) << at;
                if (lane >= inner.begin && lane < inner.end) {
                  ASSERT_EQ(l.count, full.count) << at << " pos " << pos;
                  if (l.count > 0) {
                    ASSERT_EQ(l.src, full.src + lane * map.lane_step()) << at << " pos " << pos;
                  }
                } else {
                  ASSERT_LT(l.count, full.count) << at << " pos " << pos << " is a border lane with every tap";
                }
              }
              for (int32_t phase = 0; phase < map.phases(); ++phase) {
                const dw::TapLine full = map.full(phase);
                for (int32_t n = 0; n < full.count; ++n) {
                  const Range r = map.lanes_of_tap(phase, n);
                  for (int32_t lane = 0; lane < map.lanes(phase); ++lane) {
                    const int32_t src = full.src + n * full.src_step + lane * map.lane_step();
                    ASSERT_EQ(lane >= r.begin && lane < r.end, src >= 0 && src < map.src_size)
                        << at << " phase " << phase << " tap " << n << " lane " << lane;
                  }
                }
              }
            }
}

}  // namespace
}  // namespace utrain
