// Dataset: labelled samples held in host memory, row-major, ready to hand to a Trainer (which
// reads `features` floats per sample and one int32 class label per sample).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace utrain::tools {

// The size of one sample: channels × height × width. Data without a spatial layout is
// 1 × 1 × features.
struct SampleShape {
  int32_t channels = 1;
  int32_t height = 1;
  int32_t width = 1;
};

struct Dataset {
  int32_t features = 0;         // floats per sample: shape.channels × shape.height × shape.width
  SampleShape shape;
  // The order of one sample's values: the readers give CHW (channel by channel, each row-major);
  // in_layout() (tools/data/sample_layout.h) reorders them for a model that runs in HWC.
  Layout layout = Layout::chw;
  int32_t classes = 0;          // labels are 0 .. classes-1
  std::vector<float> inputs;    // size() × features values
  std::vector<int32_t> labels;  // size() values

  std::size_t size() const { return labels.size(); }
  std::span<const float> sample(std::size_t index) const {
    return {inputs.data() + index * static_cast<std::size_t>(features), static_cast<std::size_t>(features)};
  }
};

// The samples of `source` at `indices`, in that order.
Dataset select_samples(const Dataset& source, std::span<const std::size_t> indices);

// Drops every sample after the first `count` (none when there are no more than `count`).
void keep_first_samples(Dataset& data, std::size_t count);

}  // namespace utrain::tools
