// Which algorithm and kernel one step of a node runs with, named for the benchmarks' per-step
// breakdown (graph/step_kernel.h names the kernel and restates the product behind it).
#pragma once
#include <string>

#include "core/layer_step.h"
#include "core/tensor.h"
#include "graph/model.h"
#include "graph/node_ops.h"
#include "graph/step_kernel.h"
#include "kernels/exec_context.h"

namespace utrain::bench {

struct StepKernel {
  std::string algorithm;  // "matmul", "pointwise", "lowered", "direct", "depthwise"; empty for layers without one
  std::string kernel;     // the table entry (or the direct loop's function); empty when there is none
};

StepKernel step_kernel(const ExecContext& ctx, const Node& node, LayerStep step, const Shape& input,
                       const Shape& output, const StepChoice& choice);

}  // namespace utrain::bench
