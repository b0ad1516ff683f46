// The classifiers `utrain train` can build, and the image layouts a CNN can run in, chosen by
// name on the command line (--model, --layout).
#pragma once
#include <optional>
#include <string_view>

#include "core/tensor.h"

namespace utrain::tools {

enum class ModelKind { mlp, cnn };

std::optional<ModelKind> parse_model_kind(std::string_view name);
const char* model_kind_name(ModelKind kind);

// "chw" or "hwc" (lower case, as typed).
std::optional<Layout> parse_layout(std::string_view name);

}  // namespace utrain::tools
