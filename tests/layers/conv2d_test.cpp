// Conv2D's three steps for every algorithm (pointwise, lowered, direct, flipped for the input
// gradient, and the automatic choice) in both layouts: finite differences of the layer's own
// forward pass, a plain reference in double, the fused activations, the accumulate flags, the
// input gradient's unread positions, and the argument checks with their messages. Shapes cover
// 1×1 (pointwise or not, padded with stride 1 or 2), 3×3 with padding, the non-square 10×4 of
// DS-CNN with asymmetric padding, stride 2 with asymmetric padding and dilation 2, a stride
// larger than the kernel, stride 1 with asymmetric padding, dilation 2 and a 5×3 window (the
// flipped input gradient's shapes), single channels and primes; batch 1 and 3; teams of 1 and 3.
#include "layers/conv2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "conv_test_support.h"
#include "kernels/mm/matmul_kernel.h"
#include "support/status_text.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

using testing::reference_conv;
using testing::Scratch;
using testing::status_text;
using testing::values_near;

struct Geometry {
  const char* name;
  int32_t in_channels, out_channels, in_h, in_w;
  Window2d window;
};

// Window2d{kernel_h, kernel_w, stride_h, stride_w, {top, bottom, left, right}, dilation_h, dilation_w}
const Geometry kGeometries[] = {
    {"k1x1", 3, 5, 4, 3, Window2d{}},
    {"k1x1_c1", 1, 1, 3, 2, Window2d{}},
    {"k1x1_s2_pad1", 3, 2, 4, 5, Window2d{1, 1, 2, 2, Padding2d::same(1), 1, 1}},
    {"k3x3_pad1", 2, 3, 5, 6, Window2d{3, 3, 1, 1, Padding2d::same(1), 1, 1}},
    {"k3x3_c5_out7", 5, 7, 5, 5, Window2d{3, 3, 1, 1, {}, 1, 1}},
    {"k10x4_s2_pad_asym", 1, 3, 14, 7, Window2d{10, 4, 2, 2, {4, 5, 1, 2}, 1, 1}},
    {"k3x3_s2_pad_asym_dil2", 2, 3, 9, 8, Window2d{3, 3, 2, 2, {1, 0, 2, 1}, 2, 2}},
    {"k2x3_s3_gaps", 3, 2, 8, 10, Window2d{2, 3, 3, 3, {}, 1, 1}},
    {"k1x1_pad1", 3, 2, 3, 4, Window2d{1, 1, 1, 1, Padding2d::same(1), 1, 1}},
    {"k3x3_pad_asym", 3, 2, 6, 5, Window2d{3, 3, 1, 1, {2, 0, 1, 2}, 1, 1}},
    {"k3x3_pad_asym_dil2_c1", 1, 5, 7, 9, Window2d{3, 3, 1, 1, {3, 1, 0, 4}, 2, 2}},
    {"k5x3_pad_asym", 5, 3, 8, 6, Window2d{5, 3, 1, 1, {1, 3, 2, 0}, 1, 1}},
};

// Where the flipped input gradient runs (kernels/conv/conv_flip.h): stride 1 and no padding
// beyond the window's span, dilation·(kernel - 1), on any side.
bool flips(const Geometry& g) {
  const Window2d& w = g.window;
  const int32_t span_h = w.dilation_h * (w.kernel_h - 1), span_w = w.dilation_w * (w.kernel_w - 1);
  return w.stride_h == 1 && w.stride_w == 1 && w.pad.top <= span_h && w.pad.bottom <= span_h &&
         w.pad.left <= span_w && w.pad.right <= span_w;
}

struct ConvCase {
  Geometry g;
  Layout layout;
  ConvAlgorithm algorithm;
  int32_t batch;
  int team;
};

// e.g. k10x4_s2_pad_asym_hwc_lowered_b3_team3
std::string case_name(const ::testing::TestParamInfo<ConvCase>& info) {
  const ConvCase& c = info.param;
  return std::string(c.g.name) + (c.layout == Layout::chw ? "_chw_" : "_hwc_") + conv_algorithm_name(c.algorithm) +
         "_b" + std::to_string(c.batch) + "_team" + std::to_string(c.team);
}

// Every algorithm that can run the geometry, in both layouts, for each (batch, team) pair (a
// pointwise or flipped request elsewhere is the automatic choice again: Conv2dSizes tests that).
std::vector<ConvCase> cases_with(std::initializer_list<std::pair<int32_t, int>> batch_team,
                                 std::initializer_list<ConvAlgorithm> algorithms) {
  std::vector<ConvCase> cases;
  for (const Geometry& g : kGeometries)
    for (Layout layout : {Layout::chw, Layout::hwc})
      for (ConvAlgorithm a : algorithms) {
        if (a == ConvAlgorithm::pointwise && !g.window.is_pointwise()) continue;
        if (a == ConvAlgorithm::flipped && !flips(g)) continue;
        for (auto [batch, team] : batch_team) cases.push_back({g, layout, a, batch, team});
      }
  return cases;
}

