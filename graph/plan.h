// The planner: before the first step, it computes every buffer a training step (or an inference
// pass) needs — parameters, gradients, optimizer state, running statistics, the activations
// backward keeps, the gradients flowing back, saved statistics and each step's scratch — and
// places them in one arena. Buffers whose lifetimes do not overlap share memory, so
// `total_bytes` is the peak a step will ever use, known before step one, and the trainer
// allocates exactly this plan (it cannot disagree).
//
// Only what backward reads is kept: a Linear or convolution keeps its input only when its
// weights train, max pooling keeps its input, an activation its output; everything else is
// released after its last forward reader. Frozen layers get no gradients or optimizer state,
// bias-only layers only for the bias.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "graph/model.h"
#include "graph/node_ops.h"
#include "layers/optimizer.h"

namespace utrain {

enum class LossKind : uint8_t { softmax_cross_entropy, mse, l1 };

constexpr const char* loss_kind_name(LossKind k) {
  return k == LossKind::softmax_cross_entropy ? "softmax_cross_entropy" : k == LossKind::mse ? "mse" : "l1";
}

struct TrainConfig {
  int32_t batch = 1;             // samples per step (the columns of every product)
  LossKind loss = LossKind::mse;
  OptimizerConfig optimizer;
  int32_t accumulate_steps = 1;  // steps whose gradients are summed before one update
};

// A buffer's place in the arena; bytes == 0 means "not needed".
struct BufferSlot {
  size_t offset = 0;
  size_t bytes = 0;
};

struct NodePlan {
  BufferSlot output;       // the node's output activations (batch × sample)
  BufferSlot output_grad;  // gradient with respect to the output
  BufferSlot weight, bias, weight_grad, bias_grad, weight_state, bias_state;
  BufferSlot running;      // non-trainable state (BatchNorm's running mean, then variance)
  BufferSlot saved;        // statistics the forward step saves for backward
  BufferSlot workspace;    // scratch of the forward step
  BufferSlot backward_workspace;  // scratch of the weight- and input-gradient steps
  bool fused_into_previous = false;  // an activation computed in the previous layer's epilogue
  bool aliases_input = false;        // reshape (flatten): the output is the input's buffer
  bool grad_aliases_input = false;   // reshape: the output gradient is the input's as well
  bool needs_input_grad = false;     // sends a gradient to its (first) input
  bool needs_second_input_grad = false;  // add: to its second input
  bool runs_backward = false;        // has a weight gradient to compute or a gradient to send
  // A batch-1 Linear layer updated inside the step: its weight gradient, dzᵀ·x with one sample,
  // is an outer product the update forms as it reads it (optimizer_step_outer), so it gets no
  // buffer (weight_grad.bytes == 0) and its weight-gradient step computes the bias's alone.
  bool weight_update_from_outer = false;
};

struct PlanSummary {
  size_t parameters = 0, gradients = 0, optimizer_state = 0, running_state = 0;
  size_t activations = 0, activation_grads = 0, saved = 0, workspace = 0;
  size_t total_bytes = 0;  // the arena size: everything above, with lifetime sharing and alignment
};

struct Plan {
  bool training = true;
  int32_t batch = 1;
  // Without gradient accumulation, each layer is updated as soon as its gradients are known
  // (after its weight- and input-gradient steps, which read the old weights), so a parameter
  // gradient lives only during its layer's backward step and shares memory with the other
  // buffers of the step: the update is the same, the peak is lower by about the gradients.
  bool update_in_backward = false;
  NodePlan nodes[Model::kMaxNodes];
  StepChoice choices[Model::kMaxNodes][3];  // per node and LayerStep; the workspace sizes follow them
  PlanSummary summary;
};

// The activation node computed in node i's epilogue, or -1.
int fused_activation_of(const Plan& plan, const Model& model, int i);
// Node i as it runs: with the activation fused into it, if any, in its parameters.
Node node_as_run(const Plan& plan, const Model& model, int i);
// The node whose output buffer holds node i's output (itself, or the layer a fused activation
// runs in, or what a reshape reads).
int output_owner(const Plan& plan, const Model& model, int i);
// The node whose gradient buffer holds the gradient of node i's output.
int grad_owner(const Plan& plan, const Model& model, int i);
// True when node i trains any of its own parameters.
bool trains_parameters(const Node& node);

// `choices` (optional, Model::kMaxNodes × 3) selects algorithms and kernels per step, so the
// planned workspace matches what will run; null means the defaults.
Status plan_training(const Model& model, const TrainConfig& config, Plan* plan,
                     const StepChoice (*choices)[3] = nullptr);
Status plan_inference(const Model& model, int32_t batch, Plan* plan, const StepChoice (*choices)[3] = nullptr);

}  // namespace utrain
