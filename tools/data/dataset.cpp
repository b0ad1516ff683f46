#include "tools/data/dataset.h"

namespace utrain::tools {

Dataset select_samples(const Dataset& source, std::span<const std::size_t> indices) {
  Dataset out;
  out.features = source.features;
  out.shape = source.shape;
  out.layout = source.layout;
  out.classes = source.classes;
  out.inputs.reserve(indices.size() * static_cast<std::size_t>(source.features));
  out.labels.reserve(indices.size());
  for (const std::size_t i : indices) {
    const std::span<const float> x = source.sample(i);
    out.inputs.insert(out.inputs.end(), x.begin(), x.end());
    out.labels.push_back(source.labels[i]);
  }
  return out;
}

void keep_first_samples(Dataset& data, std::size_t count) {
  if (count >= data.size()) return;
  data.labels.resize(count);
  data.inputs.resize(count * static_cast<std::size_t>(data.features));
}

}  // namespace utrain::tools
