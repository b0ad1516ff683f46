// ConvShape: the sizes of one convolution as the conv kernels (im2col, direct loops) see them,
// and the index arithmetic they share.
//
// Output position (oh, ow) reads input row oh·stride_h - pad_top + i·dilation_h for tap i
// (core/window2d.h). out_h and out_w may be *smaller* than the window's natural output size:
// a transposed convolution whose output_padding is not below its stride (PyTorch allows it up to
// the dilation) is the adjoint of a convolution whose last output rows are dropped. Layers that
// are plain convolutions always pass the natural size.
//
// Lowered matrices (K = in_channels · taps, P = out_h · out_w):
//   CHW  column matrix of one sample, K × P, row (c·kh + i)·kw + j, column oh·out_w + ow
//   HWC  row matrix of the whole batch, n·P × K, row (s·out_h + oh)·out_w + ow, column (i·kw + j)·C + c
// Both orders match the weight layouts of layers/conv2d.h, so the weight is a plain matrix.
#pragma once
#include <stdint.h>

#include "core/partition.h"
#include "core/status.h"
#include "core/tensor.h"
#include "core/window2d.h"

namespace utrain {

struct ConvShape {
  Layout layout = Layout::chw;
  int32_t batch = 1;
  int32_t in_channels = 0, in_h = 0, in_w = 0;
  int32_t out_channels = 0, out_h = 0, out_w = 0;
  Window2d window;

  // K: the length of one output value's dot product.
  constexpr int32_t k() const { return in_channels * window.taps(); }
  // P: output positions per sample.
  constexpr int32_t positions() const { return out_h * out_w; }
  constexpr Shape input() const { return Shape{batch, in_channels, in_h, in_w}; }
  constexpr Shape output() const { return Shape{batch, out_channels, out_h, out_w}; }
  // Multiply-accumulates of one step (forward, weight grad and input grad cost the same).
  constexpr int64_t macs() const { return int64_t{batch} * out_channels * k() * positions(); }
};

// Sizes positive, the window valid, out_h ≤ the window's output height for in_h (widths alike),
// and every lowered dimension (n·P, K, out·K) within int32. `subject` names the caller.
Status check_conv_shape(const ConvShape& s, const char* subject);

// The smallest k ≥ 0 with base + k·step ≥ limit (step > 0). With it, the taps of a window that
// land inside [0, size) are a range, found without testing every tap:
//   taps i of output row oh:   [steps_to_reach(b, 0, d), min(kernel, steps_to_reach(b, size, d)))
//                              with b = oh·stride - pad_before, d = dilation
//   output rows of tap i:      the same with b = i·dilation - pad_before, d = stride, capped at out_h
constexpr int32_t steps_to_reach(int32_t base, int32_t limit, int32_t step) {
  return base >= limit ? 0 : (limit - base + step - 1) / step;
}

// The k in [0, count) for which base + k·step lies in [0, size). Never begin > end: an empty
// range has begin == end, so [0, begin) and [end, count) still cover everything outside it.
constexpr Range inside_range(int32_t base, int32_t step, int32_t count, int32_t size) {
  const int32_t reach = steps_to_reach(base, size, step);
  const int32_t end = reach < count ? reach : count;
  const int32_t begin = steps_to_reach(base, 0, step);
  return Range{begin < end ? begin : end, end};
}

// Element strides of the weight [out][in][kh][kw] (CHW) or [out][kh][kw][in] (HWC).
struct WeightStrides {
  int64_t out = 0, in = 0, row = 0, col = 0;
};
constexpr WeightStrides weight_strides(const ConvShape& s) {
  if (s.layout == Layout::chw) return WeightStrides{s.k(), s.window.taps(), s.window.kernel_w, 1};
  return WeightStrides{s.k(), 1, int64_t{s.window.kernel_w} * s.in_channels, s.in_channels};
}

}  // namespace utrain
