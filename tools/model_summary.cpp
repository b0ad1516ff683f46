#include "tools/model_summary.h"

#include <fmt/format.h>

#include "graph/node_ops.h"

namespace utrain::tools {

namespace {

std::string window_text(const Window2d& w) {
  std::string text = fmt::format("{}×{}", w.kernel_h, w.kernel_w);
  if (w.stride_h != 1 || w.stride_w != 1) text += fmt::format("/{}", w.stride_h == w.stride_w ? fmt::format("{}", w.stride_h) : fmt::format("{}×{}", w.stride_h, w.stride_w));
  return text;
}

std::string fused(Activation act) {
  return act == Activation::none ? "" : fmt::format("+{}", activation_name(act));
}

// " (no bias)", " (frozen)", " (bias only)" or a combination, for layers with parameters.
std::string flags(const Node& node, bool has_bias) {
  std::string text;
  if (!has_bias) text += "no bias";
  if (node.frozen) text += text.empty() ? "frozen" : ", frozen";
  if (node.bias_only) text += text.empty() ? "bias only" : ", bias only";
  return text.empty() ? text : " (" + text + ")";
}

}  // namespace

std::string describe_node(const Node& node) {
  switch (node.kind) {
    case NodeKind::input:
      if (node.sample.h == 1 && node.sample.w == 1) return fmt::format("input {}", node.sample.c);
      return fmt::format("input {}×{}×{}", node.sample.c, node.sample.h, node.sample.w);
    case NodeKind::linear:
      return fmt::format("linear {}{}", node.linear.out_features, fused(node.linear.act)) +
             flags(node, node.linear.has_bias);
    case NodeKind::activation:
      return node.activation.kind == Activation::leaky_relu
                 ? fmt::format("leaky_relu({:g})", node.activation.slope)
                 : std::string(activation_name(node.activation.kind));
    case NodeKind::conv2d:
      return fmt::format("conv {} {}{}", node.conv.out_channels, window_text(node.conv.window), fused(node.conv.act)) +
             flags(node, node.conv.has_bias);
    case NodeKind::depthwise_conv2d:
      return fmt::format("depthwise {}{}", window_text(node.depthwise.window), fused(node.depthwise.act)) +
             flags(node, node.depthwise.has_bias);
    case NodeKind::conv_transpose2d:
      return fmt::format("conv_transpose {} {}", node.conv_transpose.out_channels,
                         window_text(node.conv_transpose.window)) +
             flags(node, node.conv_transpose.has_bias);
    case NodeKind::pool2d:
      return fmt::format("{} {}", node.pool.kind == PoolKind::max ? "max_pool" : "avg_pool", window_text(node.pool.window));
    case NodeKind::global_avg_pool: return "global_avg_pool";
    case NodeKind::batch_norm2d: return "batch_norm" + flags(node, true);
    case NodeKind::layer_norm: return "layer_norm" + flags(node, true);
    case NodeKind::instance_norm2d: return "instance_norm" + flags(node, true);
    case NodeKind::add: return fmt::format("add(node {})", node.second_input);
    case NodeKind::reshape:
      if (node.sample.h == 1 && node.sample.w == 1) return "flatten";
      return fmt::format("reshape {}×{}×{}", node.sample.c, node.sample.h, node.sample.w);
  }
  return "unknown";
}

std::string describe_model(const Model& model) {
  std::string text;
  for (int i = 0; i < model.node_count(); ++i) {
    if (i > 0) text += " → ";
    text += describe_node(model.node(i));
  }
  return text;
}

int64_t parameter_values(const Model& model) {
  int64_t total = 0;
  for (int i = 1; i < model.node_count(); ++i) total += node_weight_count(model.node(i)) + node_bias_count(model.node(i));
  return total;
}

}  // namespace utrain::tools
