// Reordering a data set's samples into the layout a model runs in. The readers give CHW; a CNN
// built for HWC reads each pixel's channels side by side. A single-channel image is the same
// sequence of values in both layouts, so only the label changes for the digits and
// Fashion-MNIST; images with more channels are transposed.
#pragma once
#include "core/tensor.h"
#include "tools/data/dataset.h"

namespace utrain::tools {

// `data` with every sample in `layout` (data.layout says which layout it has now).
Dataset in_layout(Dataset data, Layout layout);

}  // namespace utrain::tools
