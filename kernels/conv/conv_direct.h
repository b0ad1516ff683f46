// The direct convolution: the three steps as loops over the window, for the whole batch, in either
// layout, with no workspace. It is the path for shapes too small for lowering to pay (the
// im2col copy and the team's fork/join cost more than the multiplies they feed) and the plain
// reference the lowered path is tested against.
//
// Every output value is one dot product over exactly the taps that read the input (the tap
// ranges of conv_shape.h), so padding costs nothing and each value is written once, which also
// makes accumulate free. The input gradient is the gather form of col2im: each input value sums
// the taps that read it, found from (ih + pad - i·dilation) being a multiple of the stride.
// Work is split over the team by output rows (forward), weight rows (weight grad) and input rows
// (input grad), so members never write the same value.
//
// Tensors are dense in s.layout; the weight is [out][in][kh][kw] (CHW) or [out][kh][kw][in]
// (HWC). Arguments are checked; outputs must not overlap inputs.
#pragma once
#include "core/status.h"
#include "core/team.h"
#include "kernels/activation_fn.h"
#include "kernels/conv/conv_shape.h"

namespace utrain {

// What the forward step does with each dot product, as the matrix-multiply epilogue does:
// y = act((accumulate ? y : 0) + dot + bias[o]).
struct ConvEpilogue {
  const float* bias = nullptr;  // out_channels values, or null
  Activation act = Activation::none;
  float act_slope = kDefaultLeakySlope;
  bool accumulate = false;
};

// y [n × out × out_h × out_w] from x [n × in × in_h × in_w].
Status conv_direct_forward(Team& team, const ConvShape& s, const float* x, const float* weight,
                           const ConvEpilogue& epilogue, float* y);

// weight_grad (+)= the correlation of dz with x, summed over the batch.
Status conv_direct_weight_grad(Team& team, const ConvShape& s, const float* x, const float* dz,
                               float* weight_grad, bool accumulate);

// dx (+)= the transposed convolution of dz with the weight.
Status conv_direct_input_grad(Team& team, const ConvShape& s, const float* dz, const float* weight,
                              float* dx, bool accumulate);

}  // namespace utrain
