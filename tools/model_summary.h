// Short human-readable descriptions of a Model, for reports and for error messages that must
// say which model a checkpoint holds: "input 64 → linear 64 → relu → linear 10".
#pragma once
#include <string>

#include "graph/model.h"

namespace utrain::tools {

// One node: "input 64", "input 1×49×10", "linear 64", "linear 64 (no bias, frozen)",
// "conv 64 10×4/2 (no bias)", "leaky_relu(0.1)".
std::string describe_node(const Node& node);

// Every node, in order, joined by " → ".
std::string describe_model(const Model& model);

// Trainable values (weights and biases, gamma and beta) of every node.
int64_t parameter_values(const Model& model);

}  // namespace utrain::tools
