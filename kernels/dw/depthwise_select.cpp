// The default depthwise kernel, used when no tuning result exists. A table, not a chain of ifs:
// the rule of the layout and step says along which extent the kernel's unroll runs and how large
// an unroll pays at most; the choice is the largest unroll of the table within both, so a narrow
// layer does not run everything through the remainder blocks of a wide unroll.
//
// The extents: CHW kernels unroll over lanes of a destination row (output columns for the forward
// and the weight grad, input columns of one stride phase for the input grad); HWC kernels over
// channels.
//
// MAX_UNROLL measured with a scratch benchmark (baseline x86-64, GCC 12, one thread, every unroll
// of the table) on DS-CNN's depthwise 3×3 stride 1 pad 1 over 25×5 × 64 channels and a
// MobileNet-like 3×3 over 32×32 × 32 channels at strides 1 and 2; see the report of the change that
// added it for the numbers.
#include "kernels/dw/depthwise_kernel.h"

namespace utrain {

namespace {

enum class Extent : uint8_t { out_width, in_width_per_phase, channels };

struct UnrollRule {
  Layout layout;
  LayerStep step;
  Extent extent;
  uint8_t max_unroll;
};

constexpr UnrollRule kRules[] = {
    {Layout::chw, LayerStep::forward, Extent::out_width, 8},
    {Layout::chw, LayerStep::weight_grad, Extent::out_width, 8},
    {Layout::chw, LayerStep::input_grad, Extent::in_width_per_phase, 8},
    {Layout::hwc, LayerStep::forward, Extent::channels, 16},
    {Layout::hwc, LayerStep::weight_grad, Extent::channels, 16},
    {Layout::hwc, LayerStep::input_grad, Extent::channels, 16},
};

int32_t extent_of(Extent e, const DepthwiseArgs& a) {
  switch (e) {
    case Extent::out_width: return a.out_w;
    case Extent::in_width_per_phase: return (a.in_w + a.window.stride_w - 1) / a.window.stride_w;
    case Extent::channels: return a.channels;
  }
  return 1;
}

}  // namespace

// Only generic kernels exist so far; `isas` is part of the signature because the choice will
// depend on it once ISA kernels join the table.
const DepthwiseKernel& default_depthwise_kernel(Layout layout, LayerStep step, const DepthwiseArgs& args,
                                                IsaSet /*isas*/) {
  int32_t limit = 1;
  for (const UnrollRule& rule : kRules)
    if (rule.layout == layout && rule.step == step) {
      const int32_t extent = extent_of(rule.extent, args);
      limit = extent < rule.max_unroll ? extent : rule.max_unroll;
    }
  const DepthwiseKernel* best = nullptr;
  for (const DepthwiseKernel& k : depthwise_kernels())
    if (k.isa == Isa::generic && k.layout == layout && k.step == step &&
        (best == nullptr || (k.unroll <= limit && k.unroll > best->unroll)))
      best = &k;
  // The table holds every layout and step with unroll 1 first (tests/kernels check it), so best is
  // set and never above the limit unless the limit is below 1.
  return *best;
}

}  // namespace utrain
