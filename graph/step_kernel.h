// Which kernel one step of a node runs with, and the matrix product behind it: for benchmarks'
// per-step breakdowns (on the host and on the device), so that a slow step points at the code to
// tune, and for benchmarks that run every kernel of the table on a model's own products.
//
// The layers pick their kernels inside the call and do not report the pick, so this restates
// the products they lower to — shapes, transpositions, bias and activation, as layers/linear.h
// and layers/conv2d.h document them — and asks the same selectors (default_matmul_kernel after
// normalize_matmul, default_depthwise_kernel, conv2d_algorithm). A choice fixed in the plan
// (StepChoice) is named as given.
#pragma once
#include "core/layer_step.h"
#include "core/tensor.h"
#include "graph/model.h"
#include "graph/node_ops.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_args.h"

namespace utrain {

// The product one step multiplies, before the front end normalizes it: sizes, transpositions,
// leading dimensions, and for a forward step the bias axis, fused activation and whether B is in
// column panels (with the kernel `choice` names); no pointers.
// `input` and `output` are the node's batch shapes (n included), `node` as the trainer runs it.
// False when the step is not a matrix product: other node kinds, direct convolutions.
bool step_product(const Node& node, LayerStep step, const Shape& input, const Shape& output,
                  const StepChoice& choice, MatMulArgs* product);

// The kernel the step runs: the matrix-multiply or depthwise table entry, or the direct
// convolution's function; null for node kinds without one.
const char* step_kernel_name(const ExecContext& ctx, const Node& node, LayerStep step, const Shape& input,
                             const Shape& output, const StepChoice& choice);

}  // namespace utrain
