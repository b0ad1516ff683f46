#include "layers/activation.h"

#include <stddef.h>

#include "layers/elementwise_checks.h"

namespace utrain {

namespace {

Status check_activation_params(const ActivationParams& p) {
  switch (p.kind) {
    case Activation::none:
    case Activation::relu:
    case Activation::leaky_relu:
    case Activation::sigmoid:
    case Activation::tanh: break;
    default: return Status::error(StatusCode::invalid_argument, "unknown activation kind");
  }
  // The backward step recovers the input's sign from the output's, which needs slope > 0.
  UT_CHECK(p.kind != Activation::leaky_relu || p.slope > 0.0f, StatusCode::invalid_argument,
           "LeakyReLU slope must be positive");
  return ok_status();
}

// The kind is a template argument so that the switch inside activate() is resolved once per
// tensor, not once per element. Counts are size_t: a dense tensor fits in memory, and a 32-bit
// counter is one register on rv32.
template <Activation kKind>
void forward_all(const float* x, float* y, size_t count, float slope) {
  for (size_t i = 0; i < count; ++i) y[i] = activate(kKind, x[i], slope);
}

template <Activation kKind>
void backward_all(const float* y, const float* dy, float* dx, size_t count, float slope) {
  for (size_t i = 0; i < count; ++i) dx[i] = dy[i] * activation_slope_from_output(kKind, y[i], slope);
}

}  // namespace

Status activation_forward(const ActivationParams& p, const TensorView& x, const TensorView& y) {
  UT_TRY(check_activation_params(p).about("activation forward"));
  UT_TRY(check_dense_f32(x, "activation forward: x"));
  UT_TRY(check_dense_f32(y, "activation forward: y"));
  UT_TRY(check_same_shape(y, x, "activation forward: y"));
  UT_CHECK(!overlaps_partially(y, x), StatusCode::invalid_argument,
           "activation forward: y overlaps x without being x (only exact in-place is allowed)");
  const size_t count = static_cast<size_t>(x.elements());
  const float* in = x.f32();
  float* out = y.f32();
  switch (p.kind) {
    case Activation::none: forward_all<Activation::none>(in, out, count, p.slope); break;
    case Activation::relu: forward_all<Activation::relu>(in, out, count, p.slope); break;
    case Activation::leaky_relu: forward_all<Activation::leaky_relu>(in, out, count, p.slope); break;
    case Activation::sigmoid: forward_all<Activation::sigmoid>(in, out, count, p.slope); break;
    case Activation::tanh: forward_all<Activation::tanh>(in, out, count, p.slope); break;
  }
  return ok_status();
}

Status activation_backward(const ActivationParams& p, const TensorView& y, const TensorView& dy,
                           const TensorView& dx) {
  UT_TRY(check_activation_params(p).about("activation backward"));
  UT_TRY(check_dense_f32(y, "activation backward: y"));
  UT_TRY(check_dense_f32(dy, "activation backward: dy"));
  UT_TRY(check_dense_f32(dx, "activation backward: dx"));
  UT_TRY(check_same_shape(dy, y, "activation backward: dy"));
  UT_TRY(check_same_shape(dx, y, "activation backward: dx"));
  UT_CHECK(!overlaps_partially(dx, dy), StatusCode::invalid_argument,
           "activation backward: dx overlaps dy without being dy (only exact in-place is allowed)");
  UT_CHECK(!overlaps_partially(dx, y), StatusCode::invalid_argument,
           "activation backward: dx overlaps y without being y (only exact in-place is allowed)");
  const size_t count = static_cast<size_t>(y.elements());
  const float* out = y.f32();
  const float* grad_out = dy.f32();
  float* grad_in = dx.f32();
  switch (p.kind) {
    case Activation::none: backward_all<Activation::none>(out, grad_out, grad_in, count, p.slope); break;
    case Activation::relu: backward_all<Activation::relu>(out, grad_out, grad_in, count, p.slope); break;
    case Activation::leaky_relu:
      backward_all<Activation::leaky_relu>(out, grad_out, grad_in, count, p.slope);
      break;
    case Activation::sigmoid: backward_all<Activation::sigmoid>(out, grad_out, grad_in, count, p.slope); break;
    case Activation::tanh: backward_all<Activation::tanh>(out, grad_out, grad_in, count, p.slope); break;
  }
  return ok_status();
}

}  // namespace utrain
