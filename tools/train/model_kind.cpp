#include "tools/train/model_kind.h"

namespace utrain::tools {

std::optional<ModelKind> parse_model_kind(std::string_view name) {
  if (name == "mlp") return ModelKind::mlp;
  if (name == "cnn") return ModelKind::cnn;
  return std::nullopt;
}

const char* model_kind_name(ModelKind kind) { return kind == ModelKind::mlp ? "mlp" : "cnn"; }

std::optional<Layout> parse_layout(std::string_view name) {
  if (name == "chw") return Layout::chw;
  if (name == "hwc") return Layout::hwc;
  return std::nullopt;
}

}  // namespace utrain::tools
