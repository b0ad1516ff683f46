// Short human-readable descriptions of a Model, for reports and for error messages that must
// say which model a checkpoint holds: "input 64 → linear 64 → relu → linear 10".
#pragma once
#include <string>

#include "graph/model.h"

namespace utrain::tools {

// One node: "input 64", "linear 64", "linear 64 (no bias, frozen)", "leaky_relu(0.1)".
std::string describe_node(const Node& node);

// Every node, in order, joined by " → ".
std::string describe_model(const Model& model);

// Parameters (weights and biases) of every Linear node.
int64_t parameter_values(const Model& model);

}  // namespace utrain::tools
