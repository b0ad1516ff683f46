#include "layers/optimizer.h"

#include <math.h>

namespace utrain {

namespace {

bool is_finite(float v) { return isfinite(v); }

struct SgdScalars {
  float lr, weight_decay, momentum, keep, grad_scale;
};

// One branch-free loop per combination of SGD features, so each vectorizes: with the choices
// left as run-time branches inside one loop, the compiler keeps it scalar (measured 8x slower
// on a Deep AutoEncoder step).
template <bool kDecay, bool kMomentum, bool kNesterov, bool kFirstStep>
void sgd_loop(const SgdScalars s, float* param, const float* grad, float* momentum_buf, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    float g = grad[i] * s.grad_scale;
    if constexpr (kDecay) g = g + s.weight_decay * param[i];
    if constexpr (kMomentum) {
      // PyTorch creates the buffer as a copy of the first gradient, undamped.
      const float buf = kFirstStep ? g : momentum_buf[i] * s.momentum + s.keep * g;
      momentum_buf[i] = buf;
      g = kNesterov ? g + s.momentum * buf : buf;
    }
    param[i] = param[i] - s.lr * g;
  }
}

using SgdLoop = void (*)(SgdScalars, float*, const float*, float*, size_t);

// Indexed by decay | momentum << 1 | nesterov << 2 | first step << 3.
constexpr SgdLoop kSgdLoops[16] = {
    sgd_loop<false, false, false, false>, sgd_loop<true, false, false, false>,
    sgd_loop<false, true, false, false>,  sgd_loop<true, true, false, false>,
    sgd_loop<false, false, true, false>,  sgd_loop<true, false, true, false>,
    sgd_loop<false, true, true, false>,   sgd_loop<true, true, true, false>,
    sgd_loop<false, false, false, true>,  sgd_loop<true, false, false, true>,
    sgd_loop<false, true, false, true>,   sgd_loop<true, true, false, true>,
    sgd_loop<false, false, true, true>,   sgd_loop<true, false, true, true>,
    sgd_loop<false, true, true, true>,    sgd_loop<true, true, true, true>,
};

// torch.optim.SGD, single-tensor path, in its order of operations.
void sgd_step(const OptimizerConfig& c, bool first_step, float* param, const float* grad, float* momentum_buf,
              size_t count, float grad_scale) {
  const bool decay = c.weight_decay != 0.0f, momentum = c.momentum != 0.0f;
  const bool nesterov = momentum && c.nesterov;
  const int index = int{decay} | int{momentum} << 1 | int{nesterov} << 2 | int{momentum && first_step} << 3;
  kSgdLoops[index](SgdScalars{c.lr, c.weight_decay, c.momentum, 1.0f - c.dampening, grad_scale}, param, grad,
                   momentum_buf, count);
}

// torch.optim.Adam and AdamW, single-tensor path. The bias corrections are scalars PyTorch
// computes in Python (double) and hands to the float kernels, so they are computed in double
// here too and rounded to float once.
void adam_step(const OptimizerConfig& c, int64_t step, float* param, const float* grad, float* state,
               size_t count, float grad_scale) {
  const bool decoupled = c.kind == OptimizerKind::adamw;
  const double bias_correction1 = 1.0 - pow(static_cast<double>(c.beta1), static_cast<double>(step));
  const double bias_correction2 = 1.0 - pow(static_cast<double>(c.beta2), static_cast<double>(step));
  const float step_size = static_cast<float>(static_cast<double>(c.lr) / bias_correction1);
  const float bias_correction2_sqrt = static_cast<float>(sqrt(bias_correction2));
  const float decay = static_cast<float>(1.0 - static_cast<double>(c.lr) * static_cast<double>(c.weight_decay));
  const float one_minus_beta1 = 1.0f - c.beta1;
  const float one_minus_beta2 = 1.0f - c.beta2;
  // Locals, not c's fields: read through `c`, they could alias param[] (both float), so the
  // compiler would reload them every iteration and not vectorize.
  const float beta1 = c.beta1, beta2 = c.beta2, eps = c.eps, weight_decay = c.weight_decay;
  float* m = state;
  float* v = state + count;
  for (size_t i = 0; i < count; ++i) {
    float p = param[i];
    float g = grad[i] * grad_scale;
    if (decoupled) {
      p = p * decay;
    } else if (weight_decay != 0.0f) {
      g = g + weight_decay * p;
    }
    m[i] = m[i] * beta1 + one_minus_beta1 * g;
    v[i] = v[i] * beta2 + one_minus_beta2 * g * g;
    const float denom = sqrtf(v[i]) / bias_correction2_sqrt + eps;
    param[i] = p - step_size * m[i] / denom;
  }
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

Status optimizer_step(const OptimizerConfig& c, int64_t step, float* param, const float* grad, float* state,
                      size_t count, float grad_scale) {
  UT_TRY(check_optimizer_config(c));
  if (step < 1) return Status::error(StatusCode::invalid_argument, "optimizer step: step counts from 1", step, 1);
  UT_CHECK(is_finite(grad_scale), StatusCode::invalid_argument, "optimizer step: grad_scale must be finite");
  UT_CHECK(param != nullptr, StatusCode::invalid_argument, "optimizer step: param is null");
  UT_CHECK(grad != nullptr, StatusCode::invalid_argument, "optimizer step: grad is null");
  UT_CHECK(state != nullptr || optimizer_state_floats(c, count) == 0, StatusCode::invalid_argument,
           "optimizer step: state is null but this optimizer keeps state");
  if (c.kind == OptimizerKind::sgd)
    sgd_step(c, step == 1, param, grad, state, count, grad_scale);
  else
    adam_step(c, step, param, grad, state, count, grad_scale);
  return ok_status();
}

}  // namespace utrain
