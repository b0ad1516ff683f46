// What each node kind means to the planner and the trainer: its parameter and buffer sizes, what
// its backward steps read, its scratch, and how its three steps call the layer functions. The
// planner and the trainer only ask these questions, so a new layer kind is added here (and in the
// model builder), not in the graph logic.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/layer_step.h"
#include "core/status.h"
#include "core/tensor.h"
#include "core/workspace.h"
#include "graph/model.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_kernel.h"
#include "layers/init.h"

namespace utrain {

// Trainable arrays: the weight (gamma of a norm) and the bias (beta). 0 when absent.
int64_t node_weight_count(const Node& node);
int64_t node_bias_count(const Node& node);
// Non-trainable state that persists across steps: BatchNorm's running mean and variance.
int64_t node_state_floats(const Node& node);
// Values a forward step saves for the backward steps of the same step (norm statistics).
int64_t node_saved_floats(const Node& node, int32_t batch);

// Multiply-accumulates of one step for one sample whose input is `input` (n = 1).
int64_t node_step_macs(const Node& node, const Shape& input);

// BatchNorm2d, LayerNorm and InstanceNorm2d: gamma and beta rather than weight and bias.
bool node_is_norm(NodeKind kind);

// Linear, Conv2D, depthwise Conv2D and BatchNorm2d apply an activation in their forward epilogue.
bool node_can_fuse_activation(NodeKind kind);

// How a weight is initialised: the rule, and the fans PyTorch computes for that layer.
struct WeightInit {
  InitKind kind = InitKind::glorot_uniform;
  int32_t fan_in = 1, fan_out = 1;
};
// `relu_follows`: the node's output reaches a ReLU or LeakyReLU (He rather than Glorot).
WeightInit node_weight_init(const Node& node, bool relu_follows);
WeightInit node_bias_init(const Node& node);

// Which of the node's forward buffers its backward steps read.
struct BackwardReads {
  bool input = false;   // x (weight gradients, max pooling, norms)
  bool output = false;  // y (activations, a fused activation)
};
BackwardReads node_backward_reads(const Node& node, bool fused_activation, bool trains_parameters,
                                  bool sends_input_grad);

// How one step runs: the convolution algorithm and the kernels (null: the default choices).
struct StepChoice {
  ConvAlgorithm algorithm = ConvAlgorithm::automatic;
  const MatMulKernel* matmul = nullptr;
  const DepthwiseKernel* depthwise = nullptr;
};

// Scratch bytes of one step for a batch whose input shape is `input` (n included).
size_t node_workspace_bytes(const Node& node, LayerStep step, const Shape& input, const StepChoice& choice);

// The buffers of one node for one step. x2/dx2 are add's second input; weight_grad and
// bias_grad are null when those do not train; dy is the gradient with respect to the
// pre-activation output (the trainer takes a fused activation off first).
struct NodeTensors {
  TensorView x, x2, y, dy, dx, dx2;
  float* weight = nullptr;
  float* bias = nullptr;
  float* weight_grad = nullptr;
  float* bias_grad = nullptr;
  float* state = nullptr;
  float* saved = nullptr;
  Workspace workspace;
  // weight_grad and bias_grad hold exactly this batch's gradients: the weight-gradient step has
  // just written them (not accumulated). BatchNorm's input gradient then reuses their sums.
  bool fresh_param_grads = false;
};

// `node` carries the fused activation in its params (linear, conv, depthwise). `training`
// selects batch statistics for BatchNorm.
Status node_forward(const ExecContext& ctx, const Node& node, bool training, const NodeTensors& t,
                    const StepChoice& choice);
Status node_weight_grad(const ExecContext& ctx, const Node& node, const NodeTensors& t, bool accumulate,
                        const StepChoice& choice);
// The gradient for input `which` (0, or 1 for add's second input) into t.dx / t.dx2.
Status node_input_grad(const ExecContext& ctx, const Node& node, bool training, const NodeTensors& t, int which,
                       bool accumulate, const StepChoice& choice);

}  // namespace utrain
