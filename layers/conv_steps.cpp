#include "layers/conv_steps.h"

#include "kernels/conv/im2col.h"
#include "kernels/mm/matmul.h"

namespace utrain {

namespace {

// 1×1, stride 1, unpadded, and every input position is an output position (a transposed
// convolution's equivalent may drop trailing ones): the activations are the lowered matrix.
bool shape_is_pointwise(const ConvShape& s) {
  return s.window.is_pointwise() && s.in_h == s.out_h && s.in_w == s.out_w;
}

// Where lowering does not pay, from step times of lowered against direct measured on x86-64
// (one thread, generic kernels, batch 1) for 3×3 windows over 1-64 channels, 10×4 stride 2
// (DS-CNN's first layer) and 3×3 stride 2 (ResNet), CHW and HWC:
//  - A product of fewer than kTinyMacs multiply-accumulates: the fixed costs of lowering (the
//    gather call, the matrix-multiply dispatch, two fork/joins instead of one) outweigh the loop
//    (144 MACs: 0.31 us direct against 0.37-0.68 lowered; from about 600 MACs lowering wins).
//    CHW lowers one sample per product, HWC the whole batch in one.
//  - Forward and weight grad of a single output channel: each lowered value is read once, so the
//    copy and its K·P workspace buy nothing (c8→1 16×16, direct against lowered: forward 9.6 us
//    against 10.8 CHW, 14 against 20 HWC; weight grad 10.8 against 10.9 CHW, 16 against 14 HWC,
//    a draw that saves the workspace). Not the input grad: its gather form over one channel
//    tests every tap of every input value and runs 5× slower than Wᵀ·dz plus the scatter.
// Everywhere else lowering wins by 1.5-4× (DS-CNN's first layer, forward: 100 us against 386).
constexpr int64_t kTinyMacs = 512;

bool lowering_pays(LayerStep step, const ConvShape& s) {
  const int64_t macs_per_product = s.layout == Layout::chw ? s.macs() / s.batch : s.macs();
  if (macs_per_product < kTinyMacs) return false;
  return s.out_channels > 1 || step == LayerStep::input_grad;
}

Status start_step(const ExecContext& ctx, LayerStep step, const ConvShape& s, const ConvChoice& choice, Workspace ws,
                  const char* workspace_subject, ConvAlgorithm* algorithm) {
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "conv: the context has no team");
  UT_TRY(check_workspace(ws, conv_step_workspace_bytes(step, s, choice.algorithm), workspace_subject));
  *algorithm = conv_step_algorithm(step, s, choice.algorithm);
  return ok_status();
}

// Offsets of sample n in the input and the output (CHW runs the lowered steps per sample).
intptr_t input_sample(const ConvShape& s, int32_t n) { return n * s.input().per_sample(); }
intptr_t output_sample(const ConvShape& s, int32_t n) { return n * s.output().per_sample(); }

}  // namespace

ConvAlgorithm conv_step_algorithm(LayerStep step, const ConvShape& s, ConvAlgorithm requested) {
  if (requested == ConvAlgorithm::lowered || requested == ConvAlgorithm::direct) return requested;
  if (shape_is_pointwise(s)) return ConvAlgorithm::pointwise;
  return lowering_pays(step, s) ? ConvAlgorithm::lowered : ConvAlgorithm::direct;
}

size_t conv_step_workspace_bytes(LayerStep step, const ConvShape& s, ConvAlgorithm requested) {
  if (conv_step_algorithm(step, s, requested) != ConvAlgorithm::lowered) return 0;
  return conv_lowered_floats(s) * sizeof(float);
}

Status conv_step_forward(const ExecContext& ctx, const ConvShape& s, const float* x, const float* weight,
                         const ConvEpilogue& e, float* y, Workspace ws, ConvChoice choice,
                         const char* workspace_subject) {
  ConvAlgorithm algorithm{};
  UT_TRY(start_step(ctx, LayerStep::forward, s, choice, ws, workspace_subject, &algorithm));
  if (algorithm == ConvAlgorithm::direct) return conv_direct_forward(*ctx.team, s, x, weight, e, y);
  const bool lower = algorithm == ConvAlgorithm::lowered;
  MatMulArgs mm;
  mm.k = s.k();
  mm.accumulate = e.accumulate;
  mm.bias = e.bias;
  mm.act = e.act, mm.act_slope = e.act_slope;
  if (s.layout == Layout::hwc) {
    // y [n·P × out] = rows · Wᵀ, the bias per column.
    if (lower) UT_TRY(im2row(*ctx.team, s, x, ws.f32()));
    mm.m = s.batch * s.positions(), mm.n = s.out_channels;
    mm.ta = Trans::n, mm.a = lower ? ws.f32() : x, mm.lda = s.k();
    mm.tb = Trans::t, mm.b = weight, mm.ldb = s.k();
    mm.c = y, mm.ldc = s.out_channels;
    mm.bias_axis = e.bias != nullptr ? BiasAxis::col : BiasAxis::none;
    return matmul(ctx, mm, choice.kernel);
  }
  // Per sample: y_n [out × P] = W · col_n, the bias per row.
  mm.m = s.out_channels, mm.n = s.positions();
  mm.ta = Trans::n, mm.a = weight, mm.lda = s.k();
  mm.tb = Trans::n, mm.ldb = s.positions();
  mm.ldc = s.positions();
  mm.bias_axis = e.bias != nullptr ? BiasAxis::row : BiasAxis::none;
  for (int32_t n = 0; n < s.batch; ++n) {
    if (lower) UT_TRY(im2col(*ctx.team, s, x + input_sample(s, n), ws.f32()));
    mm.b = lower ? ws.f32() : x + input_sample(s, n);
    mm.c = y + output_sample(s, n);
    UT_TRY(matmul(ctx, mm, choice.kernel));
  }
  return ok_status();
}

