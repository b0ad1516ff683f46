// Mechanics of the Trainer, checked against independent paths: a hand-written composition of the
// layer calls in separate buffers (no planning, no fusion), batch vs gradient accumulation,
// frozen layers, explicit kernels, teams, and the errors. Numerical agreement with PyTorch is
// tests/golden's job.
#include "graph/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "layers/activation.h"
#include "layers/loss.h"
#include "support/test_teams.h"

namespace utrain {
namespace {

struct Harness {
  Model model;
  TrainConfig config;
  Plan plan;
  std::vector<unsigned char> memory;
  Trainer trainer;

  Harness(Model m, TrainConfig c, int members = 1) : model(m), config(c) {
    EXPECT_TRUE(plan_training(model, config, &plan).ok());
    memory.assign(plan.summary.total_bytes + 256, 0xA5);  // 256 guard bytes after the block
    const ExecContext ctx{&testing::team_of(members), IsaSet::generic_only()};
    EXPECT_TRUE(trainer.init(model, config, plan, ctx, memory.data(), plan.summary.total_bytes).ok());
    EXPECT_TRUE(trainer.initialize(11).ok());
  }
  bool guard_intact() const {
    for (size_t i = plan.summary.total_bytes; i < memory.size(); ++i)
      if (memory[i] != 0xA5) return false;
    return true;
  }
  std::vector<float> parameters() const {
    std::vector<float> all;
    for (int p = 0; p < trainer.parameter_count(); ++p) {
      const ParameterView v = trainer.parameter(p);
      all.insert(all.end(), v.values, v.values + v.count);
    }
    return all;
  }
};

Model mlp() {
  Model m(6);
  m.linear(9).relu().linear(7).tanh().linear(4);
  return m;
}

TrainConfig config(LossKind loss, int32_t batch, float momentum = 0.0f) {
  TrainConfig c;
  c.batch = batch;
  c.loss = loss;
  c.optimizer.lr = 0.05f;
  c.optimizer.momentum = momentum;
  return c;
}

std::vector<float> random_values(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform_symmetric(1.0f);
  return v;
}

// The same MLP trained by calling the layers directly, each buffer separate, activations unfused.
struct ManualMlp {
  std::vector<std::vector<float>> w, b;
  std::vector<float> step(const float* x, const int32_t* labels, int32_t batch, float lr, float* loss) {
    const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
    const int32_t widths[] = {6, 9, 7, 4};
    const Activation acts[] = {Activation::relu, Activation::tanh, Activation::none};
    std::vector<std::vector<float>> outs(4);  // outs[l]: output of layer l after its activation
    outs[0].assign(x, x + batch * 6);
    for (int l = 0; l < 3; ++l) {
      const LinearParams p{widths[l], widths[l + 1], true};
      outs[l + 1].assign(static_cast<size_t>(batch * widths[l + 1]), 0.0f);
      const TensorView in = TensorView::matrix(outs[l].data(), batch, widths[l]);
      const TensorView out = TensorView::matrix(outs[l + 1].data(), batch, widths[l + 1]);
      EXPECT_TRUE(linear_forward(ctx, p, in, w[l].data(), b[l].data(), out).ok());
      if (acts[l] != Activation::none) {
        EXPECT_TRUE(activation_forward(ctx, {acts[l]}, out, out).ok());
      }
    }
    std::vector<float> grad(static_cast<size_t>(batch * 4));
    EXPECT_TRUE(softmax_cross_entropy(TensorView::matrix(outs[3].data(), batch, 4), labels, Reduction::mean, loss,
                                      TensorView::matrix(grad.data(), batch, 4))
                    .ok());
    for (int l = 2; l >= 0; --l) {
      const LinearParams p{widths[l], widths[l + 1], true};
      const TensorView y = TensorView::matrix(outs[l + 1].data(), batch, widths[l + 1]);
      const TensorView dy = TensorView::matrix(grad.data(), batch, widths[l + 1]);
      if (acts[l] != Activation::none) {
        EXPECT_TRUE(activation_backward(ctx, {acts[l]}, y, dy, dy).ok());
      }
      std::vector<float> dw(w[l].size()), db(b[l].size()), dx(static_cast<size_t>(batch * widths[l]));
      EXPECT_TRUE(linear_weight_grad(ctx, p, TensorView::matrix(outs[l].data(), batch, widths[l]), dy, dw.data(),
                                     db.data(), false)
                      .ok());
      EXPECT_TRUE(linear_input_grad(ctx, p, dy, w[l].data(), TensorView::matrix(dx.data(), batch, widths[l]), false)
                      .ok());
      for (size_t i = 0; i < dw.size(); ++i) w[l][i] -= lr * dw[i];
      for (size_t i = 0; i < db.size(); ++i) b[l][i] -= lr * db[i];
      grad = dx;
    }
    std::vector<float> all;
    for (int l = 0; l < 3; ++l) {
      all.insert(all.end(), w[l].begin(), w[l].end());
      all.insert(all.end(), b[l].begin(), b[l].end());
    }
    return all;
  }
};

TEST(Trainer, matches_hand_composed_layers_over_several_steps) {
  Harness h(mlp(), config(LossKind::softmax_cross_entropy, 3));
  ManualMlp manual;
  for (int p = 0; p < h.trainer.parameter_count(); p += 2) {
    const ParameterView w = h.trainer.parameter(p), b = h.trainer.parameter(p + 1);
    manual.w.emplace_back(w.values, w.values + w.count);
    manual.b.emplace_back(b.values, b.values + b.count);
  }
  const int32_t labels[] = {0, 3, 2};
  for (int s = 0; s < 5; ++s) {
    const std::vector<float> x = random_values(18, 100 + s);
    float got = 0, want = 0;
    ASSERT_TRUE(h.trainer.train_step(x.data(), Target::classes(labels), &got).ok());
    const std::vector<float> want_params = manual.step(x.data(), labels, 3, 0.05f, &want);
    EXPECT_NEAR(got, want, 1e-6f) << "step " << s;
    const std::vector<float> got_params = h.parameters();
    ASSERT_EQ(got_params.size(), want_params.size());
    for (size_t i = 0; i < got_params.size(); ++i) ASSERT_NEAR(got_params[i], want_params[i], 1e-6f) << i;
  }
  EXPECT_TRUE(h.guard_intact());
  EXPECT_LE(h.trainer.arena_peak(), h.plan.summary.total_bytes);
}

TEST(Trainer, accumulating_two_single_samples_equals_one_batch_of_two) {
  const std::vector<float> x = random_values(12, 5), target = random_values(8, 6);
  Harness batch2(mlp(), config(LossKind::mse, 2, 0.9f));
  TrainConfig acc = config(LossKind::mse, 1, 0.9f);
  acc.accumulate_steps = 2;
  Harness accumulated(mlp(), acc);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(batch2.trainer.train_step(x.data(), Target::regression(target.data()), nullptr).ok());
    ASSERT_TRUE(accumulated.trainer.train_step(x.data(), Target::regression(target.data()), nullptr).ok());
    EXPECT_EQ(accumulated.trainer.updates_done(), round);  // no update after the first half
    ASSERT_TRUE(accumulated.trainer.train_step(x.data() + 6, Target::regression(target.data() + 4), nullptr).ok());
  }
  EXPECT_EQ(accumulated.trainer.updates_done(), 3);
  const std::vector<float> a = batch2.parameters(), b = accumulated.parameters();
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 2e-6f) << i;
}

