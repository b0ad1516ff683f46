#include "tools/model_summary.h"

#include <fmt/format.h>

namespace utrain::tools {

std::string describe_node(const Node& node) {
  switch (node.kind) {
    case NodeKind::input: return fmt::format("input {}", node.sample.per_sample());
    case NodeKind::linear: {
      std::string text = fmt::format("linear {}", node.linear.out_features);
      if (node.linear.act != Activation::none) text += fmt::format("+{}", activation_name(node.linear.act));
      if (!node.linear.has_bias && node.frozen) return text + " (no bias, frozen)";
      if (!node.linear.has_bias) return text + " (no bias)";
      return node.frozen ? text + " (frozen)" : text;
    }
    case NodeKind::activation:
      return node.activation.kind == Activation::leaky_relu
                 ? fmt::format("leaky_relu({:g})", node.activation.slope)
                 : std::string(activation_name(node.activation.kind));
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
  for (int i = 1; i < model.node_count(); ++i)
    if (model.node(i).kind == NodeKind::linear)
      total += linear_weight_count(model.node(i).linear) + linear_bias_count(model.node(i).linear);
  return total;
}

}  // namespace utrain::tools
