// The case struct of the depthwise Conv2D goldens (tests/golden/fixtures/depthwise.h, written by
// tests/golden/depthwise_goldens.py). Plain struct pointing at static arrays, no STL and no heap,
// like golden_cases.h.
#pragma once
#include <stdint.h>

#include "core/window2d.h"
#include "kernels/activation_fn.h"

namespace utrain::golden {

// One depthwise Conv2D, all three steps: y = act(conv(x, W) + b) with PyTorch's F.conv2d,
// groups = channels (asymmetric padding through F.pad first), then backward of dy.
// Streams, all uniform_symmetric(1), in PyTorch's memory order (NCHW, weight [c][kh][kw]):
// 0 x (batch × C × in_h × in_w), 1 W (C × kh × kw), 2 b (C), 3 dy (batch × C × out_h × out_w).
// Every array here is in that order too; a test of the HWC layout permutes.
struct DepthwiseCase {
  const char* name;
  uint64_t seed;
  int32_t batch, channels, in_h, in_w;
  Window2d window;
  bool has_bias;
  Activation act;
  float slope;
  const float* y;            // batch × C × out_h × out_w
  const float* weight_grad;  // C × kh × kw
  const float* bias_grad;    // C; null without bias
  const float* input_grad;   // batch × C × in_h × in_w
};

}  // namespace utrain::golden