constexpr std::initializer_list<ConvAlgorithm> kExplicitAlgorithms = {
    ConvAlgorithm::pointwise, ConvAlgorithm::lowered, ConvAlgorithm::direct, ConvAlgorithm::flipped};

// One layer with a case's parameters; every call gets a workspace of exactly the size the layer's
// workspace function asks for with the case's algorithm.
struct Conv2dRunner {
  Conv2dParams p;
  Shape in, out;
  ExecContext ctx;
  ConvChoice choice;

  explicit Conv2dRunner(const ConvCase& c, Activation act = Activation::none)
      : ctx{&testing::team_of(c.team), IsaSet::generic_only()}, choice{c.algorithm, nullptr} {
    p.in_channels = c.g.in_channels, p.out_channels = c.g.out_channels, p.window = c.g.window;
    p.layout = c.layout, p.act = act, p.act_slope = 0.1f;
    in = Shape{c.batch, c.g.in_channels, c.g.in_h, c.g.in_w};
    EXPECT_TRUE(conv2d_output_shape(p, in, &out).ok());
  }
  ConvShape shape() const {
    return ConvShape{p.layout, in.n, in.c, in.h, in.w, out.c, out.h, out.w, p.window};
  }
  TensorView input(const float* data) const { return TensorView::dense(data, in, p.layout); }
  TensorView output(const float* data) const { return TensorView::dense(data, out, p.layout); }
  Scratch scratch(LayerStep step) const { return Scratch(conv2d_workspace_bytes(step, p, in, choice.algorithm)); }

  Status forward(const float* x, const float* w, const float* b, float* y) const {
    return conv2d_forward(ctx, p, input(x), w, b, output(y), scratch(LayerStep::forward).workspace(), choice);
  }
  Status weight_grad(const float* x, const float* dz, float* dw, float* db, bool accumulate) const {
    return conv2d_weight_grad(ctx, p, input(x), output(dz), dw, db, accumulate,
                              scratch(LayerStep::weight_grad).workspace(), choice);
  }
  Status input_grad(const float* dz, const float* w, float* dx, bool accumulate) const {
    return conv2d_input_grad(ctx, p, output(dz), w, input(dx), accumulate, scratch(LayerStep::input_grad).workspace(),
                             choice);
  }
};

uint64_t seed_of(const ConvCase& c) {
  return 100 + static_cast<uint64_t>(c.g.in_h * 31 + c.g.in_w * 7 + c.g.out_channels + c.batch * 1000);
}

class Conv2dFiniteDifferences : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dFiniteDifferences, weight_bias_and_input_grads_agree) {
  const Conv2dRunner r(GetParam());
  testing::LayerSteps steps;
  steps.x_count = static_cast<size_t>(r.in.elements()), steps.y_count = static_cast<size_t>(r.out.elements());
  steps.weight_count = static_cast<size_t>(conv2d_weight_count(r.p));
  steps.bias_count = static_cast<size_t>(conv2d_bias_count(r.p));
  steps.forward = [&](const float* x, const float* w, const float* b, float* y) { return r.forward(x, w, b, y); };
  steps.weight_grad = [&](const float* x, const float* dy, float* dw, float* db) {
    return r.weight_grad(x, dy, dw, db, false);
  };
  steps.input_grad = [&](const float* dy, const float* w, float* dx) { return r.input_grad(dy, w, dx, false); };
  testing::expect_gradients_match_finite_differences(steps, seed_of(GetParam()));
}

// Finite differences cost two forward passes per value, thousands of calls per case, so they run
// on one member (a team's fork/join would dominate); Conv2dReference checks teams of 3 against
// the definition these gradients are checked against.
INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dFiniteDifferences,
                         ::testing::ValuesIn(cases_with({{1, 1}, {3, 1}}, kExplicitAlgorithms)), case_name);

class Conv2dReference : public ::testing::TestWithParam<ConvCase> {};

