// Pooling, normalization and residual-add steps against PyTorch (autograd): max and average
// pooling with symmetric and asymmetric padding, dilation and both divisors; global average
// pooling; residual add; BatchNorm2d in training (with the updated running statistics) and
// evaluation; LayerNorm; InstanceNorm2d. Every case runs in both layouts (the fixtures are NCHW,
// the HWC runs rearrange inputs and results, LayerNorm's gamma and beta included), on teams of 1
// and 3, overwriting and accumulating into prefilled gradients.
//
// Tolerance: |got − want| ≤ 1e-5 · max(1, |want|). Pooling copies or averages at most 9 values;
// the normalizations sum at most 120 values of order one per statistic, in float in two passes
// here and in double (CPU batch norm) or float (layer and instance norm) in PyTorch, so the
// float32 rounding of either stays far below the bound (the summary printed after the run shows
// the largest error seen).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden/fixtures/norm.h"
#include "golden/fixtures/pool.h"
#include "golden/golden_check.h"
#include "layers/batch_norm2d.h"
#include "layers/instance_norm2d.h"
#include "layers/layer_norm.h"
#include "layers/pool2d.h"
#include "layers/residual_add.h"
#include "support/tensor_layout.h"
#include "support/test_teams.h"

namespace utrain::golden {
namespace {

using testing::from_layout;
using testing::to_layout;

constexpr Tolerance kTol{1e-5};
constexpr int kTeams[] = {1, 3};
constexpr Layout kLayouts[] = {Layout::chw, Layout::hwc};

size_t count_of(const Shape& s) { return static_cast<size_t>(s.elements()); }

// PyTorch's values, plus what an accumulating call found in its output buffer.
std::vector<float> want(const float* golden, size_t count, const std::vector<float>* prefill) {
  std::vector<float> values(golden, golden + count);
  if (prefill != nullptr)
    for (size_t i = 0; i < count; ++i) values[i] += (*prefill)[i];
  return values;
}

// One run of a case: its layout, team and accumulate flag, and how the messages name it.
struct GoldenRun {
  Layout layout;
  int team;
  bool accumulate;
  std::string at;
  ExecContext ctx;
};

template <class Case>
std::vector<GoldenRun> runs_of(const Case& c) {
  std::vector<GoldenRun> runs;
  for (Layout layout : kLayouts)
    for (int team : kTeams)
      for (bool accumulate : {false, true}) {
        std::string at = c.name;
        at += layout == Layout::chw ? " chw team " : " hwc team ";
        at += std::to_string(team);
        at += accumulate ? " accumulate " : " ";
        runs.push_back({layout, team, accumulate, at, ExecContext{&testing::team_of(team), IsaSet::generic_only()}});
      }
  return runs;
}

// A gradient buffer in `layout`: the prefill when accumulating, else values the step must overwrite.
std::vector<float> gradient_buffer(const GoldenRun& r, const std::vector<float>& prefill_nchw, const Shape& s) {
  return r.accumulate ? to_layout(prefill_nchw, s, r.layout) : std::vector<float>(count_of(s), 7.0f);
}

// ---------------------------------------------------------------------------------------------
// Pooling and residual add

class PoolGolden : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolGolden, forward_and_input_grad_match_pytorch_in_both_layouts) {
  const PoolCase& c = GetParam();
  Pool2dParams p;
  p.kind = c.kind, p.window = c.window, p.count_include_pad = c.count_include_pad;
  Shape out;
  ASSERT_TRUE(pool2d_output_shape(p, c.shape, &out).ok());
  const std::vector<float> x = stream_values(c.seed, 0, count_of(c.shape)), dy = stream_values(c.seed, 1, count_of(out)),
                           prefill = stream_values(c.seed, 2, count_of(c.shape));
  const std::string topic = c.kind == PoolKind::max ? "max pool" : "avg pool";
  for (const GoldenRun& r : runs_of(c)) {
    p.layout = r.layout;
    std::vector<float> x_in = to_layout(x, c.shape, r.layout), dy_in = to_layout(dy, out, r.layout),
                       y(count_of(out)), dx = gradient_buffer(r, prefill, c.shape);
    Status s = pool2d_forward(r.ctx, p, TensorView::dense(x_in.data(), c.shape, r.layout),
                              TensorView::dense(y.data(), out, r.layout));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close(topic + " forward", r.at + "y", from_layout(y, out, r.layout).data(), c.y, y.size(), kTol);
    s = pool2d_input_grad(r.ctx, p, TensorView::dense(x_in.data(), c.shape, r.layout),
                          TensorView::dense(dy_in.data(), out, r.layout), TensorView::dense(dx.data(), c.shape, r.layout),
                          r.accumulate);
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close(topic + " input grad", r.at + "input_grad", from_layout(dx, c.shape, r.layout).data(),
                 want(c.input_grad, dx.size(), r.accumulate ? &prefill : nullptr).data(), dx.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PoolGolden, ::testing::ValuesIn(pool::kPoolCases), CaseName());

class GlobalPoolGolden : public ::testing::TestWithParam<GlobalPoolCase> {};

TEST_P(GlobalPoolGolden, forward_and_input_grad_match_pytorch_in_both_layouts) {
  const GlobalPoolCase& c = GetParam();
  const Shape out{c.shape.n, c.shape.c, 1, 1};
  const std::vector<float> x = stream_values(c.seed, 0, count_of(c.shape)), dy = stream_values(c.seed, 1, count_of(out)),
                           prefill = stream_values(c.seed, 2, count_of(c.shape));
  for (const GoldenRun& r : runs_of(c)) {
    std::vector<float> x_in = to_layout(x, c.shape, r.layout), y(count_of(out)), dx = gradient_buffer(r, prefill, c.shape);
    Status s = global_avg_pool_forward(r.ctx, TensorView::dense(x_in.data(), c.shape, r.layout),
                                       TensorView::dense(y.data(), out, r.layout));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("global avg pool forward", r.at + "y", y.data(), c.y, y.size(), kTol);
    s = global_avg_pool_input_grad(r.ctx, TensorView::dense(dy.data(), out, r.layout),
                                   TensorView::dense(dx.data(), c.shape, r.layout), r.accumulate);
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("global avg pool input grad", r.at + "input_grad", from_layout(dx, c.shape, r.layout).data(),
                 want(c.input_grad, dx.size(), r.accumulate ? &prefill : nullptr).data(), dx.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GlobalPoolGolden, ::testing::ValuesIn(pool::kGlobalPoolCases), CaseName());

class ResidualAddGolden : public ::testing::TestWithParam<ResidualAddCase> {};

TEST_P(ResidualAddGolden, forward_and_both_branch_grads_match_pytorch) {
  const ResidualAddCase& c = GetParam();
  const size_t n = count_of(c.shape);
  const std::vector<float> a = stream_values(c.seed, 0, n), b = stream_values(c.seed, 1, n),
                           dy = stream_values(c.seed, 2, n), prefill = stream_values(c.seed, 3, n);
  for (const GoldenRun& r : runs_of(c)) {
    std::vector<float> a_in = to_layout(a, c.shape, r.layout), b_in = to_layout(b, c.shape, r.layout),
                       dy_in = to_layout(dy, c.shape, r.layout), y(n);
    const auto view = [&](std::vector<float>& v) { return TensorView::dense(v.data(), c.shape, r.layout); };
    Status s = residual_add_forward(r.ctx, view(a_in), view(b_in), view(y));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("residual add forward", r.at + "y", from_layout(y, c.shape, r.layout).data(), c.y, n, kTol);
    for (const float* golden : {c.a_grad, c.b_grad}) {
      std::vector<float> dx = gradient_buffer(r, prefill, c.shape);
      s = residual_add_input_grad(r.ctx, view(dy_in), view(dx), r.accumulate);
      ASSERT_TRUE(s.ok()) << r.at << describe(s);
      expect_close("residual add input grad", r.at + (golden == c.a_grad ? "a_grad" : "b_grad"),
                   from_layout(dx, c.shape, r.layout).data(),
                   want(golden, n, r.accumulate ? &prefill : nullptr).data(), n, kTol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ResidualAddGolden, ::testing::ValuesIn(pool::kResidualAddCases), CaseName());

// ---------------------------------------------------------------------------------------------
// Normalizations

// The inputs every normalization case draws (pool_norm_cases.h): x, dy, gamma = 1 + stream 2,
// beta, in NCHW order, and prefills for the accumulating gradient calls.
struct NormInputs {
  std::vector<float> x, dy, gamma, beta, dx_prefill, gamma_prefill, beta_prefill;

  NormInputs(uint64_t seed, const Shape& s, size_t parameters)
      : x(stream_values(seed, 0, count_of(s))),
        dy(stream_values(seed, 1, count_of(s))),
        gamma(stream_values(seed, 2, parameters, 0.5f)),
        beta(stream_values(seed, 3, parameters, 0.5f)),
        dx_prefill(stream_values(seed, 6, count_of(s))),
        gamma_prefill(stream_values(seed, 7, parameters)),
        beta_prefill(stream_values(seed, 8, parameters)) {
    for (float& g : gamma) g += 1.0f;
  }
};

// Compares the gamma and beta gradients (given in `layout` over `parameter_shape`) when the case
// has them.
void expect_parameter_grads(const std::string& topic, const GoldenRun& r, const NormInputs& in, const Shape& parameter_shape,
                            const std::vector<float>& gamma_grad, const std::vector<float>& beta_grad,
                            const float* want_gamma, const float* want_beta) {
  const size_t n = gamma_grad.size();
  expect_close(topic + " gamma grad", r.at + "gamma_grad", from_layout(gamma_grad, parameter_shape, r.layout).data(),
               want(want_gamma, n, r.accumulate ? &in.gamma_prefill : nullptr).data(), n, kTol);
  expect_close(topic + " beta grad", r.at + "beta_grad", from_layout(beta_grad, parameter_shape, r.layout).data(),
               want(want_beta, n, r.accumulate ? &in.beta_prefill : nullptr).data(), n, kTol);
}

class BatchNormGolden : public ::testing::TestWithParam<BatchNormCase> {};

TEST_P(BatchNormGolden, all_steps_and_running_statistics_match_pytorch_in_both_layouts) {
  const BatchNormCase& c = GetParam();
  const auto channels = static_cast<size_t>(c.shape.c);
  const Shape per_channel{1, c.shape.c, 1, 1};
  const NormInputs in(c.seed, c.shape, channels);
  const std::vector<float> running_mean = stream_values(c.seed, 4, channels, 0.5f);
  std::vector<float> running_var = stream_values(c.seed, 5, channels, 0.5f);
  for (float& v : running_var) v += 1.0f;
  BatchNorm2dParams p;
  p.channels = c.shape.c, p.eps = c.eps, p.momentum = c.momentum, p.affine = c.affine;
  const float* gamma = c.affine ? in.gamma.data() : nullptr;
  const float* beta = c.affine ? in.beta.data() : nullptr;
  for (const GoldenRun& r : runs_of(c)) {
    p.layout = r.layout;
    std::vector<float> x = to_layout(in.x, c.shape, r.layout), dy = to_layout(in.dy, c.shape, r.layout),
                       y(x.size()), mean = running_mean, var = running_var,
                       saved(static_cast<size_t>(batch_norm2d_saved_floats(p)));
    const auto view = [&](std::vector<float>& v) { return TensorView::dense(v.data(), c.shape, r.layout); };
    Status s = batch_norm2d_forward(r.ctx, p, c.mode, view(x), gamma, beta, mean.data(), var.data(), saved.data(),
                                    view(y));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("batch norm forward", r.at + "y", from_layout(y, c.shape, r.layout).data(), c.y, y.size(), kTol);
    expect_close("batch norm running stats", r.at + "running_mean", mean.data(), c.running_mean, channels, kTol);
    expect_close("batch norm running stats", r.at + "running_var", var.data(), c.running_var, channels, kTol);
    if (c.affine) {
      std::vector<float> gamma_grad = r.accumulate ? in.gamma_prefill : std::vector<float>(channels, 7.0f),
                         beta_grad = r.accumulate ? in.beta_prefill : std::vector<float>(channels, 7.0f);
      s = batch_norm2d_weight_grad(r.ctx, p, view(x), view(dy), saved.data(), gamma_grad.data(), beta_grad.data(),
                                   r.accumulate);
      ASSERT_TRUE(s.ok()) << r.at << describe(s);
      expect_parameter_grads("batch norm", r, in, per_channel, gamma_grad, beta_grad, c.gamma_grad, c.beta_grad);
    }
    std::vector<float> dx = gradient_buffer(r, in.dx_prefill, c.shape);
    s = batch_norm2d_input_grad(r.ctx, p, c.mode, view(x), view(dy), gamma, saved.data(), view(dx), r.accumulate);
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("batch norm input grad", r.at + "input_grad", from_layout(dx, c.shape, r.layout).data(),
                 want(c.input_grad, dx.size(), r.accumulate ? &in.dx_prefill : nullptr).data(), dx.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BatchNormGolden, ::testing::ValuesIn(norm::kBatchNormCases), CaseName());

class LayerNormGolden : public ::testing::TestWithParam<LayerNormCase> {};

// gamma and beta follow the tensor's memory order: in HWC they are the [C][H][W] arrays rearranged.
TEST_P(LayerNormGolden, all_steps_match_pytorch_in_both_layouts) {
  const LayerNormCase& c = GetParam();
  const Shape sample{1, c.shape.c, c.shape.h, c.shape.w};
  const auto features = count_of(sample);
  const NormInputs in(c.seed, c.shape, features);
  LayerNormParams p;
  p.features = static_cast<int32_t>(features), p.eps = c.eps, p.affine = c.affine;
  for (const GoldenRun& r : runs_of(c)) {
    std::vector<float> x = to_layout(in.x, c.shape, r.layout), dy = to_layout(in.dy, c.shape, r.layout),
                       gamma = to_layout(in.gamma, sample, r.layout), beta = to_layout(in.beta, sample, r.layout),
                       y(x.size()), saved(static_cast<size_t>(layer_norm_saved_floats(p, c.shape.n)));
    const auto view = [&](std::vector<float>& v) { return TensorView::dense(v.data(), c.shape, r.layout); };
    Status s = layer_norm_forward(r.ctx, p, view(x), c.affine ? gamma.data() : nullptr,
                                  c.affine ? beta.data() : nullptr, saved.data(), view(y));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("layer norm forward", r.at + "y", from_layout(y, c.shape, r.layout).data(), c.y, y.size(), kTol);
    if (c.affine) {
      std::vector<float> gamma_grad = r.accumulate ? to_layout(in.gamma_prefill, sample, r.layout)
                                                   : std::vector<float>(features, 7.0f),
                         beta_grad = r.accumulate ? to_layout(in.beta_prefill, sample, r.layout)
                                                  : std::vector<float>(features, 7.0f);
      s = layer_norm_weight_grad(r.ctx, p, view(x), view(dy), saved.data(), gamma_grad.data(), beta_grad.data(),
                                 r.accumulate);
      ASSERT_TRUE(s.ok()) << r.at << describe(s);
      expect_parameter_grads("layer norm", r, in, sample, gamma_grad, beta_grad, c.gamma_grad, c.beta_grad);
    }
    std::vector<float> dx = gradient_buffer(r, in.dx_prefill, c.shape);
    s = layer_norm_input_grad(r.ctx, p, view(x), view(dy), c.affine ? gamma.data() : nullptr, saved.data(), view(dx),
                              r.accumulate);
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("layer norm input grad", r.at + "input_grad", from_layout(dx, c.shape, r.layout).data(),
                 want(c.input_grad, dx.size(), r.accumulate ? &in.dx_prefill : nullptr).data(), dx.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LayerNormGolden, ::testing::ValuesIn(norm::kLayerNormCases), CaseName());

class InstanceNormGolden : public ::testing::TestWithParam<InstanceNormCase> {};

TEST_P(InstanceNormGolden, all_steps_match_pytorch_in_both_layouts) {
  const InstanceNormCase& c = GetParam();
  const auto channels = static_cast<size_t>(c.shape.c);
  const Shape per_channel{1, c.shape.c, 1, 1};
  const NormInputs in(c.seed, c.shape, channels);
  InstanceNorm2dParams p;
  p.channels = c.shape.c, p.eps = c.eps, p.affine = c.affine;
  const float* gamma = c.affine ? in.gamma.data() : nullptr;
  const float* beta = c.affine ? in.beta.data() : nullptr;
  for (const GoldenRun& r : runs_of(c)) {
    p.layout = r.layout;
    std::vector<float> x = to_layout(in.x, c.shape, r.layout), dy = to_layout(in.dy, c.shape, r.layout),
                       y(x.size()), saved(static_cast<size_t>(instance_norm2d_saved_floats(p, c.shape.n)));
    const auto view = [&](std::vector<float>& v) { return TensorView::dense(v.data(), c.shape, r.layout); };
    Status s = instance_norm2d_forward(r.ctx, p, view(x), gamma, beta, saved.data(), view(y));
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("instance norm forward", r.at + "y", from_layout(y, c.shape, r.layout).data(), c.y, y.size(), kTol);
    if (c.affine) {
      std::vector<float> gamma_grad = r.accumulate ? in.gamma_prefill : std::vector<float>(channels, 7.0f),
                         beta_grad = r.accumulate ? in.beta_prefill : std::vector<float>(channels, 7.0f);
      s = instance_norm2d_weight_grad(r.ctx, p, view(x), view(dy), saved.data(), gamma_grad.data(), beta_grad.data(),
                                      r.accumulate);
      ASSERT_TRUE(s.ok()) << r.at << describe(s);
      expect_parameter_grads("instance norm", r, in, per_channel, gamma_grad, beta_grad, c.gamma_grad, c.beta_grad);
    }
    std::vector<float> dx = gradient_buffer(r, in.dx_prefill, c.shape);
    s = instance_norm2d_input_grad(r.ctx, p, view(x), view(dy), gamma, saved.data(), view(dx), r.accumulate);
    ASSERT_TRUE(s.ok()) << r.at << describe(s);
    expect_close("instance norm input grad", r.at + "input_grad", from_layout(dx, c.shape, r.layout).data(),
                 want(c.input_grad, dx.size(), r.accumulate ? &in.dx_prefill : nullptr).data(), dx.size(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, InstanceNormGolden, ::testing::ValuesIn(norm::kInstanceNormCases), CaseName());

}  // namespace
}  // namespace utrain::golden
