// Standalone activation layers (ReLU, LeakyReLU, Sigmoid, Tanh), elementwise over any dense f32
// tensor. The functions themselves live in kernels/activation_fn.h, shared with the matmul
// epilogue, so a fused and an unfused layer compute identical numbers.
//
// Backward is written in terms of the saved *output* y (see activation_fn.h), so the layer keeps
// y, not x, and a Linear layer with a fused activation needs nothing more.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/activation_fn.h"
#include "kernels/exec_context.h"

namespace utrain {

struct ActivationParams {
  Activation kind = Activation::relu;
  float slope = kDefaultLeakySlope;  // LeakyReLU only; must be positive
};

// Both steps split the elements over ctx's team (small tensors run on the caller alone); every
// element is computed the same way whichever member runs it, so the result does not depend on
// the team's size.

// y = act(x). y may be x itself (in place). Shapes must match.
Status activation_forward(const ExecContext& ctx, const ActivationParams& p, const TensorView& x,
                          const TensorView& y);

// dx = dy ⊙ act'(x), computed from y = act(x). dx may be dy itself (in place).
Status activation_backward(const ExecContext& ctx, const ActivationParams& p, const TensorView& y,
                           const TensorView& dy, const TensorView& dx);

}  // namespace utrain
