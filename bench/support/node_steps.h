// A planned model's training step taken apart: the multiply-accumulates it does, counted
// analytically, and every node's steps timed alone, as the Trainer runs them, so a benchmark can
// say where a step's time goes and which kernel spends it.
//
// Each node runs through graph/node_ops.h (node_forward, node_weight_grad, node_input_grad) on
// buffers of its own, filled with random values, with the plan's choices and the activation the
// plan fuses into it. The steps a node takes are the ones the Trainer takes: forward unless it is
// fused into its producer or aliases its input (flatten); the fused activation's backward
// ("act_bw") and the weight gradient where its parameters train; the input gradient for each input
// that needs one, adding to what another reader already wrote exactly where the Trainer adds; and
// the optimizer update of its weight and bias.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/support/repeat_timer.h"
#include "bench/support/step_kernel.h"
#include "graph/model.h"
#include "graph/plan.h"
#include "kernels/exec_context.h"

namespace utrain::bench {

struct StepMacs {
  int64_t forward = 0, weight_grad = 0, input_grad = 0;
  int64_t total() const { return forward + weight_grad + input_grad; }
};

// Multiply-accumulates of one training step of plan.batch samples (node_step_macs per node): the
// forward of every node, the weight gradient of the nodes whose weights train and the input
// gradient of the nodes that send one (not the first layer's, which nothing reads).
StepMacs planned_step_macs(const Model& model, const Plan& plan);

struct StepTiming {
  std::string step;  // "fw", "act_bw", "wg", "ig"
  TimingSummary time;
  int64_t macs = 0;  // 0 for steps without multiplies
  StepKernel kernel;
  // A lowered convolution step's two parts timed apart: the gather (im2col/im2row; for the input
  // gradient the scatter col2im/row2im, for a flipped one the weight's rotation and the gather of
  // dz) and the matrix product with the step's kernel.
  bool has_parts = false;
  TimingSummary gather, product;
};

struct NodeTimings {
  int node = 0;
  std::vector<StepTiming> steps;
  bool has_update = false;  // the node has parameters that train
  int64_t parameters = 0;   // values the update touches
  TimingSummary update;
};

// Every node's steps (samples of at least 20 µs, `repetitions` samples each).
std::vector<NodeTimings> time_node_steps(const Model& model, const TrainConfig& config, const Plan& plan,
                                         const ExecContext& ctx, int repetitions);

// The loss of config.loss on the model's output, with its gradient, as the Trainer computes it.
TimingSummary time_loss(const Model& model, const TrainConfig& config, const Plan& plan, int repetitions);

// A short description of node i, e.g. "conv2d 1x49x10 -> 64x25x5 k10x4 s2".
std::string node_label(const Model& model, int i);

// The nodes' timings as a JSON array: per node its index, kind, label, input and output shapes
// (c, h, w), and per step median_us, min_us, macs, macs_per_second, algorithm and kernel (and for
// lowered steps gather_us, product_us, product_macs_per_second); then the update.
// *total_median_us receives the sum of every step's and update's median.
nlohmann::json to_json(const Model& model, const std::vector<NodeTimings>& nodes, double* total_median_us);

}  // namespace utrain::bench
