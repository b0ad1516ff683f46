#include "layers/conv_transpose2d.h"

#include "kernels/conv/channel_bias.h"
#include "layers/conv_steps.h"
#include "layers/elementwise_checks.h"
#include "layers/layer_checks.h"

namespace utrain {

namespace {

// The step of the equivalent convolution that computes `step` of the transposed one.
constexpr LayerStep equivalent_conv_step(LayerStep step) {
  return step == LayerStep::forward       ? LayerStep::input_grad
         : step == LayerStep::input_grad  ? LayerStep::forward
                                          : LayerStep::weight_grad;
}

// (in - 1)·stride - pads + dilation·(kernel - 1) + output_padding + 1, in int64 so that no
// input overflows it unnoticed.
int64_t transposed_size(int32_t in, int32_t stride, int32_t pads, int32_t dilation, int32_t kernel,
                        int32_t output_pad) {
  return (int64_t{in} - 1) * stride - pads + int64_t{dilation} * (kernel - 1) + output_pad + 1;
}

// The equivalent convolution for `input` (this layer's input shape): its input is this layer's
// output and its output this layer's input, with the same window; this layer's weight
// [in][out][kh][kw] (HWC [in][kh][kw][out]) is that convolution's weight as it stands.
Status equivalent_conv_shape(const ConvTranspose2dParams& p, const Shape& input, const char* subject, ConvShape* s) {
  UT_TRY(check_conv_transpose2d_params(p));
  if (input.n < 1 || input.c < 1 || input.h < 1 || input.w < 1)
    return Status::error(StatusCode::invalid_argument, "every dimension must be positive").about(subject);
  if (input.c != p.in_channels)
    return Status::error(StatusCode::shape_mismatch, "channel count differs from in_channels", input.c,
                         p.in_channels)
        .about(subject);
  const Window2d& w = p.window;
  const int64_t out_h = transposed_size(input.h, w.stride_h, w.pad.top + w.pad.bottom, w.dilation_h, w.kernel_h,
                                        p.output_pad_h);
  const int64_t out_w = transposed_size(input.w, w.stride_w, w.pad.left + w.pad.right, w.dilation_w, w.kernel_w,
                                        p.output_pad_w);
  if (out_h < 1 || out_w < 1)
    return Status::error(StatusCode::shape_mismatch, "padding leaves no output", out_h < 1 ? out_h : out_w, 1)
        .about(subject);
  if (out_h > INT32_MAX || out_w > INT32_MAX)
    return Status::error(StatusCode::invalid_argument, "the output size exceeds int32").about(subject);
  *s = ConvShape{p.layout, input.n, p.out_channels, static_cast<int32_t>(out_h), static_cast<int32_t>(out_w),
                 p.in_channels, input.h, input.w, p.window};
  return check_conv_shape(*s, subject);
}

// Checks the tensor whose shape the step takes as given (x, or dx for the input gradient) and
// that `output` (y or dy) has the shape the layer gives it; both in the layer's layout.
Status check_step_tensors(const ConvTranspose2dParams& p, const TensorView& input, const char* input_subject,
                          const TensorView& output, const char* output_subject, ConvShape* s) {
  UT_TRY(check_conv_transpose2d_params(p));
  UT_TRY(check_layer_tensor(input, p.layout, input_subject));
  UT_TRY(equivalent_conv_shape(p, input.shape, input_subject, s));
  UT_TRY(check_dense_f32(output, output_subject));
  const TensorView expected{nullptr, DType::f32, p.layout, s->input(), {}};
  return check_same_shape(output, expected, output_subject);
}

// output_padding extends the output past the last position a window reaches; PyTorch allows it
// below the stride or the dilation, whichever is larger.
Status check_output_pad(int32_t output_pad, int32_t stride, int32_t dilation) {
  if (output_pad < 0)
    return Status::error(StatusCode::invalid_argument, "conv_transpose2d: output padding must not be negative",
                         output_pad, 0);
  const int32_t bound = stride > dilation ? stride : dilation;
  if (output_pad >= bound)
    return Status::error(StatusCode::invalid_argument,
                         "conv_transpose2d: output padding must be smaller than the stride or the dilation",
                         output_pad, bound - 1);
  return ok_status();
}

}  // namespace

Status check_conv_transpose2d_params(const ConvTranspose2dParams& p) {
  UT_CHECK(p.in_channels > 0, StatusCode::invalid_argument, "conv_transpose2d: in_channels must be positive");
  UT_CHECK(p.out_channels > 0, StatusCode::invalid_argument, "conv_transpose2d: out_channels must be positive");
  UT_TRY(check_window2d(p.window, "conv_transpose2d"));
  UT_TRY(check_output_pad(p.output_pad_h, p.window.stride_h, p.window.dilation_h));
  return check_output_pad(p.output_pad_w, p.window.stride_w, p.window.dilation_w);
}

Status conv_transpose2d_output_shape(const ConvTranspose2dParams& p, const Shape& input, Shape* output) {
  UT_CHECK(output != nullptr, StatusCode::invalid_argument, "conv_transpose2d output shape: output is null");
  ConvShape s;
  UT_TRY(equivalent_conv_shape(p, input, "conv_transpose2d input", &s));
  *output = s.input();
  return ok_status();
}

int64_t conv_transpose2d_step_macs(const ConvTranspose2dParams& p, const Shape& input) {
  ConvShape s;
  return equivalent_conv_shape(p, input, "conv_transpose2d", &s).ok() ? s.macs() : 0;
}

size_t conv_transpose2d_workspace_bytes(LayerStep step, const ConvTranspose2dParams& p, const Shape& input,
                                        ConvAlgorithm requested) {
  ConvShape s;
  if (!equivalent_conv_shape(p, input, "conv_transpose2d", &s).ok()) return 0;
  return conv_step_workspace_bytes(equivalent_conv_step(step), s, requested);
}

Status conv_transpose2d_forward(const ExecContext& ctx, const ConvTranspose2dParams& p, const TensorView& x,
                                const float* weight, const float* bias, const TensorView& y, Workspace ws,
                                ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, x, "conv_transpose2d forward: x", y, "conv_transpose2d forward: y", &s));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "conv_transpose2d forward: weight is null");
  UT_CHECK(!p.has_bias || bias != nullptr, StatusCode::invalid_argument,
           "conv_transpose2d forward: the layer has a bias but bias is null");
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "conv_transpose2d forward: the context has no team");
  // The scatter adds onto y, so the bias goes there first.
  if (p.has_bias) UT_TRY(broadcast_channel_bias(*ctx.team, y.shape, p.layout, bias, y.f32()));
  return conv_step_input_grad(ctx, s, x.f32(), weight, y.f32(), p.has_bias, ws, choice,
                              "conv_transpose2d forward: workspace");
}

