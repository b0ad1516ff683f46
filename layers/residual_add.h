// Residual add: y = a + b (two branches meeting, as in ResNet). Its gradient is dy for both
// branches, so backward is one call per branch: dx (+)= dy, accumulating where the branch's
// output also feeds other nodes.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"

namespace utrain {

// a, b and y have the same shape and layout; y may be a or b itself (in place).
Status residual_add_forward(const ExecContext& ctx, const TensorView& a, const TensorView& b, const TensorView& y);

// dx (+)= dy for one branch; dx may be dy itself when not accumulating.
Status residual_add_input_grad(const ExecContext& ctx, const TensorView& dy, const TensorView& dx, bool accumulate);

}  // namespace utrain
