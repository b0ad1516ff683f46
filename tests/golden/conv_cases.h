// The case structs of the Conv2D and ConvTranspose2D goldens (tests/golden/fixtures/conv.h,
// written by tests/golden/conv_goldens.py). Plain structs pointing at static arrays, no STL and
// no heap, like golden_cases.h.
//
// Streams, all uniform_symmetric(1), in PyTorch's memory order: 0 x (NCHW), 1 W (PyTorch's
// weight layout), 2 b (out_channels), 3 dy (NCHW, the output's shape). Every array here is in
// that order too; a test of the HWC layout permutes (the HWC weight is PyTorch's with its second
// axis moved last, like an activation's channels).
#pragma once
#include <stdint.h>

#include "core/window2d.h"
#include "kernels/activation_fn.h"

namespace utrain::golden {

// One Conv2D, all three steps: y = act(F.conv2d(x, W) + b) (asymmetric padding through F.pad
// first), then backward of dy. W is [out][in][kh][kw].
struct Conv2dCase {
  const char* name;
  uint64_t seed;
  int32_t batch, in_channels, out_channels, in_h, in_w;
  Window2d window;
  bool has_bias;
  Activation act;
  float slope;
  const float* y;            // batch × out × out_h × out_w
  const float* weight_grad;  // out × in × kh × kw
  const float* bias_grad;    // out; null without bias
  const float* input_grad;   // batch × in × in_h × in_w
};

// One ConvTranspose2D, all three steps: y = F.conv_transpose2d(x, W, b, output_padding), then
// backward of dy. Asymmetric padding, which F.conv_transpose2d lacks, crops the unpadded output
// (padding[i] rows or columns off each side) and then appends output_padding zero rows or
// columns before the bias. W is [in][out][kh][kw].
struct ConvTranspose2dCase {
  const char* name;
  uint64_t seed;
  int32_t batch, in_channels, out_channels, in_h, in_w;
  Window2d window;
  int32_t output_pad_h, output_pad_w;
  bool has_bias;
  const float* y;            // batch × out × out_h × out_w
  const float* weight_grad;  // in × out × kh × kw
  const float* bias_grad;    // out; null without bias
  const float* input_grad;   // batch × in × in_h × in_w
};

}  // namespace utrain::golden
