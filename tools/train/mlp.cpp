#include "tools/train/mlp.h"

#include "tools/tool_error.h"

namespace utrain::tools {

Model build_mlp_classifier(int32_t inputs, std::span<const int32_t> hidden, int32_t classes) {
  Model model(inputs);
  for (const int32_t units : hidden) model.linear(units).relu();
  model.linear(classes);
  check_status(model.status(), "building the model");
  return model;
}

}  // namespace utrain::tools
