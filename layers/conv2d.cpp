#include "layers/conv2d.h"

#include "kernels/conv/channel_bias.h"
#include "layers/conv_steps.h"
#include "layers/elementwise_checks.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// The layer's shape for `input`, with the window's output size (errors said of `subject`).
Status conv_shape_of(const Conv2dParams& p, const Shape& input, const char* subject, ConvShape* s) {
  UT_TRY(check_conv2d_params(p));
  if (input.n < 1 || input.c < 1 || input.h < 1 || input.w < 1)
    return Status::error(StatusCode::invalid_argument, "every dimension must be positive").about(subject);
  if (input.c != p.in_channels)
    return Status::error(StatusCode::shape_mismatch, "channel count differs from in_channels", input.c,
                         p.in_channels)
        .about(subject);
  *s = ConvShape{p.layout, input.n, p.in_channels, input.h, input.w, p.out_channels, 0, 0, p.window};
  UT_TRY(window2d_output(p.window, input.h, input.w, &s->out_h, &s->out_w, subject));
  return check_conv_shape(*s, subject);
}

// Checks the tensor whose shape the step takes as given (x, or dx for the input gradient) and
// that `output` (y or dz) has the shape the window gives it; both in the layer's layout.
Status check_step_tensors(const Conv2dParams& p, const TensorView& input, const char* input_subject,
                          const TensorView& output, const char* output_subject, ConvShape* s) {
  UT_TRY(check_conv2d_params(p));
  UT_TRY(check_layer_tensor(input, p.layout, input_subject));
  UT_TRY(conv_shape_of(p, input.shape, input_subject, s));
  UT_TRY(check_dense_f32(output, output_subject));
  const TensorView expected{nullptr, DType::f32, p.layout, s->output(), {}};
  return check_same_shape(output, expected, output_subject);
}

}  // namespace

Status check_conv2d_params(const Conv2dParams& p) {
  UT_CHECK(p.in_channels > 0, StatusCode::invalid_argument, "conv2d: in_channels must be positive");
  UT_CHECK(p.out_channels > 0, StatusCode::invalid_argument, "conv2d: out_channels must be positive");
  UT_TRY(check_window2d(p.window, "conv2d"));
  UT_CHECK(p.act != Activation::leaky_relu || p.act_slope > 0.0f, StatusCode::invalid_argument,
           "conv2d: LeakyReLU slope must be positive");
  return ok_status();
}

Status conv2d_output_shape(const Conv2dParams& p, const Shape& input, Shape* output) {
  UT_CHECK(output != nullptr, StatusCode::invalid_argument, "conv2d output shape: output is null");
  ConvShape s;
  UT_TRY(conv_shape_of(p, input, "conv2d input", &s));
  *output = s.output();
  return ok_status();
}

int64_t conv2d_step_macs(const Conv2dParams& p, const Shape& input) {
  ConvShape s;
  return conv_shape_of(p, input, "conv2d", &s).ok() ? s.macs() : 0;
}

ConvAlgorithm conv2d_algorithm(LayerStep step, const Conv2dParams& p, const Shape& input, ConvAlgorithm requested) {
  ConvShape s;
  // A shape the layer rejects has nothing to run; its steps fail before any workspace is used.
  if (!conv_shape_of(p, input, "conv2d", &s).ok()) return ConvAlgorithm::direct;
  return conv_step_algorithm(step, s, requested);
}

bool conv2d_forward_b_panels(const Conv2dParams& p, const Shape& input, ConvAlgorithm requested,
                             const MatMulKernel* kernel) {
  ConvShape s;
  if (!conv_shape_of(p, input, "conv2d", &s).ok()) return false;
  return conv_forward_b_panels(s, conv_step_algorithm(LayerStep::forward, s, requested), kernel);
}

size_t conv2d_workspace_bytes(LayerStep step, const Conv2dParams& p, const Shape& input, ConvAlgorithm requested) {
  ConvShape s;
  if (!conv_shape_of(p, input, "conv2d", &s).ok()) return 0;
  return conv_step_workspace_bytes(step, s, requested);
}

Status conv2d_forward(const ExecContext& ctx, const Conv2dParams& p, const TensorView& x, const float* weight,
                      const float* bias, const TensorView& y, Workspace ws, ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, x, "conv2d forward: x", y, "conv2d forward: y", &s));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "conv2d forward: weight is null");
  UT_CHECK(!p.has_bias || bias != nullptr, StatusCode::invalid_argument,
           "conv2d forward: the layer has a bias but bias is null");
  const ConvEpilogue epilogue{p.has_bias ? bias : nullptr, p.act, p.act_slope, false};
  return conv_step_forward(ctx, s, x.f32(), weight, epilogue, y.f32(), ws, choice, "conv2d forward: workspace");
}

Status conv2d_weight_grad(const ExecContext& ctx, const Conv2dParams& p, const TensorView& x, const TensorView& dz,
                          float* weight_grad, float* bias_grad, bool accumulate, Workspace ws, ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, x, "conv2d weight grad: x", dz, "conv2d weight grad: dz", &s));
  const bool bias_trains = p.has_bias && bias_grad != nullptr;
  UT_CHECK(weight_grad != nullptr || bias_trains, StatusCode::invalid_argument,
           "conv2d weight grad: weight_grad is null and there is no bias gradient to compute");
  if (weight_grad != nullptr)
    UT_TRY(conv_step_weight_grad(ctx, s, x.f32(), dz.f32(), weight_grad, accumulate, ws, choice,
                                 "conv2d weight grad: workspace"));
  if (!bias_trains) return ok_status();
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "conv2d weight grad: the context has no team");
  return sum_channels(*ctx.team, dz.shape, p.layout, dz.f32(), bias_grad, accumulate);
}

Status conv2d_input_grad(const ExecContext& ctx, const Conv2dParams& p, const TensorView& dz, const float* weight,
                         const TensorView& dx, bool accumulate, Workspace ws, ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, dx, "conv2d input grad: dx", dz, "conv2d input grad: dz", &s));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "conv2d input grad: weight is null");
  return conv_step_input_grad(ctx, s, dz.f32(), weight, dx.f32(), accumulate, ws, choice,
                              "conv2d input grad: workspace");
}

}  // namespace utrain
