// BatchNorm2d, PyTorch's nn.BatchNorm2d: per channel, over the batch and the H × W plane.
//   training:    mean, var (biased) from the batch; running_mean = (1-m)·running_mean + m·mean,
//                running_var = (1-m)·running_var + m·var·N/(N-1) (unbiased), N = n·H·W
//   evaluation:  mean, var = running_mean, running_var
//   y = act((x - mean) / sqrt(var + eps) · gamma + beta)   (gamma = 1, beta = 0 without affine)
// act is none in a model; the trainer fuses a following activation layer into it (as into Linear
// and the convolutions), which saves a pass over the values and their memory. With one, the
// backward steps take dz, the gradient before the activation (layers/activation.h turns dy into dz
// with the saved output).
// `saved` holds 2·C floats the forward step writes for the backward steps: the C channel means,
// then the C values 1/sqrt(var + eps) (in evaluation mode, those of the running statistics, so a
// frozen-statistics layer still trains gamma and beta and passes gradients).
//
// x, y, dy, dx are dense n × C × H × W views in p.layout; y may be x and dx may be dy (exactly in
// place, never a shifted overlap). Training needs n·H·W ≥ 2, as in PyTorch. Backward in training
// mode includes the gradient through the batch statistics; in evaluation mode the statistics are
// constants. Channels are split over the team.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/activation_fn.h"
#include "kernels/exec_context.h"

namespace utrain {

enum class NormMode : uint8_t { training, evaluation };

struct BatchNorm2dParams {
  int32_t channels = 0;
  float eps = 1e-5f;
  float momentum = 0.1f;
  bool affine = true;
  Layout layout = Layout::chw;
  Activation act = Activation::none;  // fused into the forward
  float act_slope = kDefaultLeakySlope;
};

constexpr int64_t batch_norm2d_saved_floats(const BatchNorm2dParams& p) { return 2 * int64_t{p.channels}; }

Status check_batch_norm2d_params(const BatchNorm2dParams& p);

// running_mean and running_var (C values each, PyTorch starts them at 0 and 1) are updated in
// training mode and read in evaluation mode. gamma and beta may be null without affine.
Status batch_norm2d_forward(const ExecContext& ctx, const BatchNorm2dParams& p, NormMode mode,
                            const TensorView& x, const float* gamma, const float* beta, float* running_mean,
                            float* running_var, float* saved, const TensorView& y);

// gamma_grad (+)= Σ dy·x̂, beta_grad (+)= Σ dy per channel; either may be null (frozen, bias-only).
Status batch_norm2d_weight_grad(const ExecContext& ctx, const BatchNorm2dParams& p, const TensorView& x,
                                const TensorView& dy, const float* saved, float* gamma_grad, float* beta_grad,
                                bool accumulate);

// The per-channel sums Σ dy·x̂ and Σ dy of this batch, which the training-mode input gradient
// needs and the weight gradient has just computed when it wrote (not accumulated) gamma_grad and
// beta_grad: passing those saves the input gradient a pass over x and dy (a third of its work).
struct BatchNormGradSums {
  const float* dy_xhat = nullptr;
  const float* dy = nullptr;
};

// With `sums` empty (both null) the input gradient computes the sums itself; given, both must be.
Status batch_norm2d_input_grad(const ExecContext& ctx, const BatchNorm2dParams& p, NormMode mode,
                               const TensorView& x, const TensorView& dy, const float* gamma, const float* saved,
                               const TensorView& dx, bool accumulate, BatchNormGradSums sums = {});

}  // namespace utrain
