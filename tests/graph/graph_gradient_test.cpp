// The whole graph's backward pass against finite differences of its own loss: every parameter
// gradient of a model that mixes every node kind (convolution, depthwise, transposed convolution,
// instance and layer norm, a residual add, pooling, flatten, Linear, fused and standalone
// activations), in both layouts and with a batch of two. Layer tests check each step alone; this
// checks that the trainer wires them: which buffer each step reads, that gradients of a node
// read twice are summed, that a fused activation is taken off before the weight gradient.
//
// Smooth activations only (Sigmoid, Tanh) and average pooling, so no value sits on a kink.
// accumulate_steps is large so train_step computes gradients and the loss without updating.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "core/rng.h"
#include "graph/trainer.h"
#include "support/finite_difference.h"
#include "support/status_text.h"

namespace utrain {
namespace {

Window2d window(int32_t k, int32_t stride, Padding2d pad) {
  Window2d w;
  w.kernel_h = w.kernel_w = k;
  w.stride_h = w.stride_w = stride;
  w.pad = pad;
  return w;
}

// input 2×7×6 → conv 3 (3×3, pad 1) + sigmoid (fused) → instance norm → [depthwise 3×3 + tanh] + skip
// → avg pool 2×2/2 → batch norm + sigmoid (fused) → transposed conv 2 (2×2/2) → layer norm → flatten
// → linear 5 + tanh → linear 3
Model mixed_model(Layout layout) {
  Model m(2, 7, 6, layout);
  m.conv2d(3, window(3, 1, Padding2d::same(1))).sigmoid().instance_norm2d();
  const int skip = m.last();
  m.depthwise_conv2d(window(3, 1, Padding2d{1, 1, 0, 2})).tanh().add(skip);
  m.avg_pool2d(window(2, 2, Padding2d{})).batch_norm2d().sigmoid();
  m.conv_transpose2d(2, window(2, 2, Padding2d{}), 0, 0).layer_norm();
  m.flatten().linear(5).tanh().linear(3);
  return m;
}

class GraphGradient : public ::testing::TestWithParam<Layout> {};

TEST_P(GraphGradient, every_parameter_gradient_matches_finite_differences) {
  const Model model = mixed_model(GetParam());
  ASSERT_TRUE(model.status().ok()) << testing::status_text(model.status());
  TrainConfig config;
  config.batch = 2;
  config.loss = LossKind::softmax_cross_entropy;
  config.accumulate_steps = 1 << 20;  // never update during the test
  Plan plan;
  ASSERT_TRUE(plan_training(model, config, &plan).ok());
  std::vector<unsigned char> memory(plan.summary.total_bytes);
  SerialTeam team;
  Trainer trainer;
  ASSERT_TRUE(trainer.init(model, config, plan, ExecContext{&team, IsaSet::generic_only()}, memory.data(),
                           memory.size())
                  .ok());
  ASSERT_TRUE(trainer.initialize(17).ok());
  // Biases drawn small would leave the norms' inputs nearly constant; spread every array a bit.
  Rng rng(5);
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    const ParameterView v = trainer.parameter(p);
    for (size_t k = 0; k < v.count; ++k) v.values[k] += 0.2f * rng.uniform_symmetric(1.0f);
  }
  std::vector<float> x(2 * 2 * 7 * 6);
  for (float& v : x) v = rng.uniform_symmetric(1.0f);
  const int32_t labels[2] = {2, 0};

  auto loss = [&] {
    float value = 0.0f;
    EXPECT_TRUE(trainer.train_step(x.data(), Target::classes(labels), &value).ok());
    return static_cast<double>(value);
  };
  loss();  // the first step's gradients, before any accumulation
  // BatchNorm's running statistics are state, not trained: they have no gradient.
  const auto trained = [&](int p) {
    const ParamRole role = trainer.parameter(p).role;
    return role != ParamRole::running_mean && role != ParamRole::running_var;
  };
  std::vector<std::vector<float>> analytic(static_cast<size_t>(trainer.parameter_count()));
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    if (!trained(p)) continue;
    const ParameterView g = trainer.gradient(p);
    ASSERT_NE(g.values, nullptr) << "parameter " << p;
    analytic[static_cast<size_t>(p)].assign(g.values, g.values + g.count);
  }
  for (int p = 0; p < trainer.parameter_count(); ++p) {
    if (!trained(p)) continue;
    const ParameterView v = trainer.parameter(p);
    const testing::NumericalGradient numerical = testing::numerical_gradient(loss, std::span<float>(v.values, v.count));
    const std::string what = "node " + std::to_string(v.node) + " (" + node_kind_name(model.node(v.node).kind) +
                             ") " + param_role_name(v.role) + " " + layout_name(model.layout());
    EXPECT_TRUE(testing::gradients_agree(what.c_str(), analytic[static_cast<size_t>(p)], numerical,
                                         testing::GradientTolerance{2e-3, 2e-3}));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, GraphGradient, ::testing::Values(Layout::chw, Layout::hwc),
                         [](const ::testing::TestParamInfo<Layout>& param) {
                           return std::string(param.param == Layout::chw ? "chw" : "hwc");
                         });

}  // namespace
}  // namespace utrain