// Every algorithm against the definition, so all of them agree with each other too. Sums of at
// most 75 products of values below 1 in size, in float against double: tolerance 1e-5. Flipped
// runs the input gradient only; the other steps take the automatic choice.
TEST_P(Conv2dReference, all_steps_match_the_definition) {
  const ConvCase c = GetParam();
  const Conv2dRunner r(c);
  if (c.algorithm != ConvAlgorithm::automatic) {
    for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
      const bool runs = c.algorithm != ConvAlgorithm::flipped || step == LayerStep::input_grad;
      EXPECT_EQ(conv2d_algorithm(step, r.p, r.in, c.algorithm), runs ? c.algorithm : conv2d_algorithm(step, r.p, r.in))
          << layer_step_name(step);
    }
  }
  const uint64_t seed = seed_of(c) + 50;
  const std::vector<float> x = testing::random_values(static_cast<size_t>(r.in.elements()), seed),
                           w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), seed + 1),
                           b = testing::random_values(static_cast<size_t>(r.p.out_channels), seed + 2),
                           dz = testing::random_values(static_cast<size_t>(r.out.elements()), seed + 3);
  const testing::ConvReference want = reference_conv(r.shape(), x, w, b, dz);
  std::vector<float> y(dz.size(), NAN), dw(w.size(), NAN), db(b.size(), NAN), dx(x.size(), NAN);
  ASSERT_EQ(status_text(r.forward(x.data(), w.data(), b.data(), y.data())), "ok");
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), dw.data(), db.data(), false)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), dx.data(), false)), "ok");
  EXPECT_TRUE(values_near("y", y, want.y, 1e-5));
  EXPECT_TRUE(values_near("weight grad", dw, want.weight_grad, 1e-5));
  EXPECT_TRUE(values_near("bias grad", db, want.bias_grad, 1e-5));
  EXPECT_TRUE(values_near("input grad", dx, want.input_grad, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2dReference,
    ::testing::ValuesIn(cases_with({{1, 1}, {1, 3}, {3, 1}, {3, 3}},
                                   {ConvAlgorithm::automatic, ConvAlgorithm::pointwise, ConvAlgorithm::lowered,
                                    ConvAlgorithm::direct, ConvAlgorithm::flipped})),
    case_name);

const Geometry& kStridedDilated = kGeometries[6];
const Geometry& kPointwise = kGeometries[0];
const Geometry& kDilatedPadAsym = kGeometries[10];

// One geometry per algorithm and layout, batch 3, teams 1 and 3, for the tests below that are
// about flags, not shapes; pointwise runs on `pointwise` and flipped on `flipped` unless null.
std::vector<ConvCase> one_geometry_each(const Geometry& strided, const Geometry* pointwise, const Geometry* flipped) {
  std::vector<ConvCase> cases;
  for (Layout layout : {Layout::chw, Layout::hwc})
    for (ConvAlgorithm a : kExplicitAlgorithms)
      for (int team : {1, 3}) {
        const Geometry* g = a == ConvAlgorithm::pointwise ? pointwise : a == ConvAlgorithm::flipped ? flipped : &strided;
        if (g != nullptr) cases.push_back({*g, layout, a, 3, team});
      }
  return cases;
}
const std::vector<ConvCase> kFlagCases = one_geometry_each(kStridedDilated, &kPointwise, &kDilatedPadAsym);

class Conv2dActivation : public ::testing::TestWithParam<ConvCase> {};

// The forward step's fused activation is act(reference + bias), applied in the epilogue.
TEST_P(Conv2dActivation, fused_activation_applies_to_the_biased_sum) {
  const ConvCase c = GetParam();
  for (Activation act : {Activation::relu, Activation::leaky_relu, Activation::sigmoid, Activation::tanh}) {
    const Conv2dRunner r(c, act);
    const std::vector<float> x = testing::random_values(static_cast<size_t>(r.in.elements()), 7),
                             w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), 8),
                             b = testing::random_values(static_cast<size_t>(r.p.out_channels), 9);
    testing::ConvReference want = reference_conv(r.shape(), x, w, b, std::vector<float>(r.out.elements()));
    for (double& v : want.y) v = activate(act, static_cast<float>(v), r.p.act_slope);
    std::vector<float> y(want.y.size(), NAN);
    ASSERT_EQ(status_text(r.forward(x.data(), w.data(), b.data(), y.data())), "ok");
    EXPECT_TRUE(values_near(activation_name(act), y, want.y, 1e-5));
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Conv2dActivation, ::testing::ValuesIn(kFlagCases), case_name);

class Conv2dAccumulate : public ::testing::TestWithParam<ConvCase> {};

// accumulate = true adds to what the gradient buffers hold; false overwrites them; a null
// weight_grad (bias-only training) or bias_grad (frozen bias) leaves the other gradient as it
// would be. Tolerance 2e-6 · max(1, |want|): CHW lowering adds the batch's samples one by one
// onto what is there, so the sum is rounded in another order than fresh + old (a few ulps).
TEST_P(Conv2dAccumulate, gradients_add_to_what_is_there) {
  const Conv2dRunner r(GetParam());
  const std::vector<float> x = testing::random_values(static_cast<size_t>(r.in.elements()), 11),
                           w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), 12),
                           dz = testing::random_values(static_cast<size_t>(r.out.elements()), 13);
  std::vector<float> fresh_w(w.size()), fresh_b(static_cast<size_t>(r.p.out_channels)), fresh_x(x.size());
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), fresh_w.data(), fresh_b.data(), false)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), fresh_x.data(), false)), "ok");

  const std::vector<float> old_w = testing::random_values(fresh_w.size(), 14),
                           old_b = testing::random_values(fresh_b.size(), 15),
                           old_x = testing::random_values(fresh_x.size(), 16);
  std::vector<float> acc_w = old_w, acc_b = old_b, acc_x = old_x;
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), acc_w.data(), acc_b.data(), true)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), acc_x.data(), true)), "ok");
  const auto sum_of = [](const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<double> sum(a.size());
    for (size_t i = 0; i < a.size(); ++i) sum[i] = static_cast<double>(a[i]) + b[i];
    return sum;
  };
  EXPECT_TRUE(values_near("weight grad", acc_w, sum_of(old_w, fresh_w), 2e-6));
  EXPECT_TRUE(values_near("bias grad", acc_b, sum_of(old_b, fresh_b), 2e-6));
  EXPECT_TRUE(values_near("input grad", acc_x, sum_of(old_x, fresh_x), 2e-6));

  std::vector<float> over_w = old_w, over_b = old_b, over_x = old_x;
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), over_w.data(), over_b.data(), false)), "ok");
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), over_x.data(), false)), "ok");
  EXPECT_EQ(over_w, fresh_w);
  EXPECT_EQ(over_b, fresh_b);
  EXPECT_EQ(over_x, fresh_x);

  std::vector<float> only_w = old_w, only_b = old_b;
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), only_w.data(), nullptr, false)), "ok");
  ASSERT_EQ(status_text(r.weight_grad(x.data(), dz.data(), nullptr, only_b.data(), false)), "ok");
  EXPECT_EQ(only_w, fresh_w);
  EXPECT_EQ(only_b, fresh_b);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Conv2dAccumulate, ::testing::ValuesIn(kFlagCases), case_name);

