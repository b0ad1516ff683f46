// The plain reference every depthwise kernel is tested against: loops straight from the
// definition, summing in double, for either layout. Deliberately simple and slow, and free of the
// kernels' tap geometry (the input grad tests every tap for divisibility); it runs on every target
// so the device tests can use it too.
//   forward      y = act(Σ_taps w · x + b)              (bias may be null)
//   weight grad  dW (+)= Σ_{n, o} dz · x,  db (+)= Σ dz  (either may be null)
//   input grad   dx (+)= Σ_{taps reaching it} w · dz
#pragma once
#include "core/layer_step.h"
#include "kernels/dw/depthwise_kernel.h"

namespace utrain {

void depthwise_reference(LayerStep step, const DepthwiseArgs& args);

}  // namespace utrain
