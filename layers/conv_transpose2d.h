// Transposed convolution (PyTorch's nn.ConvTranspose2d): the adjoint of Conv2D, so its forward
// is a convolution's input gradient and its input gradient a convolution's forward. With the
// equivalent convolution C (in = this layer's out_channels, out = this layer's in_channels, the
// same window):
//   forward      y  = C.input_grad(x) + b       (col2im / row2im of Wᵀ·x)
//   weight grad  dW (+)= C.weight_grad with the roles of x and dy exchanged
//   input grad   dx (+)= C.forward(dy)
// Output size: out = (in - 1)·stride - pad_before - pad_after + dilation·(kernel - 1)
//                    + output_padding + 1,   output_padding < max(stride, dilation).
// Weight: CHW [in][out][kh][kw] (PyTorch's), HWC [in][kh][kw][out]; bias has out_channels values.
#pragma once
#include <stddef.h>

#include "core/status.h"
#include "core/tensor.h"
#include "core/workspace.h"
#include "kernels/exec_context.h"
#include "layers/conv2d.h"

namespace utrain {

struct ConvTranspose2dParams {
  int32_t in_channels = 0;
  int32_t out_channels = 0;
  Window2d window;
  int32_t output_pad_h = 0, output_pad_w = 0;
  bool has_bias = true;
  Layout layout = Layout::chw;
};

constexpr int64_t conv_transpose2d_weight_count(const ConvTranspose2dParams& p) {
  return int64_t{p.in_channels} * p.out_channels * p.window.taps();
}
constexpr int64_t conv_transpose2d_bias_count(const ConvTranspose2dParams& p) {
  return p.has_bias ? p.out_channels : 0;
}

Status check_conv_transpose2d_params(const ConvTranspose2dParams& p);
Status conv_transpose2d_output_shape(const ConvTranspose2dParams& p, const Shape& input, Shape* output);
int64_t conv_transpose2d_step_macs(const ConvTranspose2dParams& p, const Shape& input);
size_t conv_transpose2d_workspace_bytes(LayerStep step, const ConvTranspose2dParams& p, const Shape& input,
                                        ConvAlgorithm requested = ConvAlgorithm::automatic);

Status conv_transpose2d_forward(const ExecContext& ctx, const ConvTranspose2dParams& p, const TensorView& x,
                                const float* weight, const float* bias, const TensorView& y, Workspace ws,
                                ConvChoice choice = {});
Status conv_transpose2d_weight_grad(const ExecContext& ctx, const ConvTranspose2dParams& p,
                                    const TensorView& x, const TensorView& dy, float* weight_grad,
                                    float* bias_grad, bool accumulate, Workspace ws, ConvChoice choice = {});
Status conv_transpose2d_input_grad(const ExecContext& ctx, const ConvTranspose2dParams& p,
                                   const TensorView& dy, const float* weight, const TensorView& dx,
                                   bool accumulate, Workspace ws, ConvChoice choice = {});

}  // namespace utrain