class Conv2dUnreadInputs : public ::testing::TestWithParam<ConvCase> {};

// Stride 2, padding {top 1, bottom 0, left 2, right 1}, dilation 2 on 9×8: windows read input
// rows -1 + 2·(oh + i), the odd rows, and columns -2 + 2·(ow + j) up to 6, the even ones below 8.
// The input gradient must be exactly zero on the rows and columns no window reads (PyTorch's
// col2im; PULP-TrainLib's input gradient puts values there) and nonzero elsewhere.
TEST_P(Conv2dUnreadInputs, conv2d_ig_stride2_pad_asym_dil2_unread_positions_get_exactly_zero) {
  const Conv2dRunner r(GetParam());
  ASSERT_EQ(r.out.h, 3);
  ASSERT_EQ(r.out.w, 4);
  const std::vector<float> w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), 21),
                           dz = testing::random_values(static_cast<size_t>(r.out.elements()), 22);
  std::vector<float> dx(static_cast<size_t>(r.in.elements()), NAN);
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), dx.data(), false)), "ok");
  const TensorView view = r.input(dx.data());
  for (int32_t n = 0; n < r.in.n; ++n)
    for (int32_t c = 0; c < r.in.c; ++c)
      for (int32_t h = 0; h < r.in.h; ++h)
        for (int32_t col = 0; col < r.in.w; ++col) {
          const bool read = h % 2 == 1 && col % 2 == 0;
          const float g = dx[static_cast<size_t>(view.offset(n, c, h, col))];
          if (read) {
            EXPECT_NE(g, 0.0f) << "n " << n << " c " << c << " h " << h << " w " << col;
          } else {
            EXPECT_EQ(g, 0.0f) << "n " << n << " c " << c << " h " << h << " w " << col;
          }
        }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Conv2dUnreadInputs,
                         ::testing::ValuesIn(one_geometry_each(kStridedDilated, nullptr, nullptr)), case_name);

// ---------------------------------------------------------------------------------------------
// Sizes, algorithm choice and argument checks

Conv2dParams params_3x3(Layout layout) {
  Conv2dParams p;
  p.in_channels = 2, p.out_channels = 4, p.window = Window2d{3, 3, 2, 2, {1, 0, 2, 1}, 1, 1}, p.layout = layout;
  return p;
}

TEST(Conv2dSizes, output_shape_macs_and_weight_count) {
  const Conv2dParams p = params_3x3(Layout::chw);
  Shape out;
  ASSERT_TRUE(conv2d_output_shape(p, Shape{3, 2, 9, 8}, &out).ok());
  // (9 + 1 - 3) / 2 + 1 = 4 rows, (8 + 3 - 3) / 2 + 1 = 5 columns.
  EXPECT_EQ(out, (Shape{3, 4, 4, 5}));
  EXPECT_EQ(conv2d_weight_count(p), 4 * 2 * 9);
  EXPECT_EQ(conv2d_step_macs(p, Shape{3, 2, 9, 8}), int64_t{3} * 4 * 18 * 20);
  EXPECT_EQ(conv2d_step_macs(p, Shape{3, 5, 9, 8}), 0);  // not a shape of this layer
}

TEST(Conv2dSizes, workspace_is_the_lowered_matrix_only_when_lowering) {
  for (Layout layout : {Layout::chw, Layout::hwc}) {
    const Conv2dParams p = params_3x3(layout);
    const Shape in{3, 2, 9, 8};
    const size_t kp = 18 * 20;  // K = 2·9, P = 4·5
    for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
      EXPECT_EQ(conv2d_workspace_bytes(step, p, in, ConvAlgorithm::lowered),
                (layout == Layout::chw ? kp : 3 * kp) * sizeof(float));
      EXPECT_EQ(conv2d_workspace_bytes(step, p, in, ConvAlgorithm::direct), 0u);
      // Pointwise is impossible for a 3×3 window: the automatic rule decides, and the size follows it.
      EXPECT_EQ(conv2d_workspace_bytes(step, p, in, ConvAlgorithm::pointwise),
                conv2d_workspace_bytes(step, p, in, ConvAlgorithm::automatic));
      EXPECT_EQ(conv2d_algorithm(step, p, in, ConvAlgorithm::pointwise), conv2d_algorithm(step, p, in));
      const bool lowered = conv2d_algorithm(step, p, in) == ConvAlgorithm::lowered;
      EXPECT_EQ(conv2d_workspace_bytes(step, p, in), lowered ? conv2d_workspace_bytes(step, p, in, ConvAlgorithm::lowered) : 0u);
    }
    Conv2dParams pw = p;
    pw.window = Window2d{};
    EXPECT_EQ(conv2d_algorithm(LayerStep::forward, pw, in), ConvAlgorithm::pointwise);
    EXPECT_EQ(conv2d_workspace_bytes(LayerStep::forward, pw, in), 0u);
  }
}

