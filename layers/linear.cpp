#include "layers/linear.h"

#include "kernels/mm/matmul.h"
#include "layers/unrolled_loop.h"

namespace utrain {

namespace {

// x (or dx) must be a dense batch whose samples hold `features` values.
Status check_batch(const TensorView& t, int32_t features, const char* subject) {
  UT_TRY(check_dense_f32(t, subject));
  if (t.shape.per_sample() != features)
    return Status::error(StatusCode::shape_mismatch, "values per sample differ from the layer's features",
                         t.shape.per_sample(), features)
        .about(subject);
  return ok_status();
}

Status check_same_batch(const TensorView& a, const TensorView& b, const char* subject) {
  if (a.shape.n != b.shape.n)
    return Status::error(StatusCode::shape_mismatch, "batch sizes differ", b.shape.n, a.shape.n).about(subject);
  return ok_status();
}

}  // namespace

Status check_linear_params(const LinearParams& p) {
  UT_CHECK(p.in_features > 0, StatusCode::invalid_argument, "linear: in_features must be positive");
  UT_CHECK(p.out_features > 0, StatusCode::invalid_argument, "linear: out_features must be positive");
  UT_CHECK(p.act != Activation::leaky_relu || p.act_slope > 0.0f, StatusCode::invalid_argument,
           "linear: LeakyReLU slope must be positive");
  return ok_status();
}

Status linear_forward(const ExecContext& ctx, const LinearParams& p, const TensorView& x,
                      const float* weight, const float* bias, const TensorView& y,
                      const MatMulKernel* kernel) {
  UT_TRY(check_linear_params(p));
  UT_TRY(check_batch(x, p.in_features, "linear forward: x"));
  UT_TRY(check_batch(y, p.out_features, "linear forward: y"));
  UT_TRY(check_same_batch(x, y, "linear forward: y"));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "linear forward: weight is null");
  UT_CHECK(!p.has_bias || bias != nullptr, StatusCode::invalid_argument,
           "linear forward: the layer has a bias but bias is null");
  MatMulArgs mm;
  mm.m = x.shape.n, mm.n = p.out_features, mm.k = p.in_features;
  mm.ta = Trans::n, mm.a = x.f32(), mm.lda = p.in_features;
  mm.tb = Trans::t, mm.b = weight, mm.ldb = p.in_features;
  mm.c = y.f32(), mm.ldc = p.out_features;
  mm.bias_axis = p.has_bias ? BiasAxis::col : BiasAxis::none;
  mm.bias = p.has_bias ? bias : nullptr;
  mm.act = p.act, mm.act_slope = p.act_slope;
  return matmul(ctx, mm, kernel);
}

Status linear_weight_grad(const ExecContext& ctx, const LinearParams& p, const TensorView& x,
                          const TensorView& dz, float* weight_grad, float* bias_grad,
                          bool accumulate, const MatMulKernel* kernel) {
  UT_TRY(check_linear_params(p));
  UT_TRY(check_batch(x, p.in_features, "linear weight grad: x"));
  UT_TRY(check_batch(dz, p.out_features, "linear weight grad: dz"));
  UT_TRY(check_same_batch(x, dz, "linear weight grad: dz"));
  UT_CHECK(weight_grad != nullptr, StatusCode::invalid_argument, "linear weight grad: weight_grad is null");
  const int32_t batch = x.shape.n;
  MatMulArgs mm;
  mm.m = p.out_features, mm.n = p.in_features, mm.k = batch;
  mm.ta = Trans::t, mm.a = dz.f32(), mm.lda = p.out_features;
  mm.tb = Trans::n, mm.b = x.f32(), mm.ldb = p.in_features;
  mm.c = weight_grad, mm.ldc = p.in_features;
  mm.accumulate = accumulate;
  UT_TRY(matmul(ctx, mm, kernel));
  if (p.has_bias && bias_grad != nullptr) UT_TRY(linear_bias_grad(p, dz, bias_grad, accumulate));
  return ok_status();
}

Status linear_bias_grad(const LinearParams& p, const TensorView& dz, float* bias_grad, bool accumulate) {
  UT_TRY(check_linear_params(p));
  UT_TRY(check_batch(dz, p.out_features, "linear bias grad: dz"));
  UT_CHECK(p.has_bias, StatusCode::invalid_argument, "linear bias grad: the layer has no bias");
  UT_CHECK(bias_grad != nullptr, StatusCode::invalid_argument, "linear bias grad: bias_grad is null");
  // Column sums of dz: small (out_features × batch), not worth the team. Added a row of dz at a
  // time, each sum in the same order as a sum per column would take (so the same bits), but as
  // unrolled passes over rows instead of a loop over a batch of 1 for every output: 16 -> 3
  // instructions a value on rv32 (the Deep AutoEncoder's 640 outputs: 10k instructions on hart 0).
  const float* g = dz.f32();
  const size_t outputs = static_cast<size_t>(p.out_features);
  if (accumulate)
    for_each_unrolled(outputs, [&](size_t o) { bias_grad[o] = bias_grad[o] + g[o]; });
  else
    for_each_unrolled(outputs, [&](size_t o) { bias_grad[o] = 0.0f + g[o]; });
  for (int32_t s = 1; s < dz.shape.n; ++s) {
    const float* row = g + static_cast<size_t>(s) * outputs;
    for_each_unrolled(outputs, [&](size_t o) { bias_grad[o] = bias_grad[o] + row[o]; });
  }
  return ok_status();
}

Status linear_input_grad(const ExecContext& ctx, const LinearParams& p, const TensorView& dz,
                         const float* weight, const TensorView& dx, bool accumulate,
                         const MatMulKernel* kernel) {
  UT_TRY(check_linear_params(p));
  UT_TRY(check_batch(dz, p.out_features, "linear input grad: dz"));
  UT_TRY(check_batch(dx, p.in_features, "linear input grad: dx"));
  UT_TRY(check_same_batch(dz, dx, "linear input grad: dx"));
  UT_CHECK(weight != nullptr, StatusCode::invalid_argument, "linear input grad: weight is null");
  MatMulArgs mm;
  mm.m = dz.shape.n, mm.n = p.in_features, mm.k = p.out_features;
  mm.ta = Trans::n, mm.a = dz.f32(), mm.lda = p.out_features;
  mm.tb = Trans::n, mm.b = weight, mm.ldb = p.in_features;
  mm.c = dx.f32(), mm.ldc = p.in_features;
  mm.accumulate = accumulate;
  return matmul(ctx, mm, kernel);
}

}  // namespace utrain
