// One entry of the depthwise-convolution kernel table, and the table itself.
//
// Name grammar (written once, here):  dw_f32_<layout>_<step>_<u|s><U>[__<isa>]
//   <layout>  chw or hwc
//   <step>    fw, wg or ig (core/layer_step.h)
//   uU        the unroll, what is computed together so loads of the kernel taps and loop overhead
//             are shared: destination rows (CHW forward and input grad), partial sums along an
//             output row (CHW weight grad) or channels (HWC)
//   sU        CHW 3×3 stride 1 in strips of at most U output columns (kernels/dw/depthwise_strips.h;
//             other shapes run the unrolled kernel)
//   <isa>     absent for generic C++
// A kernel computes member `member`'s share (channels, or rows of the output for HWC) of one step
// for the whole batch; every member of the team is called. Arguments arrive checked.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"
#include "core/window2d.h"
#include "kernels/activation_fn.h"
#include "kernels/isa.h"
#include "core/layer_step.h"

namespace utrain {

struct DepthwiseArgs {
  Layout layout = Layout::chw;
  int32_t batch = 1, channels = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  Window2d window;
  const float* x = nullptr;    // forward, weight grad: n × C × in_h × in_w
  const float* dy = nullptr;   // weight grad, input grad: n × C × out_h × out_w (pre-activation)
  const float* weight = nullptr;
  const float* bias = nullptr;  // forward; null without bias
  float* y = nullptr;           // forward
  float* dx = nullptr;          // input grad
  float* weight_grad = nullptr;  // weight grad; null to skip
  float* bias_grad = nullptr;    // weight grad; null to skip
  bool accumulate = false;       // weight grad, input grad: add to the output instead of writing it
  Activation act = Activation::none;  // forward
  float act_slope = kDefaultLeakySlope;
};

using DepthwiseFn = void (*)(const DepthwiseArgs& args, int member, int members);

struct DepthwiseKernel {
  const char* name;
  Layout layout;
  LayerStep step;
  uint8_t unroll;
  Isa isa;
  DepthwiseFn fn;
  bool strips = false;  // the sU kernels
};

struct DepthwiseKernelList {
  const DepthwiseKernel* entries = nullptr;
  size_t count = 0;
  const DepthwiseKernel* begin() const { return entries; }
  const DepthwiseKernel* end() const { return entries + count; }
};

DepthwiseKernelList depthwise_kernels();
const DepthwiseKernel* find_depthwise_kernel(const char* name);
// The default entry for a layout and step when no tuning result exists.
const DepthwiseKernel& default_depthwise_kernel(Layout layout, LayerStep step, const DepthwiseArgs& args, IsaSet isas);

}  // namespace utrain