// The forward runs its product with B in column panels only where the kernel reads them and the
// gather writes them: a lowered CHW forward of a 1×1 window without padding, positions in panels 6
// and 5 wide, output channels in whole tiles of the kernel's rows (the rv32 4×6 entry; a kernel
// that reads panels stands in for it here, where the host has none).
TEST(Conv2dChoice, the_forward_gathers_into_panels_only_where_kernel_and_gather_take_them) {
  MatMulKernel reads = *find_matmul_kernel("mm_f32_n_n_4x4_u1_par_m");
  reads.reads_b_panels = true;
  Conv2dParams p;
  p.in_channels = 16, p.out_channels = 32, p.layout = Layout::chw;
  p.window = Window2d{1, 1, 2, 2, {}, 1, 1};
  const Shape in{1, 16, 32, 32};  // ResNet8's shortcut: 16 x 16 = 256 positions
  EXPECT_TRUE(conv2d_forward_b_panels(p, in, ConvAlgorithm::automatic, &reads));
  EXPECT_FALSE(conv2d_forward_b_panels(p, in, ConvAlgorithm::automatic, find_matmul_kernel("mm_f32_n_n_4x4_u1_par_m")));
  EXPECT_FALSE(conv2d_forward_b_panels(p, in, ConvAlgorithm::automatic, nullptr));
  EXPECT_FALSE(conv2d_forward_b_panels(p, in, ConvAlgorithm::direct, &reads));
  EXPECT_FALSE(conv2d_forward_b_panels(p, Shape{1, 16, 14, 2}, ConvAlgorithm::automatic, &reads));  // 7 positions
  Conv2dParams other = p;
  other.out_channels = 30;  // not whole 4-row tiles
  EXPECT_FALSE(conv2d_forward_b_panels(other, in, ConvAlgorithm::automatic, &reads));
  other = p;
  other.window = Window2d{3, 3, 2, 2, Padding2d{0, 1, 0, 1}, 1, 1};
  EXPECT_FALSE(conv2d_forward_b_panels(other, in, ConvAlgorithm::automatic, &reads));
  other = p;
  other.layout = Layout::hwc;
  EXPECT_FALSE(conv2d_forward_b_panels(other, Shape{1, 16, 32, 32}, ConvAlgorithm::automatic, &reads));
}

TEST(Conv2dSizes, automatic_rule_is_direct_for_tiny_products_and_one_output_channel) {
  const auto algorithm = [](LayerStep step, Layout layout, int32_t batch, int32_t in, int32_t out, int32_t size) {
    Conv2dParams p;
    p.in_channels = in, p.out_channels = out, p.window = Window2d{3, 3, 1, 1, Padding2d::same(1), 1, 1};
    p.layout = layout;
    return conv2d_algorithm(step, p, Shape{batch, in, size, size});
  };
  const ConvAlgorithm direct = ConvAlgorithm::direct, lowered = ConvAlgorithm::lowered;
  for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
    // 4·9·9 = 324 MACs per sample is tiny, 4·9·16 = 576 is not.
    EXPECT_EQ(algorithm(step, Layout::chw, 1, 1, 4, 3), direct);
    EXPECT_EQ(algorithm(step, Layout::chw, 1, 1, 4, 4), lowered);
    // CHW lowers sample by sample, HWC the whole batch: three tiny samples are one product of 972.
    EXPECT_EQ(algorithm(step, Layout::chw, 3, 1, 4, 3), direct);
    EXPECT_EQ(algorithm(step, Layout::hwc, 3, 1, 4, 3), lowered);
    EXPECT_EQ(algorithm(step, Layout::hwc, 1, 8, 16, 16), lowered);
  }
  // One output channel: direct, except for the input gradient.
  EXPECT_EQ(algorithm(LayerStep::forward, Layout::chw, 1, 8, 1, 16), direct);
  EXPECT_EQ(algorithm(LayerStep::weight_grad, Layout::hwc, 1, 8, 1, 16), direct);
  EXPECT_EQ(algorithm(LayerStep::input_grad, Layout::chw, 1, 8, 1, 16), lowered);
  // The flipped input gradient pays on rv32 only (conv_steps.cpp); this is an x86-64 build.
  EXPECT_EQ(algorithm(LayerStep::input_grad, Layout::chw, 1, 16, 16, 32), lowered);
  EXPECT_EQ(algorithm(LayerStep::input_grad, Layout::hwc, 1, 16, 16, 32), lowered);
}