Status conv_step_weight_grad(const ExecContext& ctx, const ConvShape& s, const float* x, const float* dz,
                             float* weight_grad, bool accumulate, Workspace ws, ConvChoice choice,
                             const char* workspace_subject) {
  ConvAlgorithm algorithm{};
  UT_TRY(start_step(ctx, LayerStep::weight_grad, s, choice, ws, workspace_subject, &algorithm));
  if (algorithm == ConvAlgorithm::direct)
    return conv_direct_weight_grad(*ctx.team, s, x, dz, weight_grad, accumulate);
  const bool lower = algorithm == ConvAlgorithm::lowered;
  MatMulArgs mm;
  mm.m = s.out_channels, mm.n = s.k();
  mm.c = weight_grad, mm.ldc = s.k();
  mm.accumulate = accumulate;
  if (s.layout == Layout::hwc) {
    // dW [out × K] (+)= dzᵀ · rows, the whole batch in one product.
    if (lower) UT_TRY(im2row(*ctx.team, s, x, ws.f32()));
    mm.k = s.batch * s.positions();
    mm.ta = Trans::t, mm.a = dz, mm.lda = s.out_channels;
    mm.tb = Trans::n, mm.b = lower ? ws.f32() : x, mm.ldb = s.k();
    return matmul(ctx, mm, choice.kernel);
  }
  // Per sample: dW (+)= dz_n [out × P] · col_nᵀ; samples after the first always add.
  mm.k = s.positions();
  mm.ta = Trans::n, mm.lda = s.positions();
  mm.tb = Trans::t, mm.ldb = s.positions();
  for (int32_t n = 0; n < s.batch; ++n) {
    if (lower) UT_TRY(im2col(*ctx.team, s, x + input_sample(s, n), ws.f32()));
    mm.a = dz + output_sample(s, n);
    mm.b = lower ? ws.f32() : x + input_sample(s, n);
    mm.accumulate = accumulate || n > 0;
    UT_TRY(matmul(ctx, mm, choice.kernel));
  }
  return ok_status();
}

Status conv_step_input_grad(const ExecContext& ctx, const ConvShape& s, const float* dz, const float* weight,
                            float* dx, bool accumulate, Workspace ws, ConvChoice choice,
                            const char* workspace_subject) {
  ConvAlgorithm algorithm{};
  UT_TRY(start_step(ctx, LayerStep::input_grad, s, choice, ws, workspace_subject, &algorithm));
  if (algorithm == ConvAlgorithm::direct)
    return conv_direct_input_grad(*ctx.team, s, dz, weight, dx, accumulate);
  // Lowered, the product goes to the workspace and the scatter accumulates into dx; pointwise,
  // the product is dx itself.
  const bool lower = algorithm == ConvAlgorithm::lowered;
  MatMulArgs mm;
  mm.accumulate = accumulate && !lower;
  if (s.layout == Layout::hwc) {
    // drows [n·P × K] = dz · W, then row2im.
    mm.m = s.batch * s.positions(), mm.n = s.k(), mm.k = s.out_channels;
    mm.ta = Trans::n, mm.a = dz, mm.lda = s.out_channels;
    mm.tb = Trans::n, mm.b = weight, mm.ldb = s.k();
    mm.c = lower ? ws.f32() : dx, mm.ldc = s.k();
    UT_TRY(matmul(ctx, mm, choice.kernel));
    return lower ? row2im(*ctx.team, s, ws.f32(), dx, accumulate) : ok_status();
  }
  // Per sample: dcol [K × P] = Wᵀ · dz_n, then col2im.
  mm.m = s.k(), mm.n = s.positions(), mm.k = s.out_channels;
  mm.ta = Trans::t, mm.a = weight, mm.lda = s.k();
  mm.tb = Trans::n, mm.ldb = s.positions();
  mm.ldc = s.positions();
  for (int32_t n = 0; n < s.batch; ++n) {
    mm.b = dz + output_sample(s, n);
    mm.c = lower ? ws.f32() : dx + input_sample(s, n);
    UT_TRY(matmul(ctx, mm, choice.kernel));
    if (lower) UT_TRY(col2im(*ctx.team, s, ws.f32(), dx + input_sample(s, n), accumulate));
  }
  return ok_status();
}

}  // namespace utrain