Status conv_transpose2d_weight_grad(const ExecContext& ctx, const ConvTranspose2dParams& p, const TensorView& x,
                                    const TensorView& dy, float* weight_grad, float* bias_grad, bool accumulate,
                                    Workspace ws, ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, x, "conv_transpose2d weight grad: x", dy, "conv_transpose2d weight grad: dy", &s));
  const bool bias_trains = p.has_bias && bias_grad != nullptr;
  UT_CHECK(weight_grad != nullptr || bias_trains, StatusCode::invalid_argument,
           "conv_transpose2d weight grad: weight_grad is null and there is no bias gradient to compute");
  // The equivalent convolution reads dy as its input and x as its output gradient.
  if (weight_grad != nullptr)
    UT_TRY(conv_step_weight_grad(ctx, s, dy.f32(), x.f32(), weight_grad, accumulate, ws, choice,
                                 "conv_transpose2d weight grad: workspace"));
  if (!bias_trains) return ok_status();
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument,
           "conv_transpose2d weight grad: the context has no team");
  return sum_channels(*ctx.team, dy.shape, p.layout, dy.f32(), bias_grad, accumulate);
}

Status conv_transpose2d_input_grad(const ExecContext& ctx, const ConvTranspose2dParams& p, const TensorView& dy,
                                   const float* weight, const TensorView& dx, bool accumulate, Workspace ws,
                                   ConvChoice choice) {
  ConvShape s;
  UT_TRY(check_step_tensors(p, dx, "conv_transpose2d input grad: dx", dy, "conv_transpose2d input grad: dy", &s));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "conv_transpose2d input grad: weight is null");
  const ConvEpilogue epilogue{nullptr, Activation::none, kDefaultLeakySlope, accumulate};
  return conv_step_forward(ctx, s, dy.f32(), weight, epilogue, dx.f32(), ws, choice,
                           "conv_transpose2d input grad: workspace");
}

}  // namespace utrain
