#include "layers/optimizer.h"

#include <math.h>

namespace utrain {

namespace {

bool is_finite(float v) { return isfinite(v); }

// torch.optim.SGD, single-tensor path, in its order of operations.
void sgd_step(const OptimizerConfig& c, bool first_step, float* param, const float* grad, float* momentum_buf,
              size_t count, float grad_scale) {
  const float keep = 1.0f - c.dampening;
  for (size_t i = 0; i < count; ++i) {
    float g = grad[i] * grad_scale;
    if (c.weight_decay != 0.0f) g = g + c.weight_decay * param[i];
    if (c.momentum != 0.0f) {
      // PyTorch creates the buffer as a copy of the first gradient, undamped.
      const float buf = first_step ? g : momentum_buf[i] * c.momentum + keep * g;
      momentum_buf[i] = buf;
      g = c.nesterov ? g + c.momentum * buf : buf;
    }
    param[i] = param[i] - c.lr * g;
  }
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
  float* m = state;
  float* v = state + count;
  for (size_t i = 0; i < count; ++i) {
    float p = param[i];
    float g = grad[i] * grad_scale;
    if (decoupled) {
      p = p * decay;
    } else if (c.weight_decay != 0.0f) {
      g = g + c.weight_decay * p;
    }
    m[i] = m[i] * c.beta1 + one_minus_beta1 * g;
    v[i] = v[i] * c.beta2 + one_minus_beta2 * g * g;
    const float denom = sqrtf(v[i]) / bias_correction2_sqrt + c.eps;
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
