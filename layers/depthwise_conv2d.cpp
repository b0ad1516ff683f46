#include "layers/depthwise_conv2d.h"

#include <stdint.h>

#include "layers/layer_checks.h"

namespace utrain {

namespace {

// Kernels index with 32-bit counts of planes and rows and pointer-sized offsets; a tensor of 2^31
// floats or more exceeds a 32-bit target's memory anyway.
constexpr int64_t kMaxElements = INT32_MAX;

// A dense f32 view of `shape` in the layer's layout.
Status check_activation(const TensorView& t, const Shape& shape, Layout layout, const char* subject) {
  UT_TRY(check_layer_tensor(t, layout, subject));
  if (t.shape.n != shape.n)
    return Status::error(StatusCode::shape_mismatch, "batch sizes differ", t.shape.n, shape.n).about(subject);
  if (t.shape.c != shape.c)
    return Status::error(StatusCode::shape_mismatch, "channels differ from the layer's", t.shape.c, shape.c)
        .about(subject);
  if (t.shape.h != shape.h)
    return Status::error(StatusCode::shape_mismatch, "height differs from the expected", t.shape.h, shape.h)
        .about(subject);
  if (t.shape.w != shape.w)
    return Status::error(StatusCode::shape_mismatch, "width differs from the expected", t.shape.w, shape.w)
        .about(subject);
  if (t.elements() > kMaxElements)
    return Status::error(StatusCode::invalid_argument, "tensor has too many elements", t.elements(), kMaxElements)
        .about(subject);
  return ok_status();
}

// [first, last) bytes of `count` floats at p; empty for null.
struct Span {
  uintptr_t first = 0, last = 0;
};
Span span_of(const void* p, int64_t count) {
  if (p == nullptr) return Span{};
  const uintptr_t first = reinterpret_cast<uintptr_t>(p);
  return Span{first, first + static_cast<uintptr_t>(count) * sizeof(float)};
}
bool overlap(Span a, Span b) { return a.first < b.last && b.first < a.last; }

// The kernels read their inputs while writing their outputs: an output must not share memory
// with an input.
Status check_no_overlap(Span out, Span in, const char* what) {
  if (overlap(out, in)) return Status::error(StatusCode::invalid_argument, what);
  return ok_status();
}

// The argument block the kernels take, geometry filled in from x's and y's shapes.
DepthwiseArgs args_for(const DepthwiseConv2dParams& p, const Shape& in, const Shape& out) {
  DepthwiseArgs a;
  a.layout = p.layout;
  a.batch = in.n, a.channels = p.channels;
  a.in_h = in.h, a.in_w = in.w, a.out_h = out.h, a.out_w = out.w;
  a.window = p.window;
  return a;
}

struct KernelCall {
  DepthwiseFn fn;
  const DepthwiseArgs* args;
};

// Runs `kernel` (or the default) for `step` on the team.
Status run(const ExecContext& ctx, LayerStep step, const DepthwiseArgs& a, const DepthwiseKernel* kernel,
           const char* subject) {
  if (kernel == nullptr) {
    kernel = &default_depthwise_kernel(a.layout, step, a, ctx.isas);
  } else {
    if (kernel->layout != a.layout)
      return Status::error(StatusCode::invalid_argument, "the kernel is for the other layout").about(subject);
    if (kernel->step != step)
      return Status::error(StatusCode::invalid_argument, "the kernel is for another step").about(subject);
    if (!ctx.isas.has(kernel->isa))
      return Status::error(StatusCode::unsupported, "the kernel needs an instruction set this machine lacks")
          .about(subject);
  }
  KernelCall call{kernel->fn, &a};
  ctx.team->run(
      [](void* c, int member, int members) {
        const KernelCall* kc = static_cast<const KernelCall*>(c);
        kc->fn(*kc->args, member, members);
      },
      &call);
  return ok_status();
}

// The team, the parameters and the step's input view `t` (x, or dx for the input grad); the
// output shape that goes with it. Shared by the three steps.
Status check_input(const ExecContext& ctx, const DepthwiseConv2dParams& p, const TensorView& t, Shape* out,
                   const char* subject) {
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "depthwise conv2d: the context has no team");
  UT_TRY(check_depthwise_conv2d_params(p));
  UT_TRY(check_activation(t, Shape{t.shape.n, p.channels, t.shape.h, t.shape.w}, p.layout, subject));
  *out = t.shape;
  return window2d_output(p.window, t.shape.h, t.shape.w, &out->h, &out->w, subject);
}

}  // namespace

Status check_depthwise_conv2d_params(const DepthwiseConv2dParams& p) {
  UT_CHECK(p.channels > 0, StatusCode::invalid_argument, "depthwise conv2d: channels must be positive");
  UT_TRY(check_window2d(p.window, "depthwise conv2d"));
  UT_CHECK(p.layout == Layout::chw || p.layout == Layout::hwc, StatusCode::invalid_argument,
           "depthwise conv2d: unknown layout");
  UT_CHECK(p.act != Activation::leaky_relu || p.act_slope > 0.0f, StatusCode::invalid_argument,
           "depthwise conv2d: LeakyReLU slope must be positive");
  return ok_status();
}

