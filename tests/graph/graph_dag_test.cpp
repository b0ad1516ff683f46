// Graphs beyond a sequence: residual branches, flatten, norms and convolutions in the builder,
// the planner and the trainer — what each plans, what it keeps for backward, that gradients
// reach both branches of an add, that frozen and bias-only layers plan and train only what they
// should, and that the arena a step really uses is the planned total.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "graph/mlperf_tiny.h"
#include "graph/trainer.h"
#include "support/status_text.h"

namespace utrain {
namespace {

using testing::status_text;

Window2d k3() {
  Window2d w;
  w.kernel_h = w.kernel_w = 3;
  w.pad = Padding2d::same(1);
  return w;
}

// input 2×6×6 → conv 4 → BN → ReLU → [conv 4 → BN] + shortcut → ReLU → pool → flatten → linear 3
Model small_residual(Layout layout) {
  Model m(2, 6, 6, layout);
  m.conv2d(4, k3()).batch_norm2d().relu();
  const int block_in = m.last();
  m.conv2d(4, k3()).batch_norm2d();
  const int main_path = m.last();
  m.from(block_in).add(main_path).relu().global_avg_pool().flatten().linear(3);
  return m;
}

TrainConfig sgd(int32_t batch = 1) {
  TrainConfig c;
  c.batch = batch;
  c.loss = LossKind::softmax_cross_entropy;
  c.optimizer.lr = 0.05f;
  return c;
}

struct TrainedGraph {
  Model model;
  Plan plan;
  std::vector<unsigned char> memory;
  SerialTeam team;
  Trainer trainer;

