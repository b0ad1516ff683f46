// The per-channel bias of a convolution's output and its adjoint: the broadcast of one value per
// channel over every position of every sample, and the per-channel sum over them (the bias
// gradient). Both split the channels over the team, so members never write the same value.
// Tensors are dense `shape` in `layout`; arguments are checked.
#pragma once
#include "core/status.h"
#include "core/team.h"
#include "core/tensor.h"

namespace utrain {

// out[n, c, h, w] = bias[c].
Status broadcast_channel_bias(Team& team, const Shape& shape, Layout layout, const float* bias, float* out);

// sums[c] (+)= Σ over n, h, w of values[n, c, h, w].
Status sum_channels(Team& team, const Shape& shape, Layout layout, const float* values, float* sums,
                    bool accumulate);

}  // namespace utrain
