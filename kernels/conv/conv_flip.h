// The input gradient of a stride-1 convolution is itself a convolution: of dz with the kernels
// rotated by 180° and their in and out channels exchanged,
//   dx = conv(dz, W')   W'[ci][co][kh][kw] = W[co][ci][KH-1-kh][KW-1-kw]   (HWC: [ci][kh][kw][co])
// with the same dilation, stride 1 and padding dilation·(kernel-1) - pad on the side where the
// forward had `pad`: forward output row o reads input row o - top + i·d, so input row p gets
// dz rows p + top - i·d, i.e. dz row p - (d·(KH-1) - top) + i'·d for the rotated tap i' = KH-1-i.
// The bottom padding is what makes the flipped output exactly in_h rows: in_h - out_h + top,
// which is d·(KH-1) - bottom for a natural out_h and more where a transposed convolution drops
// trailing output rows. Columns alike.
//
// Lowered like a forward (im2col of dz, K = out_channels·taps), this needs no col2im scatter, and
// its product's K is out·taps where Wᵀ·dz's is only out.
//
// It applies where both paddings come out non-negative: stride 1 and a forward padding of at
// most dilation·(kernel-1) on each side (a larger padding only adds output positions that read
// zeros, whose dz no input position gets; those would need a cropping gather).
#pragma once
#include <stddef.h>

#include "core/status.h"
#include "core/team.h"
#include "kernels/conv/conv_shape.h"

namespace utrain {

// The convolution whose forward is s's input gradient: input dz (out_channels × out_h × out_w),
// output dx (in_channels × in_h × in_w), the rotated window. Meaningful where conv_flip_applies.
constexpr ConvShape flipped_conv_shape(const ConvShape& s) {
  const Window2d& w = s.window;
  const int32_t span_h = w.dilation_h * (w.kernel_h - 1), span_w = w.dilation_w * (w.kernel_w - 1);
  Window2d flipped = w;
  flipped.stride_h = 1, flipped.stride_w = 1;
  flipped.pad.top = span_h - w.pad.top;
  flipped.pad.bottom = s.in_h - s.out_h + w.pad.top;
  flipped.pad.left = span_w - w.pad.left;
  flipped.pad.right = s.in_w - s.out_w + w.pad.left;
  return ConvShape{s.layout, s.batch, s.out_channels, s.out_h, s.out_w, s.in_channels, s.in_h, s.in_w, flipped};
}

// Stride 1 and every padding of the flipped window non-negative.
constexpr bool conv_flip_applies(const ConvShape& s) {
  if (s.window.stride_h != 1 || s.window.stride_w != 1) return false;
  const Padding2d pad = flipped_conv_shape(s).window.pad;
  return pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0;
}

// Floats of the flipped weight: in_channels × out_channels·taps, as many as the weight itself.
constexpr size_t conv_flipped_weight_floats(const ConvShape& s) {
  return static_cast<size_t>(s.in_channels) * static_cast<size_t>(s.out_channels) *
         static_cast<size_t>(s.window.taps());
}

// flipped = W' of s's weight, in s.layout's weight order (layers/conv2d.h) for the flipped
// shape; split over the team by its rows (input channels). Arguments are checked (the shape, null
// buffers, conv_flip_applies); the buffers must not overlap.
Status flip_conv_weight(Team& team, const ConvShape& s, const float* weight, float* flipped);

}  // namespace utrain
