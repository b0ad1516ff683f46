// The case structs of the golden fixtures (tests/golden/fixtures/*.h, written by
// tests/golden/generate_goldens.py from PyTorch). Plain structs pointing at static arrays, no STL
// and no heap, so the fixtures also build for the bare-metal targets.
//
// Inputs are not stored, only their seeds: "stream s of a case" is Rng(seed, s) (core/rng.h),
// drawn in memory order, and tests/golden/portable_rng.py draws the same values bit for bit.
// Each struct says which stream feeds which tensor.
#pragma once
#include <stdint.h>

#include "graph/plan.h"
#include "kernels/activation_fn.h"
#include "layers/init.h"
#include "layers/loss.h"
#include "layers/optimizer.h"

namespace utrain::golden {

// One fresh Rng(seed, stream) drawing, in this order, `draws` next_u32(), `draws` uniform(),
// `draws` uniform_symmetric(symmetric_bound) and `draws` below(below_n).
struct RngCase {
  uint64_t seed, stream;
  float symmetric_bound;
  uint32_t below_n;
  int32_t draws;
  const uint32_t* u32;
  const float* uniform;
  const float* symmetric;
  const uint32_t* below;
};

// init_bound(kind, fan_in, fan_out), and init_fill of `count` values from Rng(seed, stream).
struct InitCase {
  InitKind kind;
  int32_t fan_in, fan_out;
  uint64_t seed, stream;
  float bound;
  int32_t count;
  const float* values;
};

// One Linear layer, all three steps: y = act(x·Wᵀ + b), then backward of dy.
// Streams, all uniform_symmetric(1): 0 x (batch × in), 1 W (out × in), 2 b (out), 3 dy (batch × out).
struct LinearCase {
  const char* name;
  uint64_t seed;
  int32_t batch, in_features, out_features;
  bool has_bias;
  Activation act;
  float slope;
  const float* y;            // batch × out
  const float* weight_grad;  // out × in
  const float* bias_grad;    // out; null without bias
  const float* input_grad;   // batch × in
};

// A standalone activation over a rows × cols tensor.
// Streams: 0 x, uniform_symmetric(x_bound); 1 dy, uniform_symmetric(1).
struct ActivationCase {
  const char* name;
  uint64_t seed;
  int32_t rows, cols;
  Activation kind;
  float slope;
  float x_bound;
  const float* y;
  const float* input_grad;
};

// A loss over rows × cols predictions (logits for cross-entropy).
// Stream 0: predictions, uniform_symmetric(pred_bound). Stream 1: one label per row, below(cols),
// for cross-entropy; otherwise targets, uniform_symmetric(1), then target[i] = pred[i] for every
// i % 4 == 0 (ties: L1's gradient there is 0).
struct LossCase {
  const char* name;
  LossKind kind;
  Reduction reduction;
  uint64_t seed;
  int32_t rows, cols;
  float pred_bound;
  float value;
  const float* grad;  // rows × cols
};

// `steps` consecutive optimizer steps on `count` parameters.
// Streams, all uniform_symmetric(1): 0 the initial parameters; s (1..steps) the gradient of step s.
struct OptimizerCase {
  const char* name;
  OptimizerConfig config;
  float grad_scale;
  uint64_t seed;
  int32_t count, steps;
  const float* params;  // steps × count: the parameters after each step
};

// A layer of a sequential model: Linear(out_features), then the activation unless it is none.
struct LayerSpec {
  int32_t out_features;
  bool has_bias;
  Activation act;
  float slope;
};

// Training steps of a small model through the Trainer, from Trainer::initialize(init_seed).
// Step s (from 0) draws its batch from Rng(data_seed, s): batch × input_features inputs,
// uniform_symmetric(1), then one label per sample, below(classes), for cross-entropy, or
// batch × output_features targets, uniform_symmetric(1), otherwise.
struct TrainerCase {
  const char* name;
  int32_t input_features;
  const LayerSpec* layers;
  int32_t layer_count;
  TrainConfig config;
  uint64_t init_seed, data_seed;
  int32_t steps;
  const float* losses;          // steps: the loss train_step reports
  int32_t param_floats;         // all parameters, in Trainer::parameter() order
  const float* initial_params;  // after initialize(init_seed) (bit-exact)
  const float* final_params;    // after the last step
};

// A long run of a ReLU autoencoder (MSE, target = input, batch 1), from initialize(init_seed).
// Sample j (0..samples-1) is Rng(data_seed, j), input_features uniform() values; step s trains
// on sample s % samples.
struct AutoencoderCase {
  const char* name;
  const int32_t* widths;  // input features, then every Linear's out_features; ReLU after all but the last
  int32_t width_count;
  TrainConfig config;
  uint64_t init_seed, data_seed;
  int32_t samples, steps;
  const float* losses;  // steps
  int32_t head;         // initial_heads holds the first `head` values of every parameter
  const float* initial_heads;
};

}  // namespace utrain::golden
