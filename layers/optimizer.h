// Optimizers, with PyTorch's update rules (torch.optim.SGD, Adam, AdamW), applied to one flat
// parameter array at a time. They own no memory: the state (momentum buffer, Adam moments) is a
// caller-provided array whose size optimizer_state_floats() gives.
//
// Gradient accumulation: sum gradients of several samples (weight-gradient steps with
// accumulate=true), then call optimizer_step once with grad_scale = 1 / samples.
//
// SGD:   g = grad·scale + wd·p;  buf = momentum·buf + (1 - dampening)·g  (buf = g on step 1);
//        g = nesterov ? g + momentum·buf : buf;  p -= lr·g
// Adam:  g = grad·scale + wd·p;  m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;
//        p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)
// AdamW: as Adam with wd = 0, after p *= 1 - lr·weight_decay (decoupled decay).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "kernels/exec_context.h"

namespace utrain {

enum class OptimizerKind : uint8_t { sgd, adam, adamw };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  float lr = 0.01f;
  float momentum = 0.0f;      // SGD
  float dampening = 0.0f;     // SGD
  bool nesterov = false;      // SGD; needs momentum > 0 and dampening == 0
  float weight_decay = 0.0f;  // all
  float beta1 = 0.9f;         // Adam, AdamW
  float beta2 = 0.999f;       // Adam, AdamW
  float eps = 1e-8f;          // Adam, AdamW
};

Status check_optimizer_config(const OptimizerConfig& c);

// Floats of state the optimizer keeps per parameter array of `count` values.
size_t optimizer_state_floats(const OptimizerConfig& c, size_t count);

// One update of `count` parameters. `step` counts updates from 1 (Adam's bias correction, SGD's
// first momentum step). `state` holds optimizer_state_floats(c, count) floats, zeroed before step 1
// (it may be null when that is 0). The parameters are split over ctx's team (small arrays run on
// the caller alone); each is updated the same way whichever member runs it.
Status optimizer_step(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, float* param,
                      const float* grad, float* state, size_t count, float grad_scale = 1.0f);

// The same update of a rows × cols weight (row-major) whose gradient is the outer product
// dz ⊗ x, grad[r][c] = dz[r]·x[c]: a batch-1 Linear layer's weight gradient (dzᵀ·x with one
// sample), formed as each value is read instead of stored. Each value is the product rounded to
// float, as a stored gradient holds it, and the update is optimizer_step's rule on it (the tests
// compare the two bit for bit); the gradient's rows × cols floats are never written (a Deep
// AutoEncoder step's largest: 640 × 128, 328 KB) nor read back.
Status optimizer_step_outer(const ExecContext& ctx, const OptimizerConfig& c, int64_t step, float* param,
                            const float* dz, const float* x, int32_t rows, int32_t cols, float* state,
                            float grad_scale = 1.0f);

}  // namespace utrain
