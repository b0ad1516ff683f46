// Trainer: runs a planned model in one caller-provided block of memory. No allocation happens
// after init(); a training step is forward, loss, backward and (every accumulate_steps steps) an
// optimizer update.
//
//   Plan plan;  plan_training(model, config, &plan);           // plan.summary.total_bytes
//   Trainer t;  t.init(model, config, plan, ctx, memory, bytes);
//   t.initialize(seed);                                          // or load weights via parameter()
//   t.train_step(x, Target::classes(labels), &loss);
//
// Parameters are listed in node order, for checkpoints and golden tests: per node its weight
// (gamma of a norm), bias (beta), then BatchNorm's running mean and running variance, which
// are state rather than trained values — the order of a PyTorch state_dict.
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

// The parts of a training step that a StepProbe sees: a node's forward step, the backward of the
// activation fused into it, its weight- and input-gradient steps and its optimizer update, and
// the loss.
enum class TrainPhase : uint8_t { forward, activation_backward, weight_grad, input_grad, update, loss };

constexpr const char* train_phase_name(TrainPhase p) {
  return p == TrainPhase::forward               ? "fw"
         : p == TrainPhase::activation_backward ? "act_bw"
         : p == TrainPhase::weight_grad         ? "wg"
         : p == TrainPhase::input_grad          ? "ig"
         : p == TrainPhase::update              ? "update"
                                                : "loss";
}

// Called on the calling thread around every part of train_step() and forward(), for measuring
// them apart (e.g. instruction counts of each layer step on a device). begin and end come in
// pairs and never nest. `node` is the node the part belongs to: the layer a fused activation runs
// in for its backward, the output node for the loss. A node's input-gradient steps for both of
// add's inputs are one part.
struct StepProbe {
  void (*begin)(void* user, int node, TrainPhase phase) = nullptr;
  void (*end)(void* user, int node, TrainPhase phase) = nullptr;
  void* user = nullptr;
};

enum class ParamRole : uint8_t { weight, bias, running_mean, running_var };

constexpr const char* param_role_name(ParamRole r) {
  return r == ParamRole::weight ? "weight" : r == ParamRole::bias ? "bias" : r == ParamRole::running_mean ? "running_mean" : "running_var";
}

struct ParameterView {
  int node = 0;
  ParamRole role = ParamRole::weight;
  float* values = nullptr;
  size_t count = 0;
};

class Trainer {
 public:
  // Lays the plan out in `memory` (at least plan.summary.total_bytes, any alignment). Parameters
  // start at zero; call initialize() or write them through parameter().
  Status init(const Model& model, const TrainConfig& config, const Plan& plan, const ExecContext& ctx,
              void* memory, size_t bytes);

  // Draws every parameter, deterministically for a seed on every target, and resets the optimizer
  // and the running statistics. Parameter i (in parameter() order) uses its own generator
  // Rng(seed, i) and draws its values in memory order: a Linear or convolution weight is
  // he_uniform when the layer's output reaches a ReLU or LeakyReLU (its reader, or its reader's
  // reader when that is a norm layer), glorot_uniform otherwise, with PyTorch's fans; a bias is
  // pytorch_bias; a norm's gamma is ones and beta zeros; running means zeros, variances ones
  // (layers/init.h, graph/node_ops.h). tests/golden/portable_rng.py mirrors this rule.
  Status initialize(uint64_t seed);

  // One training step on a batch of config.batch samples (row-major, batch × input_features).
  // `loss` receives the batch's loss before the update.
  Status train_step(const float* input, Target target, float* loss);

  // Inference on `batch` <= the planned batch samples (BatchNorm uses its running statistics);
  // *output points to batch × output_features values inside the arena, valid until the next call.
  Status forward(const float* input, int32_t batch, const float** output);

  // Uses this matrix-multiply kernel (Linear, Conv2D, transposed convolution) or depthwise kernel
  // for one step of one node instead of the default choice. (A convolution algorithm changes the
  // workspace, so it is chosen when planning: plan_training's `choices`.)
  Status set_kernel(int node, LayerStep step, const MatMulKernel* kernel);
  Status set_kernel(int node, LayerStep step, const DepthwiseKernel* kernel);

  // Calls the probe's begin and end around each part of every later step; null stops it. The
  // probe is copied.
  Status set_probe(const StepProbe* probe);

  // The kernel step `step` of node `node` runs with (the default choice, or set_kernel's): a
  // matrix-multiply or depthwise table entry, or a direct convolution's function; null for nodes
  // without one, and before init().
  const char* kernel_name(int node, LayerStep step) const;
  // Node i as it runs: with the activation fused into it (for benchmarks that restate its steps).
  Node run_node(int i) const;

  int parameter_count() const;
  ParameterView parameter(int index) const;
  // The gradient buffer of parameter `index` (same node, role and count), holding what the
  // steps since the last update accumulated; values is null for running statistics, for arrays
  // that do not train, and when accumulate_steps is 1 (each layer is then updated inside the
  // step and its gradient memory reused: Plan::update_in_backward).
  ParameterView gradient(int index) const;
  // Zeroes the optimizer state and the accumulated gradients (e.g. after loading weights).
  void reset_optimizer();

  const Plan& plan() const { return *plan_; }
  int64_t steps_taken() const { return steps_; }
  int64_t updates_done() const { return updates_; }
  size_t arena_peak() const { return arena_.peak(); }

 private:
  float* at(const BufferSlot& slot) const;
  // Node i's shape for the planned batch (the model input's for node 0).
  Shape planned_shape(int i) const;
  // Node i's buffers for a batch (the model input for node 0).
  TensorView output_view(int i, const float* input, int32_t batch) const;
  TensorView grad_view(int i, int32_t batch) const;
  NodeTensors tensors(int i, const float* input, int32_t batch, bool backward) const;
  Status forward_pass(const float* input, int32_t batch, bool training);
  Status backward_pass(const float* input);
  // Node i's gradients for the inputs that need one. `written[owner]`: whether a gradient buffer
  // already holds a contribution this step (the first writer overwrites, later readers add).
  Status input_grads(int i, const Node& node, const NodeTensors& t, bool* written);
  Status update();
  // Node i's update; `t`, its tensors in the backward step, for a weight updated from its
  // outer-product gradient (NodePlan::weight_update_from_outer), which reads dz and x.
  Status update_node(int i, const NodeTensors* t = nullptr);
  // Runs `part` between the probe's begin and end, when a probe is set.
  template <typename Part>
  Status probed(int node, TrainPhase phase, Part part);

  const Model* model_ = nullptr;
  TrainConfig config_;
  const Plan* plan_ = nullptr;
  ExecContext ctx_;
  Arena arena_;
  uint8_t* base_ = nullptr;
  // Every matrix-product step's kernel for the planned batch, chosen once in init(): on a device
  // the default choice weighs each rv32 kernel's instruction count, which costs as much as a
  // small layer's whole product if done on every call.
  void choose_default_kernels();
  StepChoice choices_[Model::kMaxNodes][3] = {};
  StepProbe probe_;
  int64_t steps_ = 0;
  int64_t updates_ = 0;
};

}  // namespace utrain