TEST(Trainer, frozen_layer_keeps_its_weights_and_others_learn) {
  Model m(6);
  m.linear(9).freeze().relu().linear(4);
  Harness h(m, config(LossKind::softmax_cross_entropy, 1));
  const std::vector<float> before = h.parameters();
  const int32_t label = 2;
  for (int s = 0; s < 3; ++s) {
    const std::vector<float> x = random_values(6, 40 + s);
    ASSERT_TRUE(h.trainer.train_step(x.data(), Target::classes(&label), nullptr).ok());
  }
  const std::vector<float> after = h.parameters();
  const size_t frozen = 6 * 9 + 9;
  for (size_t i = 0; i < frozen; ++i) ASSERT_EQ(before[i], after[i]);
  bool changed = false;
  for (size_t i = frozen; i < after.size(); ++i) changed |= before[i] != after[i];
  EXPECT_TRUE(changed);
}

TEST(Trainer, any_kernel_of_the_right_form_and_any_team_give_the_same_training) {
  const std::vector<float> x = random_values(12, 8);
  const int32_t labels[] = {1, 0};
  Harness reference(mlp(), config(LossKind::softmax_cross_entropy, 2));
  Harness naive(mlp(), config(LossKind::softmax_cross_entropy, 2), 3);
  for (int node : {1, 3, 5}) {
    ASSERT_TRUE(naive.trainer.set_kernel(node, LayerStep::forward, find_matmul_kernel("mm_f32_n_t_1x1_u1_par_m")).ok());
    ASSERT_TRUE(naive.trainer.set_kernel(node, LayerStep::weight_grad, find_matmul_kernel("mm_f32_t_n_1x1_u1_par_n")).ok());
    ASSERT_TRUE(naive.trainer.set_kernel(node, LayerStep::input_grad, find_matmul_kernel("mm_f32_n_n_1x1_u1_par_m")).ok());
  }
  for (int s = 0; s < 4; ++s) {
    float a = 0, b = 0;
    ASSERT_TRUE(reference.trainer.train_step(x.data(), Target::classes(labels), &a).ok());
    ASSERT_TRUE(naive.trainer.train_step(x.data(), Target::classes(labels), &b).ok());
    EXPECT_NEAR(a, b, 1e-5f);
  }
  EXPECT_EQ(naive.trainer.set_kernel(2, LayerStep::forward, static_cast<const MatMulKernel*>(nullptr)).what(),
            std::string("trainer: a matrix-multiply kernel needs a Linear or convolution node"));
}

