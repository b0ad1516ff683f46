// Pooling: MaxPool2d and AvgPool2d over any window (kernel, stride, asymmetric padding; dilation
// for max only, as in PyTorch), and global average pooling. No parameters, no workspace.
//
// x, dy, y and dx are dense n × C × H × W views in p.layout (both layouts supported).
// Max pooling pads with -infinity and sends each window's gradient to its first maximum in
// row-major window order (PyTorch's rule for ties); backward finds it again from x, so the
// layer keeps x instead of an index map. Average pooling divides by the whole window when
// count_include_pad (PyTorch's default), else by the taps inside the input. Padding may be wider
// than PyTorch's limit of half the window, as long as every window sees at least one input
// value; y and dx must not overlap x or dy. The n·C planes are split over the team, and global
// pooling's y and dy (n × C × 1 × 1) may be given in either layout.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"
#include "core/window2d.h"

namespace utrain {

enum class PoolKind : uint8_t { max, average };

struct Pool2dParams {
  PoolKind kind = PoolKind::max;
  Window2d window;
  bool count_include_pad = true;  // average only
  Layout layout = Layout::chw;
};

Status check_pool2d_params(const Pool2dParams& p);
Status pool2d_output_shape(const Pool2dParams& p, const Shape& input, Shape* output);

Status pool2d_forward(const ExecContext& ctx, const Pool2dParams& p, const TensorView& x, const TensorView& y);

// dx (+)= the gradient of dy through the pool; x is the forward input (max pooling reads it).
Status pool2d_input_grad(const ExecContext& ctx, const Pool2dParams& p, const TensorView& x,
                         const TensorView& dy, const TensorView& dx, bool accumulate);

// Global average pooling: y is n × C × 1 × 1, the mean of each channel's H × W plane.
Status global_avg_pool_forward(const ExecContext& ctx, const TensorView& x, const TensorView& y);
Status global_avg_pool_input_grad(const ExecContext& ctx, const TensorView& dy, const TensorView& dx,
                                  bool accumulate);

}  // namespace utrain
