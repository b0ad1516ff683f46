// The planner: before the first step, it computes every buffer a training step (or an inference
// pass) needs — parameters, gradients, optimizer state, the activations backward keeps, the
// gradients flowing back, and each kernel's scratch — and places them in one arena. Buffers whose
// lifetimes do not overlap share memory, so `total_bytes` is the peak a step will ever use, known
// before step one, and the trainer allocates exactly this plan (it cannot disagree).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "graph/model.h"
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
  bool fused_into_previous = false;  // an activation computed in the previous Linear's epilogue
  bool needs_input_grad = false;     // false for the first layer and below frozen prefixes
};

struct PlanSummary {
  size_t parameters = 0, gradients = 0, optimizer_state = 0, activations = 0, activation_grads = 0;
  size_t total_bytes = 0;  // the arena size: everything above, with lifetime sharing and alignment
};

struct Plan {
  bool training = true;
  int32_t batch = 1;
  NodePlan nodes[Model::kMaxNodes];
  PlanSummary summary;
};

// The activation node computed in Linear node i's epilogue, or -1.
int fused_activation_of(const Plan& plan, const Model& model, int i);

Status plan_training(const Model& model, const TrainConfig& config, Plan* plan);
Status plan_inference(const Model& model, int32_t batch, Plan* plan);

}  // namespace utrain
