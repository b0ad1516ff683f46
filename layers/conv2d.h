// Conv2D: y = act(conv(x, W) + b), PyTorch's nn.Conv2d semantics (cross-correlation, zero
// padding), any kernel size, stride, asymmetric padding and dilation (core/window2d.h).
//
// Layouts: x, dz, y and dx are dense n × C × H × W views in p.layout. The weight follows the
// activations' layout so that lowering reads it as a plain row-major matrix:
//   CHW  weight [out][in][kh][kw]   (PyTorch's)      HWC  weight [out][kh][kw][in]
// bias has out_channels values.
//
// Lowering to the matrix-multiply family (K = in · kh · kw, P = Ho · Wo):
//   CHW, per sample:  col = im2col(x_s) [K × P]
//     forward      y_s [out × P]  = W [out × K] · col                    mm n_n
//     weight grad  dW  (+)= dz_s [out × P] · colᵀ                        mm n_t
//     input grad   dcol = Wᵀ · dz_s [K × P];  dx_s (+)= col2im(dcol)      mm t_n
//   HWC, whole batch: rows = im2row(x) [n·P × K]
//     forward      y [n·P × out]  = rows · Wᵀ                            mm n_t
//     weight grad  dW  (+)= dzᵀ · rows                                   mm t_n
//     input grad   drows = dz · W [n·P × K];  dx (+)= row2im(drows)       mm n_n
// col2im/row2im scatter-add every tap back to the input position it was read from, the exact
// adjoint of the gather, so stride, padding and dilation are right in the input gradient (the
// positions a strided window never reads get zero).
// ConvAlgorithm::flipped runs the input gradient of a stride-1 convolution as the forward of the
// convolution of dz with the rotated, in/out-exchanged kernels (kernels/conv/conv_flip.h):
//   CHW, per sample:  dx_s (+)= W' [in × out·taps] · im2col(dz_s)           mm n_n
//   HWC, whole batch: dx   (+)= im2row(dz) · W'ᵀ                              mm n_t
// with K = out·taps instead of out and no scatter; its workspace is the lowered dz and W'. It
// needs padding of at most dilation·(kernel - 1) on each side; elsewhere, and for the forward
// and weight grad, a flipped request is the automatic choice (as pointwise is on other shapes).
// ConvAlgorithm::pointwise (1×1, stride 1, no padding) multiplies the activations directly, no
// im2col and no workspace. ConvAlgorithm::direct loops over the window without workspace and is
// what `automatic` picks where lowering does not pay: products of fewer than 512 MACs (per
// sample for CHW, per batch for HWC), and the forward and weight grad of a single output channel;
// flipped where it beats col2im, on rv32 builds only (layers/conv_steps.cpp has the measurements).
//
// dz is the gradient with respect to the pre-activation output: with a fused activation, first
// turn dy into dz with activation_backward() from the saved y (as for Linear).
#pragma once
#include <stddef.h>

#include "core/status.h"
#include "core/tensor.h"
#include "core/workspace.h"
#include "kernels/exec_context.h"
#include "kernels/mm/matmul_kernel.h"
#include "core/layer_step.h"
#include "core/window2d.h"

namespace utrain {

struct Conv2dParams {
  int32_t in_channels = 0;
  int32_t out_channels = 0;
  Window2d window;
  bool has_bias = true;
  Activation act = Activation::none;  // fused into the forward step
  float act_slope = kDefaultLeakySlope;
  Layout layout = Layout::chw;
};

enum class ConvAlgorithm : uint8_t { automatic, pointwise, lowered, direct, flipped };

constexpr const char* conv_algorithm_name(ConvAlgorithm a) {
  return a == ConvAlgorithm::automatic   ? "automatic"
         : a == ConvAlgorithm::pointwise ? "pointwise"
         : a == ConvAlgorithm::lowered   ? "lowered"
         : a == ConvAlgorithm::direct    ? "direct"
                                         : "flipped";
}

// How one step runs: the algorithm and, for pointwise and lowered, the matrix-multiply kernel
// (null: the default selector's choice). A tuning result is one ConvChoice per step.
struct ConvChoice {
  ConvAlgorithm algorithm = ConvAlgorithm::automatic;
  const MatMulKernel* kernel = nullptr;
};

constexpr int64_t conv2d_weight_count(const Conv2dParams& p) {
  return int64_t{p.out_channels} * p.in_channels * p.window.taps();
}
constexpr int64_t conv2d_bias_count(const Conv2dParams& p) { return p.has_bias ? p.out_channels : 0; }

Status check_conv2d_params(const Conv2dParams& p);

// The output shape (same n) for an input shape; an error when channels or sizes do not fit.
Status conv2d_output_shape(const Conv2dParams& p, const Shape& input, Shape* output);

// Multiply-accumulates of one step (each of the three costs the same) for `input` (n included).
int64_t conv2d_step_macs(const Conv2dParams& p, const Shape& input);

// The algorithm a step runs with: `requested` unless automatic or impossible for the step and
// shape (pointwise needs a 1×1 stride-1 unpadded window, flipped the input grad of a stride-1
// window padded within its span); shared by the workspace size and the run.
ConvAlgorithm conv2d_algorithm(LayerStep step, const Conv2dParams& p, const Shape& input,
                               ConvAlgorithm requested = ConvAlgorithm::automatic);

// Whether the forward with that choice and kernel runs its product with B in column panels
// (MatMulArgs::b_panels; layers/conv_steps.h, conv_forward_b_panels).
bool conv2d_forward_b_panels(const Conv2dParams& p, const Shape& input, ConvAlgorithm requested,
                             const MatMulKernel* kernel);

// Scratch bytes a step needs with that choice (0 for pointwise and direct; the lowered matrix
// for lowered; the lowered dz and the rotated weight for flipped).
size_t conv2d_workspace_bytes(LayerStep step, const Conv2dParams& p, const Shape& input,
                              ConvAlgorithm requested = ConvAlgorithm::automatic);

Status conv2d_forward(const ExecContext& ctx, const Conv2dParams& p, const TensorView& x,
                      const float* weight, const float* bias, const TensorView& y, Workspace ws,
                      ConvChoice choice = {});

// bias_grad may be null when the layer has no bias or its bias is frozen; weight_grad may be
// null when only the bias trains (bias-only fine-tuning).
Status conv2d_weight_grad(const ExecContext& ctx, const Conv2dParams& p, const TensorView& x,
                          const TensorView& dz, float* weight_grad, float* bias_grad, bool accumulate,
                          Workspace ws, ConvChoice choice = {});

Status conv2d_input_grad(const ExecContext& ctx, const Conv2dParams& p, const TensorView& dz,
                         const float* weight, const TensorView& dx, bool accumulate, Workspace ws,
                         ConvChoice choice = {});

}  // namespace utrain
