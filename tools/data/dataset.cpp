#include "tools/data/dataset.h"

namespace utrain::tools {

Dataset select_samples(const Dataset& source, std::span<const std::size_t> indices) {
  Dataset out;
  out.features = source.features;
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

}  // namespace utrain::tools