  explicit TrainedGraph(const Model& m, TrainConfig config = sgd()) : model(m) {
    EXPECT_TRUE(model.status().ok()) << status_text(model.status());
    EXPECT_TRUE(plan_training(model, config, &plan).ok());
    memory.assign(plan.summary.total_bytes, 0);
    EXPECT_TRUE(trainer.init(model, config, plan, ExecContext{&team, IsaSet::generic_only()}, memory.data(),
                             memory.size())
                    .ok());
    EXPECT_TRUE(trainer.initialize(3).ok());
  }
  float step(const std::vector<float>& x, int32_t label) {
    float loss = 0.0f;
    const Status s = trainer.train_step(x.data(), Target::classes(&label), &loss);
    EXPECT_TRUE(s.ok()) << status_text(s);
    return loss;
  }
};

std::vector<float> random_input(size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(count);
  for (float& v : x) v = rng.uniform_symmetric(1.0f);
  return x;
}

TEST(GraphModel, builder_records_branches_shapes_and_macs) {
  const Model m = small_residual(Layout::chw);
  ASSERT_TRUE(m.status().ok()) << status_text(m.status());
  const Node& add = m.node(6);
  EXPECT_EQ(add.kind, NodeKind::add);
  EXPECT_EQ(add.input, 3);         // the block input's ReLU, after from()
  EXPECT_EQ(add.second_input, 5);  // the main path's BN
  EXPECT_EQ(m.node(m.output_node()).sample, (Shape{1, 3, 1, 1}));
  // Two 3×3 convolutions over 6×6, then the Linear.
  EXPECT_EQ(m.forward_macs(), 4 * 36 * 2 * 9 + 4 * 36 * 4 * 9 + 4 * 3);
}

TEST(GraphModel, mlperf_tiny_models_have_the_reference_shapes) {
  const Model ds = ds_cnn_model(), rn = resnet8_model(Layout::hwc), dae = deep_autoencoder_model();
  ASSERT_TRUE(ds.status().ok()) << status_text(ds.status());
  ASSERT_TRUE(rn.status().ok()) << status_text(rn.status());
  EXPECT_EQ(ds.forward_macs(), 2656768);
  EXPECT_EQ(rn.forward_macs(), 12501632);
  EXPECT_EQ(dae.forward_macs(), 264192);
  EXPECT_EQ(ds.node(1).sample, (Shape{1, 64, 25, 5}));
  EXPECT_EQ(ds.output_features(), 12);
  EXPECT_EQ(rn.output_features(), 10);
}

TEST(GraphModel, builder_errors_name_the_problem) {
  EXPECT_EQ(std::string(Model(8).conv2d(4, k3()).status().what()),
            "needs an image input (Model(channels, height, width))");
  EXPECT_EQ(std::string(Model(2, 4, 4).linear(3).status().what()), "model: linear after an image needs flatten() first");
  Model m(2, 4, 4);
  m.conv2d(3, k3());
  EXPECT_EQ(m.add(0).status().code(), StatusCode::shape_mismatch);  // 3 channels + 2 channels
  EXPECT_EQ(std::string(Model(2, 4, 4).add(9).status().what()), "model: add() names a node that does not exist");
  EXPECT_EQ(std::string(Model(2, 4, 4).from(-1).status().what()), "model: from() names a node that does not exist");
  EXPECT_EQ(std::string(Model(2, 4, 4).relu().train_bias_only().status().what()),
            "model: train_bias_only() must follow a layer with a bias");
  Window2d too_big;
  too_big.kernel_h = too_big.kernel_w = 9;
  EXPECT_EQ(Model(2, 4, 4).conv2d(3, too_big).status().code(), StatusCode::shape_mismatch);
}

TEST(GraphPlan, a_branch_that_ends_nowhere_is_an_error) {
  Model m(2, 4, 4);
  m.conv2d(3, k3());
  m.from(0).conv2d(5, k3()).global_avg_pool().flatten().linear(2);
  Plan plan;
  EXPECT_EQ(std::string(plan_training(m, sgd(), &plan).what()),
            "plan: only the last node may be unread (a branch that ends nowhere)");
}

TEST(GraphPlan, flatten_shares_its_input_buffer) {
  const Model m = small_residual(Layout::hwc);
  Plan plan;
  ASSERT_TRUE(plan_training(m, sgd(), &plan).ok());
  const int flatten = m.output_node() - 1;
  ASSERT_EQ(m.node(flatten).kind, NodeKind::reshape);
  EXPECT_TRUE(plan.nodes[flatten].aliases_input);
  EXPECT_EQ(plan.nodes[flatten].output.offset, plan.nodes[flatten - 1].output.offset);
  EXPECT_EQ(plan.nodes[flatten].output_grad.offset, plan.nodes[flatten - 1].output_grad.offset);
}

TEST(GraphPlan, keeps_only_what_backward_reads) {
  Model m(2, 6, 6);
  m.conv2d(4, k3()).freeze().relu().conv2d(4, k3()).freeze().relu().global_avg_pool().flatten().linear(3);
  Plan frozen, trained;
  ASSERT_TRUE(plan_training(m, sgd(), &frozen).ok());
  Model t(2, 6, 6);
  t.conv2d(4, k3()).relu().conv2d(4, k3()).relu().global_avg_pool().flatten().linear(3);
  ASSERT_TRUE(plan_training(t, sgd(), &trained).ok());
  // Frozen feature extractor: no gradients flow into it, so no activation gradients, no kept
  // activations for its backward and no backward workspace.
  EXPECT_FALSE(frozen.nodes[1].runs_backward);
  EXPECT_EQ(frozen.nodes[1].output_grad.bytes, 0u);
  EXPECT_EQ(frozen.nodes[1].backward_workspace.bytes, 0u);
  EXPECT_LT(frozen.summary.activation_grads, trained.summary.activation_grads);
  EXPECT_LT(frozen.summary.total_bytes, trained.summary.total_bytes);
  // The Linear's weight gradient (batch 1: dz ⊗ x) is formed by its update, never stored.
  EXPECT_TRUE(frozen.nodes[m.output_node()].weight_update_from_outer);
  EXPECT_EQ(frozen.summary.gradients, 3 * sizeof(float));
}

TEST(GraphPlan, bias_only_layers_plan_bias_gradients_only) {
  Model m(2, 6, 6);
  m.conv2d(4, k3()).train_bias_only().relu().global_avg_pool().flatten().linear(3).train_bias_only();
  Plan plan;
  ASSERT_TRUE(plan_training(m, sgd(), &plan).ok());
  EXPECT_EQ(plan.nodes[1].weight_grad.bytes, 0u);
  EXPECT_EQ(plan.nodes[1].bias_grad.bytes, 4 * sizeof(float));
  EXPECT_EQ(plan.summary.gradients, (4 + 3) * sizeof(float));
  // The convolution's bias gradient needs no input and no im2col: nothing kept, no workspace.
  EXPECT_EQ(plan.nodes[1].backward_workspace.bytes, 0u);
  TrainedGraph g(m);
  const ParameterView w = g.trainer.parameter(0), b = g.trainer.parameter(1);
  const std::vector<float> w_before(w.values, w.values + w.count), b_before(b.values, b.values + b.count);
  g.step(random_input(72, 4), 2);
  EXPECT_EQ(std::vector<float>(w.values, w.values + w.count), w_before);
  EXPECT_NE(std::vector<float>(b.values, b.values + b.count), b_before);
}

TEST(GraphTrainer, planned_total_is_what_a_step_uses_and_training_learns) {
  for (Layout layout : {Layout::chw, Layout::hwc}) {
    TrainedGraph s(small_residual(layout));
    const std::vector<float> x = random_input(2 * 6 * 6, 11);
    const float first = s.step(x, 1);
    float last = first;
    for (int i = 0; i < 30; ++i) last = s.step(x, 1);
    EXPECT_LT(last, 0.5f * first) << layout_name(layout);
    EXPECT_LE(s.trainer.arena_peak(), s.plan.summary.total_bytes);
  }
}

TEST(GraphTrainer, gradient_reaches_both_branches_of_an_add) {
  // Only the main path's convolution trains; the shortcut is the identity. If add dropped the
  // gradient of either branch, this layer would not learn (main) or the loss would be wrong.
  TrainedGraph s(small_residual(Layout::chw));
  const ParameterView main_conv = s.trainer.parameter(6);  // node 4's weight, after conv1 (2) and BN1 (4)
  ASSERT_EQ(main_conv.node, 4);
  ASSERT_EQ(main_conv.role, ParamRole::weight);
  const std::vector<float> before(main_conv.values, main_conv.values + main_conv.count);
  const ParameterView first_conv = s.trainer.parameter(0);
  const std::vector<float> first_before(first_conv.values, first_conv.values + first_conv.count);
  s.step(random_input(2 * 6 * 6, 5), 2);
  EXPECT_NE(std::vector<float>(main_conv.values, main_conv.values + main_conv.count), before);
  // The first conv feeds both branches: it learns from both.
  EXPECT_NE(std::vector<float>(first_conv.values, first_conv.values + first_conv.count), first_before);
}

TEST(GraphTrainer, frozen_and_bias_only_layers_keep_what_they_must) {
  Model m(2, 6, 6);
  m.conv2d(4, k3()).freeze().batch_norm2d().train_bias_only().relu().global_avg_pool().flatten().linear(3);
  TrainedGraph s(m);
  auto copy = [&](int p) {
    const ParameterView v = s.trainer.parameter(p);
    return std::vector<float>(v.values, v.values + v.count);
  };
  const std::vector<float> conv_w = copy(0), conv_b = copy(1), gamma = copy(2), beta = copy(3);
  s.step(random_input(72, 1), 0);
  s.step(random_input(72, 2), 1);
  EXPECT_EQ(copy(0), conv_w);
  EXPECT_EQ(copy(1), conv_b);
  EXPECT_EQ(copy(2), gamma);  // bias-only BN: gamma stays
  EXPECT_NE(copy(3), beta);   // beta trains
  EXPECT_NE(copy(4), std::vector<float>(4, 0.0f));  // running mean moved (training-mode statistics)
}

TEST(GraphTrainer, inference_uses_running_statistics) {
  TrainedGraph s(small_residual(Layout::chw));
  const std::vector<float> x = random_input(72, 9);
  const float* out = nullptr;
  ASSERT_TRUE(s.trainer.forward(x.data(), 1, &out).ok());
  const std::vector<float> fresh(out, out + 3);
  s.step(x, 0);  // moves the running statistics and the weights
  ASSERT_TRUE(s.trainer.forward(x.data(), 1, &out).ok());
  EXPECT_NE(std::vector<float>(out, out + 3), fresh);
  // Evaluation is deterministic: the same input gives the same output twice.
  const std::vector<float> once(out, out + 3);
  ASSERT_TRUE(s.trainer.forward(x.data(), 1, &out).ok());
  EXPECT_EQ(std::vector<float>(out, out + 3), once);
}

TEST(GraphTrainer, a_decoder_reshapes_features_into_an_image_without_a_copy) {
  // Linear → reshape to 2×3×3 → transposed convolution up to 1×6×6 → flatten → Linear.
  Window2d up;
  up.kernel_h = up.kernel_w = 2;
  up.stride_h = up.stride_w = 2;
  Model m(6);
  m.linear(18).tanh().reshape(2, 3, 3).conv_transpose2d(1, up).tanh().flatten().linear(3);
  TrainedGraph g(m);
  EXPECT_EQ(m.node(4).sample, (Shape{1, 1, 6, 6}));
  EXPECT_TRUE(g.plan.nodes[3].aliases_input);
  EXPECT_EQ(g.plan.nodes[3].output.offset, g.plan.nodes[1].output.offset);  // the fused Linear+tanh buffer
  const std::vector<float> x = random_input(6, 8);
  const float first = g.step(x, 2);
  float last = first;
  for (int i = 0; i < 30; ++i) last = g.step(x, 2);
  EXPECT_LT(last, 0.5f * first);
  EXPECT_EQ(Model(6).linear(18).reshape(2, 3, 4).status().code(), StatusCode::shape_mismatch);
}

TEST(GraphPlan, mlperf_tiny_cnns_plan_and_report_peak_memory) {
  for (Layout layout : {Layout::chw, Layout::hwc}) {
    for (const Model& m : {ds_cnn_model(layout), resnet8_model(layout)}) {
      Plan plan;
      ASSERT_TRUE(plan_training(m, sgd(), &plan).ok());
      const PlanSummary& sum = plan.summary;
      // Every parameter has a gradient buffer but the batch-1 classifier's weight, which its
      // update forms from dz ⊗ x.
      const Node& classifier = m.node(m.output_node());
      ASSERT_EQ(classifier.kind, NodeKind::linear);
      EXPECT_EQ(sum.gradients + static_cast<size_t>(node_weight_count(classifier)) * sizeof(float), sum.parameters);
      // Lifetime sharing: the total is below the sum of every buffer.
      EXPECT_LT(sum.total_bytes, sum.parameters + sum.gradients + sum.running_state + sum.activations +
                                     sum.activation_grads + sum.saved + sum.workspace);
      EXPECT_GT(sum.total_bytes, sum.parameters + sum.gradients);
    }
  }
}

}  // namespace
}  // namespace utrain
