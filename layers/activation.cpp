#include "layers/activation.h"

#include <stddef.h>

#include "layers/elementwise_checks.h"
#include "layers/elementwise_team.h"
#include "layers/layer_checks.h"
#include "layers/unrolled_loop.h"

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
// share, not once per element; each share runs one of these through a pointer, so its loop is
// compiled on its own, with the pointers stepped in registers. Counts are size_t: a dense tensor
// fits in memory, and a 32-bit counter is one register on rv32.
template <Activation kKind>
void forward_range(const float* x, float* y, size_t count, float slope) {
  for_each_unrolled(count, [&](size_t i) { y[i] = activate(kKind, x[i], slope); });
}

// What a backward loop needs besides the tensors. ReLU's and LeakyReLU's slope is one of two
// values, chosen by the output's sign. On the host they come in as values, not as the constants
// activation_fn.h folds to: with constants, GCC turns dy · (y > 0 ? 1 : 0) into a branch around
// dy · 0 (a multiply that may trap, so the vectorizer will not make it a select), and that branch
// mispredicts on about half of a ReLU's gradients: 10x slower than the select, which also
// vectorizes (measured, 8000 values). rv32 cores are in order with nothing to mispredict, and
// there the branch is 1.6 instructions per element fewer than the select (6.6 against 8.2,
// counted on DS-CNN). The Cortex-M4F is not measured and takes the select.
#if defined(__riscv)
constexpr bool kSlopeBranchPays = true;
#else
constexpr bool kSlopeBranchPays = false;
#endif

struct BackwardSlopes {
  float leaky_slope;   // activation_slope_from_output's argument
  float above, below;  // ReLU's or LeakyReLU's slope where y > 0 and where y ≤ 0
};

template <Activation kKind>
void backward_range(const float* y, const float* dy, float* dx, size_t count, BackwardSlopes s) {
  if constexpr (!kSlopeBranchPays && (kKind == Activation::relu || kKind == Activation::leaky_relu))
    for_each_unrolled(count, [&](size_t i) { dx[i] = dy[i] * (y[i] > 0.0f ? s.above : s.below); });
  else
    for_each_unrolled(count,
                      [&](size_t i) { dx[i] = dy[i] * activation_slope_from_output(kKind, y[i], s.leaky_slope); });
}

using ForwardRange = void (*)(const float* x, float* y, size_t count, float slope);
using BackwardRange = void (*)(const float* y, const float* dy, float* dx, size_t count, BackwardSlopes s);

// Indexed by the Activation's value (check_activation_params has checked it).
constexpr ForwardRange kForwardRanges[] = {forward_range<Activation::none>, forward_range<Activation::relu>,
                                           forward_range<Activation::leaky_relu>,
                                           forward_range<Activation::sigmoid>, forward_range<Activation::tanh>};
constexpr BackwardRange kBackwardRanges[] = {backward_range<Activation::none>, backward_range<Activation::relu>,
                                             backward_range<Activation::leaky_relu>,
                                             backward_range<Activation::sigmoid>, backward_range<Activation::tanh>};

}  // namespace

Status activation_forward(const ExecContext& ctx, const ActivationParams& p, const TensorView& x,
                          const TensorView& y) {
  UT_TRY(check_context(ctx, "activation forward"));
  UT_TRY(check_activation_params(p).about("activation forward"));
  UT_TRY(check_dense_f32(x, "activation forward: x"));
  UT_TRY(check_dense_f32(y, "activation forward: y"));
  UT_TRY(check_same_shape(y, x, "activation forward: y"));
  UT_CHECK(!overlaps_partially(y, x), StatusCode::invalid_argument,
           "activation forward: y overlaps x without being x (only exact in-place is allowed)");
  const float* in = x.f32();
  float* out = y.f32();
  const ForwardRange range = kForwardRanges[static_cast<int>(p.kind)];
  const float slope = p.slope;
  return run_elementwise(ctx, x.elements(), "activation forward",
                         [&](size_t begin, size_t end) { range(in + begin, out + begin, end - begin, slope); });
}

Status activation_backward(const ExecContext& ctx, const ActivationParams& p, const TensorView& y,
                           const TensorView& dy, const TensorView& dx) {
  UT_TRY(check_context(ctx, "activation backward"));
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
  const float* out = y.f32();
  const float* grad_out = dy.f32();
  float* grad_in = dx.f32();
  const BackwardRange range = kBackwardRanges[static_cast<int>(p.kind)];
  // The slope at a positive and at a zero output: for ReLU and LeakyReLU, the only two there are.
  const BackwardSlopes slopes{p.slope, activation_slope_from_output(p.kind, 1.0f, p.slope),
                              activation_slope_from_output(p.kind, 0.0f, p.slope)};
  return run_elementwise(ctx, y.elements(), "activation backward", [&](size_t begin, size_t end) {
    range(out + begin, grad_out + begin, grad_in + begin, end - begin, slopes);
  });
}

}  // namespace utrain
