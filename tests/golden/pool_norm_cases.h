// The case structs of the pooling, normalization and residual-add goldens
// (tests/golden/fixtures/pool.h and norm.h, written by tests/golden/pool_norm_goldens.py). Plain
// structs pointing at static arrays, no STL and no heap, like golden_cases.h.
//
// Every tensor here is in PyTorch's NCHW order, and so are the streams that regenerate the
// inputs (stream s of a case is Rng(seed, s), uniform_symmetric(bound), in that order); a test
// of the HWC layout rearranges inputs and results.
#pragma once
#include <stdint.h>

#include "core/tensor.h"
#include "core/window2d.h"
#include "layers/batch_norm2d.h"
#include "layers/pool2d.h"

namespace utrain::golden {

// One pooling layer, forward and input grad (asymmetric padding through F.pad in PyTorch).
// Streams, bound 1: 0 x (shape), 1 dy (the output's shape).
struct PoolCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  PoolKind kind;
  Window2d window;
  bool count_include_pad;
  const float* y;           // n × C × out_h × out_w
  const float* input_grad;  // shape
};

// Global average pooling (F.adaptive_avg_pool2d(x, 1)). Streams, bound 1: 0 x, 1 dy (n × C).
struct GlobalPoolCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  const float* y;           // n × C
  const float* input_grad;  // shape
};

// y = a + b. Streams, bound 1: 0 a, 1 b, 2 dy.
struct ResidualAddCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  const float* y;
  const float* a_grad;
  const float* b_grad;
};

// The streams of every normalization case: 0 x (shape), 1 dy (shape), and with affine
// parameters 2 gamma − 1 and 3 beta, both bound 0.5 (gamma = 1 + stream 2, one float addition).

// BatchNorm2d (F.batch_norm): one forward step updating the running statistics, then backward.
// Streams 4 running_mean (bound 0.5) and 5 running_var − 1 (bound 0.5), C values each, are the
// running statistics before the step.
struct BatchNormCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  NormMode mode;
  bool affine;
  float eps, momentum;
  const float* y;
  const float* running_mean;  // after the step (unchanged in evaluation)
  const float* running_var;
  const float* gamma_grad;  // C; null without affine parameters
  const float* beta_grad;
  const float* input_grad;
};

// LayerNorm over each sample's C × H × W (F.layer_norm); gamma and beta have C·H·W values.
struct LayerNormCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  bool affine;
  float eps;
  const float* y;
  const float* gamma_grad;  // C × H × W; null without affine parameters
  const float* beta_grad;
  const float* input_grad;
};

// InstanceNorm2d (F.instance_norm, no running statistics); gamma and beta have C values.
struct InstanceNormCase {
  const char* name;
  uint64_t seed;
  Shape shape;
  bool affine;
  float eps;
  const float* y;
  const float* gamma_grad;  // C; null without affine parameters
  const float* beta_grad;
  const float* input_grad;
};

}  // namespace utrain::golden
