// Depthwise Conv2D: every channel convolved with its own kernel (PyTorch's nn.Conv2d with
// groups = in_channels = out_channels), any window (core/window2d.h), optional bias and fused
// activation. Per channel the work is a few dot products of kh·kw taps, too short for the
// matrix-multiply family, so it has its own kernel table (kernels/dw/), several unroll variants
// per layout and step, chosen like matrix-multiply kernels.
//
// Layouts: x, dz, y, dx are dense n × C × H × W views in p.layout; the weight follows it:
//   CHW  weight [c][kh][kw]   (PyTorch's [c][1][kh][kw])      HWC  weight [kh][kw][c]
// No step needs workspace.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/exec_context.h"
#include "core/window2d.h"

namespace utrain {

struct DepthwiseConv2dParams {
  int32_t channels = 0;
  Window2d window;
  bool has_bias = true;
  Activation act = Activation::none;  // fused into the forward step
  float act_slope = kDefaultLeakySlope;
  Layout layout = Layout::chw;
};

constexpr int64_t depthwise_conv2d_weight_count(const DepthwiseConv2dParams& p) {
  return int64_t{p.channels} * p.window.taps();
}
constexpr int64_t depthwise_conv2d_bias_count(const DepthwiseConv2dParams& p) {
  return p.has_bias ? p.channels : 0;
}

Status check_depthwise_conv2d_params(const DepthwiseConv2dParams& p);
Status depthwise_conv2d_output_shape(const DepthwiseConv2dParams& p, const Shape& input, Shape* output);
int64_t depthwise_conv2d_step_macs(const DepthwiseConv2dParams& p, const Shape& input);

// kernel: an entry of the depthwise table for this layout and step, or null for the default.
Status depthwise_conv2d_forward(const ExecContext& ctx, const DepthwiseConv2dParams& p, const TensorView& x,
                                const float* weight, const float* bias, const TensorView& y,
                                const DepthwiseKernel* kernel = nullptr);
// weight_grad and bias_grad may each be null (frozen weights, bias-only training, no bias).
Status depthwise_conv2d_weight_grad(const ExecContext& ctx, const DepthwiseConv2dParams& p,
                                    const TensorView& x, const TensorView& dz, float* weight_grad,
                                    float* bias_grad, bool accumulate, const DepthwiseKernel* kernel = nullptr);
Status depthwise_conv2d_input_grad(const ExecContext& ctx, const DepthwiseConv2dParams& p,
                                   const TensorView& dz, const float* weight, const TensorView& dx,
                                   bool accumulate, const DepthwiseKernel* kernel = nullptr);

}  // namespace utrain