// The flipped input gradient's workspace: dz lowered for the flipped convolution (K = out·taps
// rows over the input's P = in_h·in_w positions; per sample for CHW, the whole batch for HWC)
// and the rotated weight. Requested where it does not apply (another step, a stride of 2, padding
// beyond the window's span) it is the automatic choice, workspace and result alike.
TEST(Conv2dSizes, flipped_runs_the_stride1_input_grad_and_falls_back_elsewhere) {
  const Shape in{3, 2, 9, 8};
  for (Layout layout : {Layout::chw, Layout::hwc}) {
    Conv2dParams p;
    p.in_channels = 2, p.out_channels = 4, p.window = Window2d{3, 3, 1, 1, {2, 0, 1, 2}, 1, 1}, p.layout = layout;
    const size_t lowered = 4 * 9 * (9 * 8), rotated_weight = 2 * 4 * 9;
    EXPECT_EQ(conv2d_algorithm(LayerStep::input_grad, p, in, ConvAlgorithm::flipped), ConvAlgorithm::flipped);
    EXPECT_EQ(conv2d_workspace_bytes(LayerStep::input_grad, p, in, ConvAlgorithm::flipped),
              ((layout == Layout::chw ? lowered : 3 * lowered) + rotated_weight) * sizeof(float));
    for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad}) {
      EXPECT_EQ(conv2d_algorithm(step, p, in, ConvAlgorithm::flipped), conv2d_algorithm(step, p, in));
      EXPECT_EQ(conv2d_workspace_bytes(step, p, in, ConvAlgorithm::flipped), conv2d_workspace_bytes(step, p, in));
    }
    for (const Window2d& w : {Window2d{3, 3, 2, 2, Padding2d::same(1), 1, 1}, Window2d{3, 3, 1, 2, {}, 1, 1},
                              Window2d{1, 1, 1, 1, Padding2d::same(1), 1, 1}, Window2d{3, 3, 1, 1, {0, 3, 0, 0}, 1, 1},
                              Window2d{3, 3, 1, 1, {0, 0, 3, 0}, 1, 1}}) {
      Conv2dParams q = p;
      q.window = w;
      EXPECT_EQ(conv2d_algorithm(LayerStep::input_grad, q, in, ConvAlgorithm::flipped),
                conv2d_algorithm(LayerStep::input_grad, q, in));
      EXPECT_NE(conv2d_algorithm(LayerStep::input_grad, q, in), ConvAlgorithm::flipped);
      EXPECT_EQ(conv2d_workspace_bytes(LayerStep::input_grad, q, in, ConvAlgorithm::flipped),
                conv2d_workspace_bytes(LayerStep::input_grad, q, in));
    }
  }
}

// A stride-2 input gradient asked to run flipped runs the automatic choice and gets it right.
TEST(Conv2dChoice, conv2d_ig_stride2_flipped_request_falls_back_to_the_automatic_choice) {
  for (Layout layout : {Layout::chw, Layout::hwc}) {
    const Conv2dRunner r(ConvCase{kStridedDilated, layout, ConvAlgorithm::flipped, 3, 3});
    const std::vector<float> x(static_cast<size_t>(r.in.elements())), b(static_cast<size_t>(r.p.out_channels)),
        w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), 51),
        dz = testing::random_values(static_cast<size_t>(r.out.elements()), 52);
    std::vector<float> dx(x.size(), NAN);
    ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), dx.data(), false)), "ok");
    EXPECT_TRUE(values_near("input grad", dx, reference_conv(r.shape(), x, w, b, dz).input_grad, 1e-5));
  }
}

// A tuning result names the matrix-multiply kernel of a lowered or pointwise step; it must fit
// the step's product (CHW forward is n_n: W · col), else the step says so.
TEST(Conv2dChoice, an_explicit_kernel_runs_the_product_and_a_mismatched_one_is_refused) {
  const ConvCase c{kGeometries[3], Layout::chw, ConvAlgorithm::lowered, 1, 1};
  const Conv2dRunner by_default(c);
  Conv2dRunner tuned(c);
  tuned.choice.kernel = find_matmul_kernel("mm_f32_n_n_1x1_u1_par_n");
  ASSERT_NE(tuned.choice.kernel, nullptr);
  const std::vector<float> x = testing::random_values(static_cast<size_t>(tuned.in.elements()), 41),
                           w = testing::random_values(static_cast<size_t>(conv2d_weight_count(tuned.p)), 42),
                           b = testing::random_values(static_cast<size_t>(tuned.p.out_channels), 43);
  std::vector<float> y_default(static_cast<size_t>(tuned.out.elements())), y_tuned(y_default.size());
  ASSERT_EQ(status_text(by_default.forward(x.data(), w.data(), b.data(), y_default.data())), "ok");
  ASSERT_EQ(status_text(tuned.forward(x.data(), w.data(), b.data(), y_tuned.data())), "ok");
  const testing::ConvReference want = reference_conv(tuned.shape(), x, w, b, std::vector<float>(y_tuned.size()));
  EXPECT_TRUE(values_near("y with the default kernel", y_default, want.y, 1e-5));
  EXPECT_TRUE(values_near("y with the tuned kernel", y_tuned, want.y, 1e-5));
  tuned.choice.kernel = find_matmul_kernel("mm_f32_n_t_1x1_u1_par_n");
  ASSERT_NE(tuned.choice.kernel, nullptr);
  EXPECT_EQ(status_text(tuned.forward(x.data(), w.data(), b.data(), y_tuned.data())),
            "invalid argument: matmul: the kernel's operand transpositions do not match the (normalized) call");
}

