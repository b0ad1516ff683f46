#include "bench/support/step_kernel.h"

#include "layers/conv2d.h"

namespace utrain::bench {

StepKernel step_kernel(const ExecContext& ctx, const Node& node, LayerStep step, const Shape& input,
                       const Shape& output, const StepChoice& choice) {
  const char* kernel = step_kernel_name(ctx, node, step, input, output, choice);
  if (kernel == nullptr) return {};
  const char* algorithm = node.kind == NodeKind::linear             ? "matmul"
                          : node.kind == NodeKind::depthwise_conv2d ? "depthwise"
                                                                    : conv_algorithm_name(conv2d_algorithm(
                                                                          step, node.conv, input, choice.algorithm));
  return {algorithm, kernel};
}

}  // namespace utrain::bench
