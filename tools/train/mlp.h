// The multi-layer perceptron `utrain train` builds: inputs → (linear h → ReLU) per hidden size
// → linear classes (logits for softmax cross-entropy).
#pragma once
#include <cstdint>
#include <span>

#include "graph/model.h"

namespace utrain::tools {

// Throws ToolError when the builder rejects the sizes.
Model build_mlp_classifier(int32_t inputs, std::span<const int32_t> hidden, int32_t classes);

}  // namespace utrain::tools
