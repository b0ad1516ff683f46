#include "tools/train/classifier_model.h"

#include "tools/train/cnn.h"
#include "tools/train/mlp.h"

namespace utrain::tools {

Model build_classifier(const TrainOptions& o, const Dataset& train) {
  const TrainDefaults defaults = defaults_for(o);
  if (model_kind_for(o) == ModelKind::mlp)
    return build_mlp_classifier(train.features, o.hidden.empty() ? defaults.hidden : o.hidden, train.classes);
  return build_cnn_classifier(train.shape, o.channels.empty() ? defaults.channels : o.channels, train.classes,
                              layout_for(o), o.batch_norm);
}

}  // namespace utrain::tools
