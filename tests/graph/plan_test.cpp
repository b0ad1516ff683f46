#include "graph/plan.h"

#include "graph/mlperf_tiny.h"

#include <gtest/gtest.h>

#include <string>

namespace utrain {
namespace {

// The MLPerf Tiny Deep AutoEncoder.
Model deep_autoencoder() {
  Model m(640);
  for (int32_t width : {128, 128, 128, 128, 8, 128, 128, 128, 128}) m.linear(width).relu();
  m.linear(640);
  return m;
}

TrainConfig sgd_config(int32_t batch = 1) {
  TrainConfig c;
  c.batch = batch;
  c.loss = LossKind::mse;
  c.optimizer.kind = OptimizerKind::sgd;
  c.optimizer.lr = 0.01f;
  return c;
}

TEST(Plan, deep_autoencoder_stores_no_weight_gradient_at_batch_1_and_fuses_relus) {
  const Model m = deep_autoencoder();
  ASSERT_TRUE(m.status().ok());
  EXPECT_EQ(m.forward_macs(), 264192);
  Plan plan;
  ASSERT_TRUE(plan_training(m, sgd_config(), &plan).ok());
  const size_t biases = (128 * 8 + 8 + 640) * sizeof(float), params = 264192 * sizeof(float) + biases;
  EXPECT_EQ(plan.summary.parameters, params);
  // Batch 1: every weight gradient is an outer product its update forms (no buffer); the
  // biases' gradients are stored.
  EXPECT_EQ(plan.summary.gradients, biases);
  EXPECT_EQ(plan.summary.optimizer_state, 0u);  // plain SGD keeps none
  for (int i = 1; i < m.node_count(); ++i)
    EXPECT_EQ(plan.nodes[i].fused_into_previous, m.node(i).kind == NodeKind::activation) << i;
  EXPECT_FALSE(plan.nodes[1].needs_input_grad);  // the first layer sends nothing back
  EXPECT_TRUE(plan.nodes[3].needs_input_grad);
  // Each layer is updated inside the step, so no weight gradient is ever stored: the peak is
  // the parameters plus the step's activations and their gradients.
  EXPECT_TRUE(plan.update_in_backward);
  for (int i = 1; i < m.node_count(); ++i)
    if (m.node(i).kind == NodeKind::linear) {
      EXPECT_TRUE(plan.nodes[i].weight_update_from_outer) << i;
      EXPECT_EQ(plan.nodes[i].weight_grad.bytes, 0u) << i;
    }
  EXPECT_GE(plan.summary.total_bytes, params);
  EXPECT_LT(plan.summary.total_bytes, params + biases + plan.summary.activations + plan.summary.activation_grads + 64);
  // With two samples a gradient is a sum of products and is stored, but only during its
  // layer's backward step: the peak holds about the largest layer's.
  Plan pair;
  ASSERT_TRUE(plan_training(m, sgd_config(2), &pair).ok());
  EXPECT_TRUE(pair.update_in_backward);
  EXPECT_FALSE(pair.nodes[1].weight_update_from_outer);
  EXPECT_EQ(pair.summary.gradients, params);
  EXPECT_GE(pair.summary.total_bytes, params + 640 * 128 * sizeof(float));
  EXPECT_LT(pair.summary.total_bytes, params + 2 * 640 * 128 * sizeof(float) + pair.summary.activations +
                                          pair.summary.activation_grads + 64);
  // Accumulating over steps keeps every gradient for the whole run.
  TrainConfig accumulating = sgd_config();
  accumulating.accumulate_steps = 2;
  Plan kept;
  ASSERT_TRUE(plan_training(m, accumulating, &kept).ok());
  EXPECT_FALSE(kept.update_in_backward);
  EXPECT_GE(kept.summary.total_bytes, 2 * params);
  EXPECT_LT(kept.summary.total_bytes, 2 * params + kept.summary.activations + kept.summary.activation_grads + 64);
}

// DS-CNN's and ResNet8's ReLUs each follow a convolution or a BatchNorm (or a residual add), and
// each of the first two runs in the layer before it.
TEST(Plan, cnn_relus_run_in_the_convolution_or_batch_norm_before_them) {
  for (const Model& m : {ds_cnn_model(), resnet8_model()}) {
    ASSERT_TRUE(m.status().ok());
    Plan plan;
    ASSERT_TRUE(plan_training(m, sgd_config(), &plan).ok());
    int fused = 0;
    for (int i = 1; i < m.node_count(); ++i) {
      if (m.node(i).kind != NodeKind::activation) continue;
      const NodeKind producer = m.node(m.node(i).input).kind;
      EXPECT_EQ(plan.nodes[i].fused_into_previous, producer != NodeKind::add) << i;
      fused += plan.nodes[i].fused_into_previous && producer == NodeKind::batch_norm2d;
    }
    EXPECT_GT(fused, 0);
  }
}

TEST(Plan, momentum_and_adam_add_optimizer_state) {
  const Model m = deep_autoencoder();
  Plan plan;
  TrainConfig c = sgd_config();
  c.optimizer.momentum = 0.9f;
  ASSERT_TRUE(plan_training(m, c, &plan).ok());
  EXPECT_EQ(plan.summary.optimizer_state, plan.summary.parameters);
  c.optimizer = OptimizerConfig{};
  c.optimizer.kind = OptimizerKind::adam;
  c.optimizer.lr = 1e-3f;
  ASSERT_TRUE(plan_training(m, c, &plan).ok());
  EXPECT_EQ(plan.summary.optimizer_state, 2 * plan.summary.parameters);
}

TEST(Plan, frozen_prefix_plans_no_gradients_and_no_input_grad) {
  Model m(10);
  m.linear(20).freeze().relu().linear(5).relu().linear(3);
  ASSERT_TRUE(m.status().ok());
  Plan plan;
  ASSERT_TRUE(plan_training(m, sgd_config(), &plan).ok());
  EXPECT_EQ(plan.nodes[1].weight_grad.bytes, 0u);
  EXPECT_EQ(plan.nodes[1].output_grad.bytes, 0u);  // nothing upstream trains
  EXPECT_FALSE(plan.nodes[3].needs_input_grad);    // so layer 3 sends nothing back either
  // Batch 1: the trained weights' gradients are outer products their updates form, unstored.
  EXPECT_TRUE(plan.nodes[3].weight_update_from_outer);
  EXPECT_EQ(plan.nodes[3].weight_grad.bytes, 0u);
  EXPECT_EQ(plan.summary.gradients, (5 + 3) * sizeof(float));
  Plan pair;
  ASSERT_TRUE(plan_training(m, sgd_config(2), &pair).ok());
  EXPECT_EQ(pair.nodes[1].weight_grad.bytes, 0u);
  EXPECT_NE(pair.nodes[3].weight_grad.bytes, 0u);
  EXPECT_EQ(pair.summary.gradients, (5 * 20 + 5 + 3 * 5 + 3) * sizeof(float));
}

TEST(Plan, inference_needs_less_than_training) {
  const Model m = deep_autoencoder();
  Plan train, infer;
  ASSERT_TRUE(plan_training(m, sgd_config(), &train).ok());
  ASSERT_TRUE(plan_inference(m, 1, &infer).ok());
  EXPECT_FALSE(infer.training);
  EXPECT_EQ(infer.summary.gradients, 0u);
  EXPECT_LT(infer.summary.total_bytes, train.summary.total_bytes);
}

TEST(Plan, batch_scales_activations_only) {
  const Model m = deep_autoencoder();
  Plan one, eight;
  ASSERT_TRUE(plan_training(m, sgd_config(1), &one).ok());
  ASSERT_TRUE(plan_training(m, sgd_config(8), &eight).ok());
  EXPECT_EQ(eight.summary.parameters, one.summary.parameters);
  EXPECT_EQ(eight.summary.activations, 8 * one.summary.activations);
}

TEST(Plan, errors_name_the_problem) {
  Plan plan;
  auto what = [](const Status& s) { return std::string(s.ok() ? "ok" : s.what()); };
  EXPECT_EQ(what(plan_training(Model(4), sgd_config(), &plan)), "plan: the model has no layers");
  Model m(4);
  m.linear(3);
  EXPECT_EQ(what(plan_training(m, sgd_config(0), &plan)), "plan: batch must be at least 1");
  TrainConfig c = sgd_config();
  c.accumulate_steps = 0;
  EXPECT_EQ(what(plan_training(m, c, &plan)), "plan: accumulate_steps must be at least 1");
  Model one_class(4);
  one_class.linear(1);
  c = sgd_config();
  c.loss = LossKind::softmax_cross_entropy;
  EXPECT_EQ(what(plan_training(one_class, c, &plan)), "plan: cross-entropy needs at least two output classes");
  Model bad(4);
  bad.linear(0).relu();
  EXPECT_EQ(what(plan_training(bad, sgd_config(), &plan)), "model: linear out_features must be positive");
  EXPECT_EQ(what(plan_training(m, sgd_config(), nullptr)), "plan: the plan pointer is null");
}

TEST(Model, builder_errors_are_sticky_and_name_the_call) {
  Model m(8);
  m.relu().freeze().linear(4);
  EXPECT_EQ(std::string(m.status().what()), "model: freeze() must follow a layer with parameters");
  EXPECT_EQ(m.node_count(), 2);  // nothing appended after the error
  Model big(2);
  for (int i = 0; i < Model::kMaxNodes; ++i) big.relu();
  EXPECT_EQ(big.status().code(), StatusCode::out_of_memory);
  EXPECT_EQ(Model(0).status().code(), StatusCode::invalid_argument);
  EXPECT_EQ(Model(3).leaky_relu(-1.0f).status().code(), StatusCode::invalid_argument);
}

}  // namespace
}  // namespace utrain