Status depthwise_conv2d_output_shape(const DepthwiseConv2dParams& p, const Shape& input, Shape* output) {
  UT_CHECK(output != nullptr, StatusCode::invalid_argument, "depthwise conv2d: output is null");
  UT_TRY(check_depthwise_conv2d_params(p));
  UT_CHECK(input.n > 0 && input.h > 0 && input.w > 0, StatusCode::invalid_argument,
           "depthwise conv2d: every input dimension must be positive");
  if (input.c != p.channels)
    return Status::error(StatusCode::shape_mismatch, "depthwise conv2d: input channels differ from the layer's",
                         input.c, p.channels);
  Shape out = input;
  UT_TRY(window2d_output(p.window, input.h, input.w, &out.h, &out.w, "depthwise conv2d"));
  *output = out;
  return ok_status();
}

int64_t depthwise_conv2d_step_macs(const DepthwiseConv2dParams& p, const Shape& input) {
  Shape out;
  if (!depthwise_conv2d_output_shape(p, input, &out).ok()) return 0;
  return out.elements() * p.window.taps();
}

Status depthwise_conv2d_forward(const ExecContext& ctx, const DepthwiseConv2dParams& p, const TensorView& x,
                                const float* weight, const float* bias, const TensorView& y,
                                const DepthwiseKernel* kernel) {
  constexpr const char* kSubject = "depthwise conv2d forward";
  Shape out;
  UT_TRY(check_input(ctx, p, x, &out, "depthwise conv2d forward: x"));
  UT_TRY(check_activation(y, out, p.layout, "depthwise conv2d forward: y"));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "depthwise conv2d forward: weight is null");
  UT_CHECK(!p.has_bias || bias != nullptr, StatusCode::invalid_argument,
           "depthwise conv2d forward: the layer has a bias but bias is null");
  const Span ys = span_of(y.data, y.elements());
  UT_TRY(check_no_overlap(ys, span_of(x.data, x.elements()), "depthwise conv2d forward: y overlaps x"));
  UT_TRY(check_no_overlap(ys, span_of(weight, depthwise_conv2d_weight_count(p)),
                          "depthwise conv2d forward: y overlaps the weight"));
  UT_TRY(check_no_overlap(ys, span_of(p.has_bias ? bias : nullptr, p.channels),
                          "depthwise conv2d forward: y overlaps the bias"));
  DepthwiseArgs a = args_for(p, x.shape, out);
  a.x = x.f32(), a.weight = weight, a.bias = p.has_bias ? bias : nullptr, a.y = y.f32();
  a.act = p.act, a.act_slope = p.act_slope;
  return run(ctx, LayerStep::forward, a, kernel, kSubject);
}

Status depthwise_conv2d_weight_grad(const ExecContext& ctx, const DepthwiseConv2dParams& p, const TensorView& x,
                                    const TensorView& dz, float* weight_grad, float* bias_grad, bool accumulate,
                                    const DepthwiseKernel* kernel) {
  constexpr const char* kSubject = "depthwise conv2d weight grad";
  Shape out;
  UT_TRY(check_input(ctx, p, x, &out, "depthwise conv2d weight grad: x"));
  UT_TRY(check_activation(dz, out, p.layout, "depthwise conv2d weight grad: dz"));
  if (!p.has_bias) bias_grad = nullptr;  // nothing to write: the layer has no bias
  if (weight_grad == nullptr && bias_grad == nullptr) return ok_status();
  const Span ws = span_of(weight_grad, depthwise_conv2d_weight_count(p)), bs = span_of(bias_grad, p.channels);
  const Span xs = span_of(x.data, x.elements()), dzs = span_of(dz.data, dz.elements());
  UT_TRY(check_no_overlap(ws, xs, "depthwise conv2d weight grad: weight_grad overlaps x"));
  UT_TRY(check_no_overlap(ws, dzs, "depthwise conv2d weight grad: weight_grad overlaps dz"));
  UT_TRY(check_no_overlap(bs, dzs, "depthwise conv2d weight grad: bias_grad overlaps dz"));
  UT_TRY(check_no_overlap(ws, bs, "depthwise conv2d weight grad: weight_grad overlaps bias_grad"));
  DepthwiseArgs a = args_for(p, x.shape, out);
  a.x = x.f32(), a.dy = dz.f32(), a.weight_grad = weight_grad, a.bias_grad = bias_grad;
  a.accumulate = accumulate;
  return run(ctx, LayerStep::weight_grad, a, kernel, kSubject);
}

Status depthwise_conv2d_input_grad(const ExecContext& ctx, const DepthwiseConv2dParams& p, const TensorView& dz,
                                   const float* weight, const TensorView& dx, bool accumulate,
                                   const DepthwiseKernel* kernel) {
  constexpr const char* kSubject = "depthwise conv2d input grad";
  Shape out;
  UT_TRY(check_input(ctx, p, dx, &out, "depthwise conv2d input grad: dx"));
  UT_TRY(check_activation(dz, out, p.layout, "depthwise conv2d input grad: dz"));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "depthwise conv2d input grad: weight is null");
  const Span dxs = span_of(dx.data, dx.elements());
  UT_TRY(check_no_overlap(dxs, span_of(dz.data, dz.elements()), "depthwise conv2d input grad: dx overlaps dz"));
  UT_TRY(check_no_overlap(dxs, span_of(weight, depthwise_conv2d_weight_count(p)),
                          "depthwise conv2d input grad: dx overlaps the weight"));
  DepthwiseArgs a = args_for(p, dx.shape, out);
  a.dy = dz.f32(), a.weight = weight, a.dx = dx.f32();
  a.accumulate = accumulate;
  return run(ctx, LayerStep::input_grad, a, kernel, kSubject);
}

}  // namespace utrain
