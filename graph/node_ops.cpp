#include "graph/node_ops.h"

#include "layers/residual_add.h"

namespace utrain {

namespace {

bool norm_is_affine(const Node& node) {
  switch (node.kind) {
    case NodeKind::batch_norm2d: return node.batch_norm.affine;
    case NodeKind::layer_norm: return node.layer_norm.affine;
    case NodeKind::instance_norm2d: return node.instance_norm.affine;
    default: return false;
  }
}

// A convolution step's part of a node step's choice.
ConvChoice conv_choice(const StepChoice& choice) { return ConvChoice{choice.algorithm, choice.matmul}; }

int32_t channels_of_norm(const Node& node) {
  return node.kind == NodeKind::batch_norm2d ? node.batch_norm.channels
         : node.kind == NodeKind::layer_norm ? node.layer_norm.features
                                             : node.instance_norm.channels;
}

}  // namespace

bool node_is_norm(NodeKind k) {
  return k == NodeKind::batch_norm2d || k == NodeKind::layer_norm || k == NodeKind::instance_norm2d;
}

int64_t node_weight_count(const Node& node) {
  switch (node.kind) {
    case NodeKind::linear: return linear_weight_count(node.linear);
    case NodeKind::conv2d: return conv2d_weight_count(node.conv);
    case NodeKind::depthwise_conv2d: return depthwise_conv2d_weight_count(node.depthwise);
    case NodeKind::conv_transpose2d: return conv_transpose2d_weight_count(node.conv_transpose);
    default: return node_is_norm(node.kind) && norm_is_affine(node) ? channels_of_norm(node) : 0;
  }
}

int64_t node_bias_count(const Node& node) {
  switch (node.kind) {
    case NodeKind::linear: return linear_bias_count(node.linear);
    case NodeKind::conv2d: return conv2d_bias_count(node.conv);
    case NodeKind::depthwise_conv2d: return depthwise_conv2d_bias_count(node.depthwise);
    case NodeKind::conv_transpose2d: return conv_transpose2d_bias_count(node.conv_transpose);
    default: return node_is_norm(node.kind) && norm_is_affine(node) ? channels_of_norm(node) : 0;
  }
}

int64_t node_state_floats(const Node& node) {
  return node.kind == NodeKind::batch_norm2d ? 2 * int64_t{node.batch_norm.channels} : 0;
}

int64_t node_saved_floats(const Node& node, int32_t batch) {
  switch (node.kind) {
    case NodeKind::batch_norm2d: return batch_norm2d_saved_floats(node.batch_norm);
    case NodeKind::layer_norm: return layer_norm_saved_floats(node.layer_norm, batch);
    case NodeKind::instance_norm2d: return instance_norm2d_saved_floats(node.instance_norm, batch);
    default: return 0;
  }
}

int64_t node_step_macs(const Node& node, const Shape& input) {
  switch (node.kind) {
    case NodeKind::linear: return linear_step_macs(node.linear, 1);
    case NodeKind::conv2d: return conv2d_step_macs(node.conv, input);
    case NodeKind::depthwise_conv2d: return depthwise_conv2d_step_macs(node.depthwise, input);
    case NodeKind::conv_transpose2d: return conv_transpose2d_step_macs(node.conv_transpose, input);
    default: return 0;
  }
}

bool node_can_fuse_activation(NodeKind kind) {
  return kind == NodeKind::linear || kind == NodeKind::conv2d || kind == NodeKind::depthwise_conv2d ||
         kind == NodeKind::batch_norm2d;
}

WeightInit node_weight_init(const Node& node, bool relu_follows) {
  WeightInit init;
  init.kind = relu_follows ? InitKind::he_uniform : InitKind::glorot_uniform;
  switch (node.kind) {
    case NodeKind::linear:
      init.fan_in = node.linear.in_features, init.fan_out = node.linear.out_features;
      break;
    case NodeKind::conv2d: {
      const int32_t taps = node.conv.window.taps();
      init.fan_in = node.conv.in_channels * taps, init.fan_out = node.conv.out_channels * taps;
      break;
    }
    case NodeKind::depthwise_conv2d: {
      // PyTorch's fans of a [C][1][kh][kw] weight.
      const int32_t taps = node.depthwise.window.taps();
      init.fan_in = taps, init.fan_out = node.depthwise.channels * taps;
      break;
    }
    case NodeKind::conv_transpose2d: {
      // PyTorch reads the fans of an [in][out][kh][kw] weight as if it were a convolution's.
      const int32_t taps = node.conv_transpose.window.taps();
      init.fan_in = node.conv_transpose.out_channels * taps, init.fan_out = node.conv_transpose.in_channels * taps;
      break;
    }
    default: init.kind = InitKind::ones;  // a norm's gamma
  }
  return init;
}

WeightInit node_bias_init(const Node& node) {
  if (node_is_norm(node.kind)) return WeightInit{InitKind::zeros, 1, 1};  // beta
  WeightInit init = node_weight_init(node, false);
  init.kind = InitKind::pytorch_bias;
  return init;
}

BackwardReads node_backward_reads(const Node& node, bool fused_activation, bool trains_parameters,
                                  bool sends_input_grad) {
  BackwardReads r;
  switch (node.kind) {
    case NodeKind::linear:
    case NodeKind::conv2d:
    case NodeKind::depthwise_conv2d:
    case NodeKind::conv_transpose2d:
      // The weight gradient reads x; the input gradient only the weights. The bias gradient
      // alone (bias-only training) reads neither.
      r.input = trains_parameters && !node.bias_only;
      break;
    case NodeKind::activation: r.output = sends_input_grad; break;
    case NodeKind::pool2d: r.input = sends_input_grad && node.pool.kind == PoolKind::max; break;
    case NodeKind::batch_norm2d:
    case NodeKind::layer_norm:
    case NodeKind::instance_norm2d: r.input = trains_parameters || sends_input_grad; break;
    default: break;
  }
  if (fused_activation) r.output = true;
  return r;
}

size_t node_workspace_bytes(const Node& node, LayerStep step, const Shape& input, const StepChoice& choice) {
  switch (node.kind) {
    case NodeKind::conv2d: return conv2d_workspace_bytes(step, node.conv, input, choice.algorithm);
    case NodeKind::conv_transpose2d:
      return conv_transpose2d_workspace_bytes(step, node.conv_transpose, input, choice.algorithm);
    default: return 0;
  }
}

Status node_forward(const ExecContext& ctx, const Node& node, bool training, const NodeTensors& t,
                    const StepChoice& choice) {
  switch (node.kind) {
    case NodeKind::linear: return linear_forward(ctx, node.linear, t.x, t.weight, t.bias, t.y, choice.matmul);
    case NodeKind::activation: return activation_forward(ctx, node.activation, t.x, t.y);
    case NodeKind::conv2d:
      return conv2d_forward(ctx, node.conv, t.x, t.weight, t.bias, t.y, t.workspace,
                            conv_choice(choice));
    case NodeKind::depthwise_conv2d:
      return depthwise_conv2d_forward(ctx, node.depthwise, t.x, t.weight, t.bias, t.y, choice.depthwise);
    case NodeKind::conv_transpose2d:
      return conv_transpose2d_forward(ctx, node.conv_transpose, t.x, t.weight, t.bias, t.y, t.workspace,
                                      conv_choice(choice));
    case NodeKind::pool2d: return pool2d_forward(ctx, node.pool, t.x, t.y);
    case NodeKind::global_avg_pool: return global_avg_pool_forward(ctx, t.x, t.y);
    case NodeKind::batch_norm2d: {
      float* running = t.state;
      const int32_t c = node.batch_norm.channels;
      return batch_norm2d_forward(ctx, node.batch_norm, training ? NormMode::training : NormMode::evaluation, t.x,
                                  t.weight, t.bias, running, running + c, t.saved, t.y);
    }
    case NodeKind::layer_norm: return layer_norm_forward(ctx, node.layer_norm, t.x, t.weight, t.bias, t.saved, t.y);
    case NodeKind::instance_norm2d:
      return instance_norm2d_forward(ctx, node.instance_norm, t.x, t.weight, t.bias, t.saved, t.y);
    case NodeKind::add: return residual_add_forward(ctx, t.x, t.x2, t.y);
    case NodeKind::reshape:  // its output is its input's buffer, nothing to compute
    case NodeKind::input: return ok_status();
  }
  return Status::error(StatusCode::unsupported, "graph: unknown node kind");
}

Status node_weight_grad(const ExecContext& ctx, const Node& node, const NodeTensors& t, bool accumulate,
                        const StepChoice& choice) {
  switch (node.kind) {
    case NodeKind::linear:
      if (t.weight_grad == nullptr)  // bias only: Σ over the batch, no product
        return linear_bias_grad(node.linear, t.dy, t.bias_grad, accumulate);
      return linear_weight_grad(ctx, node.linear, t.x, t.dy, t.weight_grad, t.bias_grad, accumulate, choice.matmul);
    case NodeKind::conv2d:
      return conv2d_weight_grad(ctx, node.conv, t.x, t.dy, t.weight_grad, t.bias_grad, accumulate, t.workspace,
                                conv_choice(choice));
    case NodeKind::depthwise_conv2d:
      return depthwise_conv2d_weight_grad(ctx, node.depthwise, t.x, t.dy, t.weight_grad, t.bias_grad, accumulate,
                                          choice.depthwise);
    case NodeKind::conv_transpose2d:
      return conv_transpose2d_weight_grad(ctx, node.conv_transpose, t.x, t.dy, t.weight_grad, t.bias_grad,
                                          accumulate, t.workspace, conv_choice(choice));
    case NodeKind::batch_norm2d:
      return batch_norm2d_weight_grad(ctx, node.batch_norm, t.x, t.dy, t.saved, t.weight_grad, t.bias_grad,
                                      accumulate);
    case NodeKind::layer_norm:
      return layer_norm_weight_grad(ctx, node.layer_norm, t.x, t.dy, t.saved, t.weight_grad, t.bias_grad,
                                    accumulate);
    case NodeKind::instance_norm2d:
      return instance_norm2d_weight_grad(ctx, node.instance_norm, t.x, t.dy, t.saved, t.weight_grad, t.bias_grad,
                                         accumulate);
    default: return Status::error(StatusCode::invalid_argument, "graph: this node kind has no parameters");
  }
}

Status node_input_grad(const ExecContext& ctx, const Node& node, bool training, const NodeTensors& t, int which,
                       bool accumulate, const StepChoice& choice) {
  switch (node.kind) {
    case NodeKind::linear:
      return linear_input_grad(ctx, node.linear, t.dy, t.weight, t.dx, accumulate, choice.matmul);
    case NodeKind::activation:
      if (!accumulate) return activation_backward(ctx, node.activation, t.y, t.dy, t.dx);
      // Another reader of x already sent its gradient: turn dy into this node's share in place
      // (only this node reads its dy), then add it.
      UT_TRY(activation_backward(ctx, node.activation, t.y, t.dy, t.dy));
      return residual_add_input_grad(ctx, t.dy, t.dx, true);
    case NodeKind::conv2d:
      return conv2d_input_grad(ctx, node.conv, t.dy, t.weight, t.dx, accumulate, t.workspace,
                               conv_choice(choice));
    case NodeKind::depthwise_conv2d:
      return depthwise_conv2d_input_grad(ctx, node.depthwise, t.dy, t.weight, t.dx, accumulate, choice.depthwise);
    case NodeKind::conv_transpose2d:
      return conv_transpose2d_input_grad(ctx, node.conv_transpose, t.dy, t.weight, t.dx, accumulate, t.workspace,
                                         conv_choice(choice));
    case NodeKind::pool2d: return pool2d_input_grad(ctx, node.pool, t.x, t.dy, t.dx, accumulate);
    case NodeKind::global_avg_pool: return global_avg_pool_input_grad(ctx, t.dy, t.dx, accumulate);
    case NodeKind::batch_norm2d:
      return batch_norm2d_input_grad(
          ctx, node.batch_norm, training ? NormMode::training : NormMode::evaluation, t.x, t.dy, t.weight, t.saved,
          t.dx, accumulate,
          t.fresh_param_grads ? BatchNormGradSums{t.weight_grad, t.bias_grad} : BatchNormGradSums{});
    case NodeKind::layer_norm:
      return layer_norm_input_grad(ctx, node.layer_norm, t.x, t.dy, t.weight, t.saved, t.dx, accumulate);
    case NodeKind::instance_norm2d:
      return instance_norm2d_input_grad(ctx, node.instance_norm, t.x, t.dy, t.weight, t.saved, t.dx, accumulate);
    case NodeKind::add: return residual_add_input_grad(ctx, t.dy, which == 0 ? t.dx : t.dx2, accumulate);
    case NodeKind::reshape: return residual_add_input_grad(ctx, t.dy, t.dx, accumulate);
    case NodeKind::input: break;
  }
  return Status::error(StatusCode::invalid_argument, "graph: the input node has no input gradient");
}

}  // namespace utrain
