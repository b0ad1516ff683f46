// Window2d: the sliding window shared by convolutions and pooling — kernel size (any, also
// non-square such as 10×4), stride, asymmetric zero padding and dilation, with PyTorch's
// output-size rule:
//   out = floor((in + pad_before + pad_after - dilation·(kernel - 1) - 1) / stride) + 1
// Output position (oh, ow) reads input rows oh·stride_h - pad_top + i·dilation_h, i < kernel_h
// (columns alike); positions outside the input are padding.
#pragma once
#include <stdint.h>

#include "core/status.h"
#include "core/tensor.h"

namespace utrain {

struct Padding2d {
  int32_t top = 0, bottom = 0, left = 0, right = 0;

  static constexpr Padding2d same(int32_t p) { return Padding2d{p, p, p, p}; }
  constexpr bool operator==(const Padding2d&) const = default;
};

struct Window2d {
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  Padding2d pad;
  int32_t dilation_h = 1, dilation_w = 1;

  constexpr int32_t taps() const { return kernel_h * kernel_w; }
  constexpr int32_t out_h(int32_t in_h) const {
    return (in_h + pad.top + pad.bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
  }
  constexpr int32_t out_w(int32_t in_w) const {
    return (in_w + pad.left + pad.right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
  }
  // 1×1, no padding: each output position reads exactly one input value (strides may skip some).
  constexpr bool is_unpadded_1x1() const { return kernel_h == 1 && kernel_w == 1 && pad == Padding2d{}; }
  // 1×1, stride 1, no padding: the window is the identity on positions.
  constexpr bool is_pointwise() const { return is_unpadded_1x1() && stride_h == 1 && stride_w == 1; }
};

// Kernel, stride and dilation positive, padding non-negative. `subject` names the layer step.
Status check_window2d(const Window2d& w, const char* subject);

// The output height and width for an input of in_h × in_w; an error (naming `subject`) when the
// window does not fit even once.
Status window2d_output(const Window2d& w, int32_t in_h, int32_t in_w, int32_t* out_h, int32_t* out_w,
                       const char* subject);

}  // namespace utrain
