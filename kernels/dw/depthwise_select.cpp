// The default depthwise kernel, used when no tuning result exists. A table, not a chain of ifs:
// the rule of the layout and step names the extent the kernel's unroll runs along, the largest
// unroll that pays and how many blocks of it the extent must hold; the choice is the largest
// unroll of the table within those, so a small layer does not run through the remainder blocks
// of a wide unroll.
//
// The extents: CHW forward and input grad unroll over destination rows (output rows; input rows
// of one stride phase), CHW weight grad over the partial sums along an output row, HWC over
// channels.
//
// Measured with a scratch benchmark (baseline x86-64, GCC 12, one thread, thread CPU time, every
// unroll of the table) on DS-CNN's depthwise 3×3 stride 1 pad 1 over 64 × 25×5 and MobileNet-like
// 3×3 layers over 32 × 32×32 (stride 1 and 2) and 128 × 8×8:
//  - CHW forward / input grad: U = 8 rows is within 10% of the best on all four (DS-CNN forward
//    39 us against 81 us for U = 1; 16 rows gains nothing more).
//  - CHW weight grad: U = 8 partial sums are best on 32-wide rows, U = 4 on 8- and 16-wide ones,
//    U = 1 or 2 on DS-CNN's 5-wide rows: the unroll must fit twice into the row.
//  - HWC, every step: U = 16 channels is the best or within noise (7-12 GMAC/s against 1-2 for
//    U = 1).
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/dw/depthwise_strips.h"

namespace utrain {

namespace {

enum class Extent : uint8_t { out_rows, in_rows_per_phase, out_width, channels };

struct UnrollRule {
  Layout layout;
  LayerStep step;
  Extent extent;
  uint8_t max_unroll;
  uint8_t min_blocks;  // the unroll must fit this many times into the extent
};

constexpr UnrollRule kRules[] = {
    {Layout::chw, LayerStep::forward, Extent::out_rows, 8, 1},
    {Layout::chw, LayerStep::weight_grad, Extent::out_width, 8, 2},
    {Layout::chw, LayerStep::input_grad, Extent::in_rows_per_phase, 8, 1},
    {Layout::hwc, LayerStep::forward, Extent::channels, 16, 1},
    {Layout::hwc, LayerStep::weight_grad, Extent::channels, 16, 1},
    {Layout::hwc, LayerStep::input_grad, Extent::channels, 16, 1},
};

int32_t extent_of(Extent e, const DepthwiseArgs& a) {
  switch (e) {
    case Extent::out_rows: return a.out_h;
    case Extent::in_rows_per_phase: return (a.in_h + a.window.stride_h - 1) / a.window.stride_h;
    case Extent::out_width: return a.out_w;
    case Extent::channels: return a.channels;
  }
  return 1;
}

// The CHW steps of a 3×3 stride-1 layer take the strip kernels where they cover the shape: on a
// scalar FP core (rv32, Cortex-M4F: the isa set has rv32_f) always (QEMU counts on rv32imfc,
// DS-CNN's 64 planes of 25×5: 0.061 MAC per instruction with the generic kernels forward and input
// grad, 0.60 with the strips; weight grad 0.134 → 0.60); on the host the forward and input grad
// always, the weight grad up to 32-wide rows, where the generic kernel's vectorized rows stop
// losing (depthwise_strips.h has the measurements).
constexpr int32_t kHostStripWeightGradMaxWidth = 32;

bool strips_pay(LayerStep step, const DepthwiseArgs& args, IsaSet isas) {
  if (!dw_strips::fits_strips(args, step)) return false;
  return isas.has(Isa::rv32_f) || step != LayerStep::weight_grad || args.out_w <= kHostStripWeightGradMaxWidth;
}

}  // namespace

const DepthwiseKernel& default_depthwise_kernel(Layout layout, LayerStep step, const DepthwiseArgs& args,
                                                IsaSet isas) {
  if (layout == Layout::chw && strips_pay(step, args, isas))
    for (const DepthwiseKernel& k : depthwise_kernels())
      if (k.strips && k.step == step) return k;
  int32_t limit = 1;
  for (const UnrollRule& rule : kRules)
    if (rule.layout == layout && rule.step == step) {
      const int32_t fit = extent_of(rule.extent, args) / rule.min_blocks;
      limit = fit < rule.max_unroll ? fit : rule.max_unroll;
    }
  const DepthwiseKernel* best = nullptr;
  for (const DepthwiseKernel& k : depthwise_kernels())
    if (k.isa == Isa::generic && !k.strips && k.layout == layout && k.step == step &&
        (best == nullptr || (k.unroll <= limit && k.unroll > best->unroll)))
      best = &k;
  // The table holds every layout and step with unroll 1 first (tests/kernels check it), so best is
  // set, and above the limit only when the limit is below 1.
  return *best;
}

}  // namespace utrain
