#include "layers/optimizer.h"

#include <math.h>

#include "layers/elementwise_team.h"
#include "layers/layer_checks.h"
#include "layers/unrolled_loop.h"

namespace utrain {

namespace {

bool is_finite(float v) { return isfinite(v); }

struct SgdScalars {
  float lr, weight_decay, momentum, keep, grad_scale;
};

// Adam's per-step constants. Passed by value into the loops, not read through the config: read
// through a pointer they could alias param[] (both float), so the compiler would reload them
// every iteration and not vectorize.
struct AdamScalars {
  float step_size, bias_correction2_sqrt, decay, beta1, beta2, one_minus_beta1, one_minus_beta2, eps, weight_decay,
      grad_scale;
};

// How a loop forms the gradient term g from the stored gradient. grad_scale is almost always 1
// (no accumulation), and then its multiply is one instruction per parameter on rv32 for nothing.
// With weight decay the multiply stays even at 1: without it, an FMA target (rv32, Cortex-M4F)
// would fuse wd·p into the add, rounding differently from before and from the host (no FMA).
enum class GradTerm : uint8_t {
  raw,     // g = grad
  scaled,  // g = grad·scale
  decayed  // g = grad·scale + wd·p
};

// Where a loop reads the gradient of `count` parameters: `for_each<kRowsTogether>(count, body)`
// calls body(i, g) once for every i with its gradient value g. Either a stored array, or the rows of
// an outer product dz ⊗ x (cols wide) formed as they are read, starting at column first_col of
// dz's first row (a batch-1 Linear layer's weight gradient, never stored: optimizer_step_outer).
// Walking the rows inside the loop keeps a row's cost to its unrolled pass (a call of the loop per
// row cost about 60 instructions: the Deep AutoEncoder's 128 rows of 8 took 18.0k on rv32, 13.1k
// walked inside, against 15.1k for the stored product and its update). With kRowsTogether = 4
// whole rows go four at a time, so each value of x is loaded once for four parameters (SGD with
// momentum on rv32: 8.7 -> 7.7 instructions a parameter, the Deep AutoEncoder's one-hart step
// 0.214 -> 0.233 MAC per instruction); the parameters are independent, so the order is free.
struct StoredGrad {
  const float* values;
  template <size_t kRowsTogether, class Body>
  void for_each(size_t count, const Body& body) const {
    for_each_unrolled(count, [&](size_t i) { body(i, values[i]); });
  }
};
struct OuterRowsGrad {
  const float* dz;
  const float* x;
  size_t cols, first_col;
  template <size_t kRowsTogether, class Body>
  void for_each(size_t count, const Body& body) const {
    static_assert(kRowsTogether == 1 || kRowsTogether == 4, "rows go one or four at a time");
    const float* row = dz;
    for (size_t done = 0, col = first_col; done < count; col = 0) {
      if (kRowsTogether > 1 && col == 0 && count - done >= kRowsTogether * cols) {
        const float s0 = row[0], s1 = row[1], s2 = row[2], s3 = row[3];
        for_each_unrolled(cols, [&](size_t j) __attribute__((always_inline)) {
          const float xj = x[j];  // read once: the body's stores could alias x for the compiler
          body(done + j, s0 * xj);
          body(done + cols + j, s1 * xj);
          body(done + 2 * cols + j, s2 * xj);
          body(done + 3 * cols + j, s3 * xj);
        });
        done += kRowsTogether * cols, row += kRowsTogether;
        continue;
      }
      // A range that starts inside a row, and rows too few to go together, one row at a time.
      const float scale = *row++;
      const float* xs = x + col;
      const size_t length = count - done < cols - col ? count - done : cols - col;
      for_each_unrolled(length, [&](size_t j) { body(done + j, scale * xs[j]); });
      done += length;
    }
  }
};

// The momentum rule of an SGD loop. The buffer starts as a copy of the first gradient, undamped
// (as in PyTorch); nesterov has no dampening, and without dampening (keep = 1) the loop skips
// its multiply, which is exact either way.
enum class SgdMomentum : uint8_t { none, first, first_nesterov, steady, steady_nesterov, steady_damped };

// One branch-free loop per combination of SGD features, so each vectorizes: with the choices
// left as run-time branches inside one loop, the compiler keeps it scalar (measured 8x slower
// on a Deep AutoEncoder step). Unrolled for rv32: SGD with momentum is 7 instructions of work
// per parameter, and the plain loop's pointer steps and branch were 4 more.
template <GradTerm kGrad, SgdMomentum kMomentum, class Grad>
void sgd_loop(const SgdScalars s, float* param, const Grad grad, float* momentum_buf, size_t count) {
  constexpr bool kNesterov = kMomentum == SgdMomentum::first_nesterov || kMomentum == SgdMomentum::steady_nesterov;
  // Rows four at a time (OuterRowsGrad) in the loops plain SGD and SGD with momentum run at every
  // step after the first; the others keep one row at a time, as each loop of four rows is 1-2 KB
  // more rv32 code. (On x86-64 four rows or one take the same time.) The body, and the pass over
  // four rows, are always inlined: called from five places, GCC made the body a call (rv32: 8.7 ->
  // 20 instructions a parameter).
  constexpr bool kCommon = kGrad == GradTerm::raw && (kMomentum == SgdMomentum::none || kMomentum == SgdMomentum::steady);
  grad.template for_each<kCommon ? 4 : 1>(count, [&](size_t i, float stored) __attribute__((always_inline)) {
    float g = kGrad == GradTerm::raw ? stored : stored * s.grad_scale;
    if constexpr (kGrad == GradTerm::decayed) g = g + s.weight_decay * param[i];
    if constexpr (kMomentum != SgdMomentum::none) {
      float buf = g;  // the first step's
      if constexpr (kMomentum == SgdMomentum::steady || kMomentum == SgdMomentum::steady_nesterov)
        buf = momentum_buf[i] * s.momentum + g;
      if constexpr (kMomentum == SgdMomentum::steady_damped) buf = momentum_buf[i] * s.momentum + s.keep * g;
      momentum_buf[i] = buf;
      g = kNesterov ? g + s.momentum * buf : buf;
    }
    param[i] = param[i] - s.lr * g;
  });
}

template <class Grad>
using SgdLoop = void (*)(SgdScalars, float*, Grad, float*, size_t);

// Indexed by SgdMomentum.
template <GradTerm kGrad, class Grad>
constexpr SgdLoop<Grad> kSgdLoopsFor[] = {
    sgd_loop<kGrad, SgdMomentum::none, Grad>,           sgd_loop<kGrad, SgdMomentum::first, Grad>,
    sgd_loop<kGrad, SgdMomentum::first_nesterov, Grad>, sgd_loop<kGrad, SgdMomentum::steady, Grad>,
    sgd_loop<kGrad, SgdMomentum::steady_nesterov, Grad>, sgd_loop<kGrad, SgdMomentum::steady_damped, Grad>};

// Indexed by GradTerm, then SgdMomentum.
template <class Grad>
constexpr const SgdLoop<Grad>* kSgdLoops[] = {kSgdLoopsFor<GradTerm::raw, Grad>, kSgdLoopsFor<GradTerm::scaled, Grad>,
                                              kSgdLoopsFor<GradTerm::decayed, Grad>};

GradTerm grad_term(float weight_decay, float grad_scale) {
  if (weight_decay != 0.0f) return GradTerm::decayed;
  return grad_scale != 1.0f ? GradTerm::scaled : GradTerm::raw;
}

SgdMomentum sgd_momentum(const OptimizerConfig& c, bool first_step) {
  if (c.momentum == 0.0f) return SgdMomentum::none;
  if (first_step) return c.nesterov ? SgdMomentum::first_nesterov : SgdMomentum::first;
  if (c.nesterov) return SgdMomentum::steady_nesterov;
  return c.dampening != 0.0f ? SgdMomentum::steady_damped : SgdMomentum::steady;
}

// torch.optim.Adam and AdamW, single-tensor path. kDecoupled: AdamW's p *= 1 - lr·wd before the
// update; otherwise weight decay, if any, is part of the gradient term.
template <GradTerm kGrad, bool kDecoupled, class Grad>
void adam_loop(const AdamScalars s, float* param, const Grad grad, float* m, float* v, size_t count) {
  grad.template for_each<1>(count, [&](size_t i, float stored) {
    float p = param[i];
    if constexpr (kDecoupled) p = p * s.decay;
    float g = kGrad == GradTerm::raw ? stored : stored * s.grad_scale;
    if constexpr (kGrad == GradTerm::decayed) g = g + s.weight_decay * p;
    m[i] = m[i] * s.beta1 + s.one_minus_beta1 * g;
    v[i] = v[i] * s.beta2 + s.one_minus_beta2 * g * g;
    const float denom = sqrtf(v[i]) / s.bias_correction2_sqrt + s.eps;
    param[i] = p - s.step_size * m[i] / denom;
  });
}

template <class Grad>
using AdamLoop = void (*)(AdamScalars, float*, Grad, float*, float*, size_t);

// Indexed by GradTerm. AdamW's decay is decoupled, so its gradient term is never `decayed`.
template <class Grad>
constexpr AdamLoop<Grad> kAdamLoops[] = {adam_loop<GradTerm::raw, false, Grad>, adam_loop<GradTerm::scaled, false, Grad>,
                                         adam_loop<GradTerm::decayed, false, Grad>};
template <class Grad>
constexpr AdamLoop<Grad> kAdamWLoops[] = {adam_loop<GradTerm::raw, true, Grad>, adam_loop<GradTerm::scaled, true, Grad>};

// The bias corrections are scalars PyTorch computes in Python (double) and hands to the float
// kernels, so they are computed in double here too and rounded to float once.
AdamScalars adam_scalars(const OptimizerConfig& c, int64_t step, float grad_scale) {
  const double bias_correction1 = 1.0 - pow(static_cast<double>(c.beta1), static_cast<double>(step));
  const double bias_correction2 = 1.0 - pow(static_cast<double>(c.beta2), static_cast<double>(step));
  AdamScalars s;
  s.step_size = static_cast<float>(static_cast<double>(c.lr) / bias_correction1);
  s.bias_correction2_sqrt = static_cast<float>(sqrt(bias_correction2));
  s.decay = static_cast<float>(1.0 - static_cast<double>(c.lr) * static_cast<double>(c.weight_decay));
  s.beta1 = c.beta1;
  s.beta2 = c.beta2;
  s.one_minus_beta1 = 1.0f - c.beta1;
  s.one_minus_beta2 = 1.0f - c.beta2;
  s.eps = c.eps;
  s.weight_decay = c.weight_decay;
  s.grad_scale = grad_scale;
  return s;
}

}  // namespace

Status check_optimizer_config(const OptimizerConfig& c) {
  UT_CHECK(c.kind == OptimizerKind::sgd || c.kind == OptimizerKind::adam || c.kind == OptimizerKind::adamw,
           StatusCode::invalid_argument, "optimizer: unknown optimizer kind");
  UT_CHECK(is_finite(c.lr) && c.lr > 0.0f, StatusCode::invalid_argument, "optimizer: lr must be positive and finite");
  UT_CHECK(is_finite(c.weight_decay) && c.weight_decay >= 0.0f, StatusCode::invalid_argument,
           "optimizer: weight_decay must be non-negative and finite");
  if (c.kind == OptimizerKind::sgd) {
    UT_CHECK(is_finite(c.momentum) && c.momentum >= 0.0f, StatusCode::invalid_argument,
             "optimizer: SGD momentum must be non-negative and finite");
    UT_CHECK(is_finite(c.dampening), StatusCode::invalid_argument, "optimizer: SGD dampening must be finite");
    UT_CHECK(!c.nesterov || (c.momentum > 0.0f && c.dampening == 0.0f), StatusCode::invalid_argument,
             "optimizer: SGD nesterov needs momentum > 0 and dampening 0");
  } else {
    UT_CHECK(c.beta1 >= 0.0f && c.beta1 < 1.0f, StatusCode::invalid_argument, "optimizer: Adam beta1 must be in [0, 1)");
    UT_CHECK(c.beta2 >= 0.0f && c.beta2 < 1.0f, StatusCode::invalid_argument, "optimizer: Adam beta2 must be in [0, 1)");
    UT_CHECK(is_finite(c.eps) && c.eps > 0.0f, StatusCode::invalid_argument,
             "optimizer: Adam eps must be positive and finite");
  }
  return ok_status();
}

size_t optimizer_state_floats(const OptimizerConfig& c, size_t count) {
  switch (c.kind) {
    case OptimizerKind::sgd: return c.momentum != 0.0f ? count : 0;  // the momentum buffer
    case OptimizerKind::adam:
    case OptimizerKind::adamw: return 2 * count;  // first moments, then second moments
  }
  return 0;
}

namespace {

// What both entry points check before they write anything.
Status check_step(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, const float* param,
                  const float* state, size_t count, float grad_scale) {
  UT_TRY(check_context(ctx, "optimizer step"));
  UT_TRY(check_optimizer_config(c));
  if (step < 1) return Status::error(StatusCode::invalid_argument, "optimizer step: step counts from 1", step, 1);
  UT_CHECK(is_finite(grad_scale), StatusCode::invalid_argument, "optimizer step: grad_scale must be finite");
  UT_CHECK(param != nullptr, StatusCode::invalid_argument, "optimizer step: param is null");
  UT_CHECK(state != nullptr || optimizer_state_floats(c, count) == 0, StatusCode::invalid_argument,
           "optimizer step: state is null but this optimizer keeps state");
  return ok_status();
}

// The update of `count` parameters split over the team; grad_at(begin) is the gradient source
// (StoredGrad or OuterRowsGrad) of a member's range from parameter `begin` on.
template <class Grad, class GradAt>
Status run_update(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, float* param, float* state,
                  size_t count, float grad_scale, GradAt grad_at) {
  const int64_t elements = static_cast<int64_t>(count);
  if (c.kind == OptimizerKind::sgd) {
    // torch.optim.SGD, single-tensor path, in its order of operations.
    const int term = static_cast<int>(grad_term(c.weight_decay, grad_scale));
    const SgdLoop<Grad> loop = kSgdLoops<Grad>[term][static_cast<int>(sgd_momentum(c, step == 1))];
    const SgdScalars s{c.lr, c.weight_decay, c.momentum, 1.0f - c.dampening, grad_scale};
    return run_elementwise(ctx, elements, "optimizer step", [&](size_t begin, size_t end) {
      // Without momentum the buffer may be null, and a null pointer may not be offset.
      loop(s, param + begin, grad_at(begin), state == nullptr ? nullptr : state + begin, end - begin);
    });
  }
  const bool decoupled = c.kind == OptimizerKind::adamw;
  const AdamLoop<Grad> loop = decoupled ? kAdamWLoops<Grad>[static_cast<int>(grad_term(0.0f, grad_scale))]
                                        : kAdamLoops<Grad>[static_cast<int>(grad_term(c.weight_decay, grad_scale))];
  const AdamScalars s = adam_scalars(c, step, grad_scale);
  float* m = state;  // first moments, then second moments
  float* v = state + count;
  return run_elementwise(ctx, elements, "optimizer step", [&](size_t begin, size_t end) {
    loop(s, param + begin, grad_at(begin), m + begin, v + begin, end - begin);
  });
}

}  // namespace

Status optimizer_step(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, float* param,
                      const float* grad, float* state, size_t count, float grad_scale) {
  UT_TRY(check_step(ctx, c, step, param, state, count, grad_scale));
  UT_CHECK(grad != nullptr, StatusCode::invalid_argument, "optimizer step: grad is null");
  return run_update<StoredGrad>(ctx, c, step, param, state, count, grad_scale,
                                [&](size_t begin) { return StoredGrad{grad + begin}; });
}

Status optimizer_step_outer(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, float* param,
                            const float* dz, const float* x, int32_t rows, int32_t cols, float* state,
                            float grad_scale) {
  if (rows < 1 || cols < 1)
    return Status::error(StatusCode::invalid_argument, "optimizer step: the outer product needs rows and columns",
                         rows, cols);
  const size_t count = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  UT_TRY(check_step(ctx, c, step, param, state, count, grad_scale));
  UT_CHECK(dz != nullptr && x != nullptr, StatusCode::invalid_argument, "optimizer step: dz or x is null");
  const size_t width = static_cast<size_t>(cols);
  return run_update<OuterRowsGrad>(ctx, c, step, param, state, count, grad_scale, [&](size_t begin) {
    // A member's range may start and end inside a row.
    const size_t row = begin / width;
    return OuterRowsGrad{dz + row, x, width, begin - row * width};
  });
}

}  // namespace utrain
