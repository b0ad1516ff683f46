// Rearranging test tensors between layouts: tests and fixtures hold data in NCHW order (PyTorch's),
// and a step that runs in HWC gets and gives the same values rearranged.
#pragma once
#include <vector>

#include "core/tensor.h"

namespace utrain::testing {

// `nchw` (shape s, NCHW order) rearranged to `layout`'s memory order.
std::vector<float> to_layout(const std::vector<float>& nchw, const Shape& s, Layout layout);

// `values` (shape s, in `layout`'s memory order) rearranged to NCHW order.
std::vector<float> from_layout(const std::vector<float>& values, const Shape& s, Layout layout);

}  // namespace utrain::testing