// A flipped input gradient's product is the flipped convolution's forward (CHW n_n: W'·col(dz)),
// not Wᵀ·dz (t_n), so a kernel tuned for one is refused for the other.
TEST(Conv2dChoice, conv2d_ig_flipped_runs_an_explicit_n_n_kernel_and_refuses_t_n) {
  Conv2dRunner r(ConvCase{kGeometries[3], Layout::chw, ConvAlgorithm::flipped, 1, 1});
  r.choice.kernel = find_matmul_kernel("mm_f32_n_n_1x1_u1_par_n");
  ASSERT_NE(r.choice.kernel, nullptr);
  const std::vector<float> x(static_cast<size_t>(r.in.elements())), b(static_cast<size_t>(r.p.out_channels)),
      w = testing::random_values(static_cast<size_t>(conv2d_weight_count(r.p)), 44),
      dz = testing::random_values(static_cast<size_t>(r.out.elements()), 45);
  std::vector<float> dx(x.size(), NAN);
  ASSERT_EQ(status_text(r.input_grad(dz.data(), w.data(), dx.data(), false)), "ok");
  EXPECT_TRUE(values_near("input grad", dx, reference_conv(r.shape(), x, w, b, dz).input_grad, 1e-5));
  r.choice.kernel = find_matmul_kernel("mm_f32_t_n_1x1_u1_par_n");
  ASSERT_NE(r.choice.kernel, nullptr);
  EXPECT_EQ(status_text(r.input_grad(dz.data(), w.data(), dx.data(), false)),
            "invalid argument: matmul: the kernel's operand transpositions do not match the (normalized) call");
}

class Conv2dErrors : public ::testing::Test {
 protected:
  Conv2dParams p = params_3x3(Layout::chw);
  ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  Shape in{3, 2, 9, 8}, out{3, 4, 4, 5};
  std::vector<float> x = std::vector<float>(3 * 2 * 9 * 8, 0.5f), y = std::vector<float>(3 * 4 * 4 * 5),
                     w = std::vector<float>(72, 0.1f), b = std::vector<float>(4), wg = std::vector<float>(72),
                     bg = std::vector<float>(4);
  Scratch scratch{conv2d_workspace_bytes(LayerStep::forward, p, in, ConvAlgorithm::lowered)};
  ConvChoice lowered{ConvAlgorithm::lowered, nullptr};

  TensorView xv(Shape s = {3, 2, 9, 8}, Layout l = Layout::chw) { return TensorView::dense(x.data(), s, l); }
  TensorView yv(Shape s = {3, 4, 4, 5}) { return TensorView::dense(y.data(), s, Layout::chw); }
  std::string forward(const Conv2dParams& q, const TensorView& xin, const TensorView& yout, Workspace ws) {
    return status_text(conv2d_forward(ctx, q, xin, w.data(), b.data(), yout, ws, lowered));
  }
};

TEST_F(Conv2dErrors, params_must_be_positive_with_a_valid_window) {
  Conv2dParams bad = p;
  bad.in_channels = 0;
  EXPECT_EQ(status_text(check_conv2d_params(bad)), "invalid argument: conv2d: in_channels must be positive");
  bad = p;
  bad.out_channels = -1;
  EXPECT_EQ(forward(bad, xv(), yv(), scratch.workspace()), "invalid argument: conv2d: out_channels must be positive");
  bad = p;
  bad.window.stride_w = 0;
  EXPECT_EQ(status_text(check_conv2d_params(bad)), "invalid argument: conv2d: stride must be positive (got 0, expected 1)");
  bad = p;
  bad.window.pad.left = -1;
  EXPECT_EQ(status_text(check_conv2d_params(bad)), "invalid argument: conv2d: padding must not be negative");
  bad = p;
  bad.window.dilation_h = 0;
  EXPECT_EQ(status_text(check_conv2d_params(bad)), "invalid argument: conv2d: dilation must be positive (got 0, expected 1)");
  bad = p;
  bad.act = Activation::leaky_relu, bad.act_slope = 0.0f;
  EXPECT_EQ(status_text(check_conv2d_params(bad)), "invalid argument: conv2d: LeakyReLU slope must be positive");
}

