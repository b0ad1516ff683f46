// Argument checks shared by the layer steps over n × C × H × W activations (pooling, the
// normalizations, residual add): a context that can run, tensors in the layer's layout with its
// channel count, and the small positive constant of a normalization.
#pragma once
#include "core/status.h"
#include "core/tensor.h"
#include "kernels/exec_context.h"

namespace utrain {

// The context must have a team to run on.
Status check_context(const ExecContext& ctx, const char* subject);

// p.layout of a layer: CHW or HWC, nothing else.
Status check_layout_value(Layout layout, const char* subject);

// t: dense f32, in the layer's `layout`.
Status check_layer_tensor(const TensorView& t, Layout layout, const char* subject);

// t: dense f32, in the layer's `layout`, with the layer's `channels`.
Status check_channel_tensor(const TensorView& t, int32_t channels, Layout layout, const char* subject);

// eps of a normalization (added to the variance under a square root): positive and finite.
Status check_norm_eps(float eps, const char* subject);

}  // namespace utrain
