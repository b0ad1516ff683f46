#include "tools/data/sample_layout.h"

#include <algorithm>
#include <vector>

namespace utrain::tools {

Dataset in_layout(Dataset data, Layout layout) {
  if (data.layout == layout) return data;
  const Shape shape{1, data.shape.channels, data.shape.height, data.shape.width};
  const Strides from = dense_strides(shape, data.layout), to = dense_strides(shape, layout);
  std::vector<float> sample(static_cast<size_t>(data.features));
  for (size_t i = 0; i < data.size(); ++i) {
    float* values = data.inputs.data() + i * sample.size();
    for (int32_t c = 0; c < shape.c; ++c)
      for (int32_t y = 0; y < shape.h; ++y)
        for (int32_t x = 0; x < shape.w; ++x)
          sample[static_cast<size_t>(c * to.c + y * to.h + x * to.w)] = values[c * from.c + y * from.h + x * from.w];
    std::copy(sample.begin(), sample.end(), values);
  }
  data.layout = layout;
  return data;
}

}  // namespace utrain::tools
