#include "layers/conv_steps.h"

#include "kernels/conv/conv_flip.h"
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

// Where the flipped input gradient (kernels/conv/conv_flip.h) beats Wᵀ·dz plus col2im, from
// ResNet8's 3×3 stride-1 layers at batch 1, CHW:
//  - rv32 (QEMU instruction counts, bench/run_device_benchmark.py): the product's K grows from
//    out to out·9 (0.600 → 0.662 MAC/instr at out 16, 0.629 → 0.665 at 32), and the gather of dz
//    costs about what the scatter did; the weight's rotation is the price. Whole step, 1 hart:
//    16×32×32 0.475 → 0.511 and 0.451 → 0.515 MAC/instr, 32×16×16 0.534 → 0.555; 8 harts
//    3.78 → 3.98, 3.60 → 4.01, 4.26 → 4.41 MAC/cycle. At 64×8×8 the rotated weight (in·out·9) is
//    as large as the gathered dz (out·9·P) and the step lost: 0.585 → 0.551 (8 harts 4.66 → 4.36).
//    So: in_channels at most a quarter of the positions the step gathers (batch · in_h · in_w),
//    and out_channels at most 64, the widest measured.
//  - x86-64 (generic kernels, one thread, bench_cnn_step): never. The n_n product with only
//    in_channels rows runs at half the speed of the t_n one with in·9 rows (16×32×32: 348 against
//    197 us), and HWC is a draw at best (16×32×32: 221 against 216 us; 64×8×8: 195 against 173).
//  - Cortex-M4F (the same kernels, counted the same way): whole step 16×32×32 0.458 → 0.518 and
//    0.455 → 0.522 MAC/instr, 32×16×16 0.530 → 0.555; the whole ResNet8 step 0.489 → 0.499.
// The planner sizes workspaces without knowing the kernels a context will run, so the rule is
// fixed per build: the rv32 and Cortex-M4F builds use it, for CHW (the layout measured there).
#if defined(__riscv) || (defined(__ARM_ARCH_7EM__) && defined(__ARM_FP))
constexpr bool kFlippingCanPay = true;
#else
constexpr bool kFlippingCanPay = false;
#endif
constexpr int32_t kFlipMaxOutChannels = 64;

bool flipping_pays(const ConvShape& s) {
  const int64_t gathered_positions = int64_t{s.batch} * s.in_h * s.in_w;
  return kFlippingCanPay && s.layout == Layout::chw && s.out_channels <= kFlipMaxOutChannels &&
         int64_t{s.in_channels} * 4 <= gathered_positions;
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

// The flipped input gradient's workspace: the lowered dz of the flipped convolution, then its
// weight (the lowered matrix first, at the workspace's own alignment, since it is the larger).
size_t flipped_workspace_floats(const ConvShape& s) {
  return conv_lowered_floats(flipped_conv_shape(s)) + conv_flipped_weight_floats(s);
}

Status flipped_input_grad(const ExecContext& ctx, const ConvShape& s, const float* dz, const float* weight,
                          float* dx, bool accumulate, Workspace ws, ConvChoice choice) {
  const ConvShape flipped = flipped_conv_shape(s);
  const size_t lowered_floats = conv_lowered_floats(flipped);
  float* flipped_weight = ws.f32() + lowered_floats;
  UT_TRY(flip_conv_weight(*ctx.team, s, weight, flipped_weight));
  const Workspace lowered{ws.data, lowered_floats * sizeof(float)};
  const ConvEpilogue epilogue{nullptr, Activation::none, kDefaultLeakySlope, accumulate};
  return conv_step_forward(ctx, flipped, dz, flipped_weight, epilogue, dx, lowered,
                           ConvChoice{ConvAlgorithm::lowered, choice.kernel}, "conv flipped input grad: workspace");
}

}  // namespace

bool conv_forward_b_panels(const ConvShape& s, ConvAlgorithm algorithm, const MatMulKernel* kernel) {
  return algorithm == ConvAlgorithm::lowered && s.layout == Layout::chw && s.window.is_unpadded_1x1() &&
         matmul_takes_b_panels(kernel, s.out_channels, s.positions());
}

ConvAlgorithm conv_step_algorithm(LayerStep step, const ConvShape& s, ConvAlgorithm requested) {
  if (requested == ConvAlgorithm::lowered || requested == ConvAlgorithm::direct) return requested;
  const bool can_flip = step == LayerStep::input_grad && conv_flip_applies(s);
  if (requested == ConvAlgorithm::flipped && can_flip) return ConvAlgorithm::flipped;
  if (shape_is_pointwise(s)) return ConvAlgorithm::pointwise;
  if (!lowering_pays(step, s)) return ConvAlgorithm::direct;
  return can_flip && flipping_pays(s) ? ConvAlgorithm::flipped : ConvAlgorithm::lowered;
}

size_t conv_step_workspace_bytes(LayerStep step, const ConvShape& s, ConvAlgorithm requested) {
  switch (conv_step_algorithm(step, s, requested)) {
    case ConvAlgorithm::lowered: return conv_lowered_floats(s) * sizeof(float);
    case ConvAlgorithm::flipped: return flipped_workspace_floats(s) * sizeof(float);
    default: return 0;
  }
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
  // Per sample: y_n [out × P] = W · col_n, the bias per row; col in panels where the kernel
  // reads them and the gather writes them.
  mm.m = s.out_channels, mm.n = s.positions();
  mm.ta = Trans::n, mm.a = weight, mm.lda = s.k();
  mm.tb = Trans::n, mm.ldb = s.positions();
  mm.ldc = s.positions();
  mm.bias_axis = e.bias != nullptr ? BiasAxis::row : BiasAxis::none;
  mm.b_panels = conv_forward_b_panels(s, algorithm, choice.kernel);
  for (int32_t n = 0; n < s.batch; ++n) {
    if (mm.b_panels) UT_TRY(im2col_panels(*ctx.team, s, x + input_sample(s, n), ws.f32()));
    else if (lower) UT_TRY(im2col(*ctx.team, s, x + input_sample(s, n), ws.f32()));
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
  if (algorithm == ConvAlgorithm::flipped) return flipped_input_grad(ctx, s, dz, weight, dx, accumulate, ws, choice);
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