TEST_F(Conv2dErrors, forward_names_x_y_weight_bias_and_window) {
  EXPECT_EQ(forward(p, xv({3, 3, 9, 8}), yv(), scratch.workspace()),
            "shape mismatch: conv2d forward: x: channel count differs from in_channels (got 3, expected 2)");
  EXPECT_EQ(forward(p, xv({3, 2, 9, 8}, Layout::hwc), yv(), scratch.workspace()),
            "shape mismatch: conv2d forward: x: layout differs from the layer's");
  EXPECT_EQ(forward(p, xv(), yv({3, 4, 3, 5}), scratch.workspace()),
            "shape mismatch: conv2d forward: y: height differs (got 3, expected 4)");
  EXPECT_EQ(forward(p, xv(), yv({2, 4, 4, 5}), scratch.workspace()),
            "shape mismatch: conv2d forward: y: batch size differs (got 2, expected 3)");
  EXPECT_EQ(forward(p, xv(), TensorView::dense(y.data(), out, Layout::hwc), scratch.workspace()),
            "shape mismatch: conv2d forward: y: layout differs (CHW against HWC)");
  EXPECT_EQ(forward(p, xv({3, 2, 1, 8}), yv(), scratch.workspace()),
            "shape mismatch: conv2d forward: x: padded input height is smaller than the window (got 2, expected 3)");
  EXPECT_EQ(forward(p, TensorView{}, yv(), scratch.workspace()), "invalid argument: conv2d forward: x: data is null");
  EXPECT_EQ(status_text(conv2d_forward(ctx, p, xv(), nullptr, b.data(), yv(), scratch.workspace(), lowered)),
            "invalid argument: conv2d forward: weight is null");
  EXPECT_EQ(status_text(conv2d_forward(ctx, p, xv(), w.data(), nullptr, yv(), scratch.workspace(), lowered)),
            "invalid argument: conv2d forward: the layer has a bias but bias is null");
  Conv2dParams no_bias = p;
  no_bias.has_bias = false;
  EXPECT_EQ(status_text(conv2d_forward(ctx, no_bias, xv(), w.data(), nullptr, yv(), scratch.workspace(), lowered)), "ok");
}

TEST_F(Conv2dErrors, a_workspace_below_the_promised_size_is_out_of_memory_naming_it) {
  const size_t need = conv2d_workspace_bytes(LayerStep::forward, p, in, ConvAlgorithm::lowered);
  ASSERT_EQ(need, 18u * 20u * sizeof(float));
  const Workspace small{scratch.workspace().data, need - 1};
  EXPECT_EQ(forward(p, xv(), yv(), small),
            "out of memory: conv2d forward: workspace: workspace is too small (got 1439, expected 1440)");
  EXPECT_EQ(forward(p, xv(), yv(), Workspace{}),
            "out of memory: conv2d forward: workspace: workspace is null (got 0, expected 1440)");
  EXPECT_EQ(status_text(conv2d_weight_grad(ctx, p, xv(), yv(), wg.data(), bg.data(), false, small, lowered)),
            "out of memory: conv2d weight grad: workspace: workspace is too small (got 1439, expected 1440)");
  EXPECT_EQ(status_text(conv2d_input_grad(ctx, p, yv(), w.data(), xv(), false, small, lowered)),
            "out of memory: conv2d input grad: workspace: workspace is too small (got 1439, expected 1440)");
  // The direct algorithm needs none.
  EXPECT_EQ(status_text(conv2d_forward(ctx, p, xv(), w.data(), b.data(), yv(), Workspace{}, {ConvAlgorithm::direct})),
            "ok");
}

TEST_F(Conv2dErrors, gradients_name_x_dz_dx_and_the_outputs) {
  const Workspace ws = scratch.workspace();
  EXPECT_EQ(status_text(conv2d_weight_grad(ctx, p, xv(), yv({3, 5, 4, 5}), wg.data(), bg.data(), false, ws, lowered)),
            "shape mismatch: conv2d weight grad: dz: channel count differs (got 5, expected 4)");
  EXPECT_EQ(status_text(conv2d_weight_grad(ctx, p, xv(), yv(), nullptr, nullptr, false, ws, lowered)),
            "invalid argument: conv2d weight grad: weight_grad is null and there is no bias gradient to compute");
  EXPECT_EQ(status_text(conv2d_input_grad(ctx, p, yv({3, 4, 4, 6}), w.data(), xv(), false, ws, lowered)),
            "shape mismatch: conv2d input grad: dz: width differs (got 6, expected 5)");
  EXPECT_EQ(status_text(conv2d_input_grad(ctx, p, yv(), w.data(), xv({3, 1, 9, 8}), false, ws, lowered)),
            "shape mismatch: conv2d input grad: dx: channel count differs from in_channels (got 1, expected 2)");
  EXPECT_EQ(status_text(conv2d_input_grad(ctx, p, yv(), nullptr, xv(), false, ws, lowered)),
            "invalid argument: conv2d input grad: weight is null");
  EXPECT_EQ(status_text(conv2d_input_grad(ExecContext{}, p, yv(), w.data(), xv(), false, ws, lowered)),
            "invalid argument: conv: the context has no team");
}

}  // namespace
}  // namespace utrain
