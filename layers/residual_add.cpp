#include "layers/residual_add.h"

#include <stddef.h>

#include "layers/elementwise_checks.h"
#include "layers/elementwise_team.h"
#include "layers/layer_checks.h"
#include "layers/unrolled_loop.h"

namespace utrain {

Status residual_add_forward(const ExecContext& ctx, const TensorView& a, const TensorView& b, const TensorView& y) {
  UT_TRY(check_context(ctx, "residual add forward"));
  UT_TRY(check_dense_f32(a, "residual add forward: a"));
  UT_TRY(check_dense_f32(b, "residual add forward: b"));
  UT_TRY(check_dense_f32(y, "residual add forward: y"));
  UT_TRY(check_same_shape(b, a, "residual add forward: b"));
  UT_TRY(check_same_shape(y, a, "residual add forward: y"));
  UT_CHECK(!overlaps_partially(y, a) && !overlaps_partially(y, b), StatusCode::invalid_argument,
           "residual add forward: y overlaps a or b without being it (only exact in-place is allowed)");
  const float* in_a = a.f32();
  const float* in_b = b.f32();
  float* out = y.f32();
  return run_elementwise(ctx, a.elements(), "residual add forward", [&](size_t begin, size_t end) {
    const float *a_share = in_a + begin, *b_share = in_b + begin;
    float* y_share = out + begin;
    for_each_unrolled(end - begin, [&](size_t i) { y_share[i] = a_share[i] + b_share[i]; });
  });
}

Status residual_add_input_grad(const ExecContext& ctx, const TensorView& dy, const TensorView& dx, bool accumulate) {
  UT_TRY(check_context(ctx, "residual add input grad"));
  UT_TRY(check_dense_f32(dy, "residual add input grad: dy"));
  UT_TRY(check_dense_f32(dx, "residual add input grad: dx"));
  UT_TRY(check_same_shape(dx, dy, "residual add input grad: dx"));
  UT_CHECK(!overlaps_partially(dx, dy), StatusCode::invalid_argument,
           "residual add input grad: dx overlaps dy without being it (only exact in-place is allowed)");
  if (dx.data == dy.data) {
    // dx already holds dy; adding it again would double the gradient.
    UT_CHECK(!accumulate, StatusCode::invalid_argument,
             "residual add input grad: dx is dy, which cannot also accumulate (it would add dy twice)");
    return ok_status();
  }
  const float* grad = dy.f32();
  float* out = dx.f32();
  return run_elementwise(ctx, dy.elements(), "residual add input grad", [&](size_t begin, size_t end) {
    const float* g = grad + begin;
    float* d = out + begin;
    if (accumulate)
      for_each_unrolled(end - begin, [&](size_t i) { d[i] += g[i]; });
    else
      for_each_unrolled(end - begin, [&](size_t i) { d[i] = g[i]; });
  });
}

}  // namespace utrain
