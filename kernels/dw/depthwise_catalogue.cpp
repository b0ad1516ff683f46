// The depthwise kernel table, generated at compile time: every unroll of kUnrolls is instantiated
// for both layouts and the three steps from the templates of depthwise_generic.h. Adding a
// variant is adding one number to kUnrolls. The strip kernels (kernels/dw/depthwise_strips.h)
// follow them.
#include <string.h>

#include "kernels/dw/depthwise_generic.h"
#include "kernels/dw/depthwise_kernel.h"
#include "kernels/dw/depthwise_strips.h"

namespace utrain {

namespace {

// 1 is the plain loop; 2 suits scalar cores with few registers; 4 and 8 fill one or two SSE
// vectors per tap (HWC channels, CHW weight-grad partial sums) or share each tap over as many CHW
// rows; 16 keeps four vectors of sums in flight for wide HWC layers (64 channels and more).
constexpr uint8_t kUnrolls[] = {1, 2, 4, 8, 16};
constexpr size_t kUnrollCount = sizeof(kUnrolls) / sizeof(kUnrolls[0]);
constexpr Layout kLayouts[] = {Layout::chw, Layout::hwc};
constexpr LayerStep kSteps[] = {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad};
constexpr size_t kCount = 2 * 3 * kUnrollCount;

// Entry `index` enumerates (layout, step, unroll) with the unroll fastest.
struct EntryKey {
  Layout layout;
  LayerStep step;
  uint8_t unroll;
};
constexpr EntryKey key_of(size_t index) {
  return EntryKey{kLayouts[index / (3 * kUnrollCount)], kSteps[(index / kUnrollCount) % 3],
                  kUnrolls[index % kUnrollCount]};
}

struct KernelName {
  char text[32] = {};
};

constexpr KernelName name_of(const EntryKey& key) {
  KernelName name;
  size_t len = 0;
  auto put = [&](const char* s) {
    while (*s != '\0') name.text[len++] = *s++;
  };
  put("dw_f32_");
  put(key.layout == Layout::chw ? "chw_" : "hwc_");
  put(layer_step_name(key.step));
  put("_u");
  if (key.unroll >= 10) name.text[len++] = static_cast<char>('0' + key.unroll / 10);
  name.text[len++] = static_cast<char>('0' + key.unroll % 10);
  return name;
}

template <size_t I>
constexpr KernelName kName = name_of(key_of(I));

template <size_t I>
constexpr DepthwiseKernel make_entry() {
  constexpr EntryKey k = key_of(I);
  return DepthwiseKernel{kName<I>.text, k.layout, k.step, k.unroll, Isa::generic,
                         &generic::depthwise<k.layout, k.step, k.unroll>};
}

constexpr DepthwiseKernel kStripKernels[] = {
    {"dw_f32_chw_fw_s5", Layout::chw, LayerStep::forward, dw_strips::kStripColumns, Isa::generic,
     &dw_strips::depthwise_chw<LayerStep::forward>, true},
    {"dw_f32_chw_wg_s5", Layout::chw, LayerStep::weight_grad, dw_strips::kStripColumns, Isa::generic,
     &dw_strips::depthwise_chw<LayerStep::weight_grad>, true},
    {"dw_f32_chw_ig_s5", Layout::chw, LayerStep::input_grad, dw_strips::kStripColumns, Isa::generic,
     &dw_strips::depthwise_chw<LayerStep::input_grad>, true},
};
constexpr size_t kStripCount = sizeof(kStripKernels) / sizeof(kStripKernels[0]);

template <size_t... I>
struct KernelTable {
  static constexpr DepthwiseKernel entries[] = {make_entry<I>()..., kStripKernels[0], kStripKernels[1], kStripKernels[2]};
};
static_assert(kStripCount == 3, "list every strip kernel in KernelTable");

// GCC's __integer_pack expands 0 .. N-1 (what std::make_index_sequence uses; no <utility> here).
template <size_t N>
using TableOf = KernelTable<__integer_pack(N)...>;
using Table = TableOf<kCount>;

}  // namespace

DepthwiseKernelList depthwise_kernels() { return DepthwiseKernelList{Table::entries, kCount + kStripCount}; }

const DepthwiseKernel* find_depthwise_kernel(const char* name) {
  for (const DepthwiseKernel& k : depthwise_kernels())
    if (strcmp(k.name, name) == 0) return &k;
  return nullptr;
}

}  // namespace utrain
