// The model `utrain train` trains: the MLP (tools/train/mlp.h) or the CNN (tools/train/cnn.h)
// the options ask for, sized for the data set's samples and classes, with the data set's
// default hidden sizes or channels where the options give none.
#pragma once
#include "graph/model.h"
#include "tools/data/dataset.h"
#include "tools/train/train_options.h"

namespace utrain::tools {

// `options` must be valid (validate_train_options). Throws ToolError when the builder rejects
// the model.
Model build_classifier(const TrainOptions& options, const Dataset& train);

}  // namespace utrain::tools
