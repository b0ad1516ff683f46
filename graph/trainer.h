// Trainer: runs a planned model in one caller-provided block of memory. No allocation happens
// after init(); a training step is forward, loss, backward and (every accumulate_steps steps) an
// optimizer update.
//
//   Plan plan;  plan_training(model, config, &plan);           // plan.summary.total_bytes
//   Trainer t;  t.init(model, config, plan, ctx, memory, bytes);
//   t.initialize(seed);                                          // or load weights via parameter()
//   t.train_step(x, Target::classes(labels), &loss);
//
// Parameters are listed in node order, weight before bias, for checkpoints and golden tests.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "graph/model.h"
#include "graph/plan.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_kernel.h"
#include "layers/init.h"

namespace utrain {

// What the loss compares the output with: class indices (cross-entropy) or values (MSE, L1),
// one row per sample.
struct Target {
  const int32_t* labels = nullptr;
  const float* values = nullptr;
  static Target classes(const int32_t* labels) { return Target{labels, nullptr}; }
  static Target regression(const float* values) { return Target{nullptr, values}; }
};

struct ParameterView {
  int node = 0;
  bool is_bias = false;
  float* values = nullptr;
  size_t count = 0;
};

enum class Step : uint8_t { forward, weight_grad, input_grad };

class Trainer {
 public:
  // Lays the plan out in `memory` (at least plan.summary.total_bytes, any alignment). Parameters
  // start at zero; call initialize() or write them through parameter().
  Status init(const Model& model, const TrainConfig& config, const Plan& plan, const ExecContext& ctx,
              void* memory, size_t bytes);

  // Draws every parameter, deterministically for a seed on every target, and resets the optimizer.
  // Parameter i (in parameter() order) uses its own generator Rng(seed, i) and draws its values
  // in memory order: a Linear weight is he_uniform when the layer's output goes through ReLU or
  // LeakyReLU (the next node), glorot_uniform otherwise; a bias is pytorch_bias (layers/init.h).
  // tests/golden/portable_rng.py mirrors this rule for the golden fixtures.
  Status initialize(uint64_t seed);

  // One training step on a batch of config.batch samples (row-major, batch × input_features).
  // `loss` receives the batch's loss before the update.
  Status train_step(const float* input, Target target, float* loss);

  // Inference on `batch` <= the planned batch samples; *output points to batch × output_features
  // values inside the arena, valid until the next call.
  Status forward(const float* input, int32_t batch, const float** output);

  // Uses this kernel for one step of one Linear node instead of the default choice.
  Status set_kernel(int node, Step step, const MatMulKernel* kernel);

  int parameter_count() const;
  ParameterView parameter(int index) const;
  // Zeroes the optimizer state and the accumulated gradients (e.g. after loading weights).
  void reset_optimizer();

  const Plan& plan() const { return *plan_; }
  int64_t steps_taken() const { return steps_; }
  int64_t updates_done() const { return updates_; }
  size_t arena_peak() const { return arena_.peak(); }

 private:
  float* at(const BufferSlot& slot) const;
  Status forward_pass(const float* input, int32_t batch);
  Status backward_pass(const float* input);
  Status update();

  const Model* model_ = nullptr;
  TrainConfig config_;
  const Plan* plan_ = nullptr;
  ExecContext ctx_;
  Arena arena_;
  uint8_t* base_ = nullptr;
  const MatMulKernel* kernels_[Model::kMaxNodes][3] = {};
  int64_t steps_ = 0;
  int64_t updates_ = 0;
};

}  // namespace utrain
