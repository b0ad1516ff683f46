// The three independent steps of a trainable layer. Each can run alone: a frozen layer skips the
// weight gradient, the first layer skips the input gradient.
#pragma once
#include <stdint.h>

namespace utrain {

enum class LayerStep : uint8_t { forward, weight_grad, input_grad };

constexpr const char* layer_step_name(LayerStep s) {
  return s == LayerStep::forward ? "fw" : s == LayerStep::weight_grad ? "wg" : "ig";
}

}  // namespace utrain