TEST(Trainer, initialize_is_deterministic_and_respects_he_bounds) {
  Harness a(mlp(), config(LossKind::mse, 1)), b(mlp(), config(LossKind::mse, 1));
  EXPECT_EQ(a.parameters(), b.parameters());
  ASSERT_TRUE(b.trainer.initialize(12).ok());
  EXPECT_NE(a.parameters(), b.parameters());
  const ParameterView w0 = a.trainer.parameter(0);  // 6 -> 9 followed by ReLU: He, sqrt(6/6) = 1
  const ParameterView w1 = a.trainer.parameter(2);  // 9 -> 7 followed by tanh: Glorot sqrt(6/16)
  for (size_t i = 0; i < w0.count; ++i) ASSERT_LE(std::fabs(w0.values[i]), 1.0f);
  for (size_t i = 0; i < w1.count; ++i) ASSERT_LE(std::fabs(w1.values[i]), std::sqrt(6.0f / 16.0f));
}

TEST(Trainer, forward_serves_smaller_batches_than_planned) {
  Harness h(mlp(), config(LossKind::mse, 4));
  const std::vector<float> x = random_values(24, 9);
  const float* out4 = nullptr;
  ASSERT_TRUE(h.trainer.forward(x.data(), 4, &out4).ok());
  const std::vector<float> first_row(out4, out4 + 4);
  const float* out1 = nullptr;
  ASSERT_TRUE(h.trainer.forward(x.data(), 1, &out1).ok());
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out1[i], first_row[static_cast<size_t>(i)], 1e-6f);
  EXPECT_EQ(h.trainer.forward(x.data(), 5, &out1).code(), StatusCode::invalid_argument);
}

TEST(Trainer, errors_name_the_problem) {
  const Model m = mlp();
  const TrainConfig c = config(LossKind::softmax_cross_entropy, 2);
  Plan plan;
  ASSERT_TRUE(plan_training(m, c, &plan).ok());
  std::vector<unsigned char> memory(plan.summary.total_bytes);
  const ExecContext ctx{&testing::team_of(1), IsaSet::generic_only()};
  Trainer t;
  const Status small = t.init(m, c, plan, ctx, memory.data(), memory.size() - 1);
  EXPECT_EQ(small.code(), StatusCode::out_of_memory);
  EXPECT_EQ(small.expected(), static_cast<int64_t>(plan.summary.total_bytes));
  TrainConfig other = c;
  other.batch = 3;
  EXPECT_EQ(std::string(t.init(m, other, plan, ctx, memory.data(), memory.size()).what()),
            "trainer: the plan was made for another batch size");
  ASSERT_TRUE(t.init(m, c, plan, ctx, memory.data(), memory.size()).ok());
  const std::vector<float> x = random_values(12, 1);
  EXPECT_EQ(std::string(t.train_step(x.data(), Target::regression(x.data()), nullptr).what()),
            "trainer: cross-entropy needs class labels");
  const int32_t bad_labels[] = {0, 4};
  EXPECT_FALSE(t.train_step(x.data(), Target::classes(bad_labels), nullptr).ok());
  Plan inference;
  ASSERT_TRUE(plan_inference(m, 2, &inference).ok());
  Trainer infer;
  ASSERT_TRUE(infer.init(m, c, inference, ctx, memory.data(), memory.size()).ok());
  const int32_t labels[] = {0, 1};
  EXPECT_EQ(std::string(infer.train_step(x.data(), Target::classes(labels), nullptr).what()),
            "trainer: the plan is an inference plan");
}

}  // namespace
}  // namespace utrain
