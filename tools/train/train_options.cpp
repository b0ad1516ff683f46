#include "tools/train/train_options.h"

#include <cmath>

#include <fmt/format.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

std::optional<OptimizerKind> parse_optimizer(const std::string& name) {
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adam") return OptimizerKind::adam;
  if (name == "adamw") return OptimizerKind::adamw;
  return std::nullopt;
}

// "--hidden: layer 2 has 0 units; every hidden layer needs at least 1".
void check_sizes(const std::vector<int32_t>& sizes, const char* option, const char* part, const char* unit,
                 const char* every) {
  for (size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] < 1)
      throw ToolError(fmt::format("{}: {} {} has {} {}; every {} needs at least 1", option, part, i + 1, sizes[i], unit,
                                  every));
}

}  // namespace

void validate_train_options(const TrainOptions& o) {
  const auto fail = [](const std::string& message) { throw ToolError(message); };
  const std::optional<ModelKind> model = parse_model_kind(o.model);
  if (!model) fail(fmt::format("--model must be mlp or cnn (got '{}')", o.model));
  if (o.epochs && *o.epochs < 1) fail(fmt::format("--epochs must be at least 1 (got {})", *o.epochs));
  if (o.lr && !(std::isfinite(*o.lr) && *o.lr > 0)) fail(fmt::format("--lr must be a positive number (got {})", *o.lr));
  if (o.lr_decay && !(*o.lr_decay > 0 && *o.lr_decay <= 1))
    fail(fmt::format("--lr-decay must be in (0, 1] (got {})", *o.lr_decay));
  if (!parse_optimizer(o.optimizer)) fail(fmt::format("--optimizer must be sgd, adam or adamw (got '{}')", o.optimizer));
  if (o.momentum && o.optimizer != "sgd") fail(fmt::format("--momentum applies to sgd only (the optimizer is {})", o.optimizer));
  if (o.momentum && !(*o.momentum >= 0 && *o.momentum < 1))
    fail(fmt::format("--momentum must be in [0, 1) (got {})", *o.momentum));
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0))
    fail(fmt::format("--weight-decay must be zero or positive (got {})", o.weight_decay));
  if (o.batch < 1) fail(fmt::format("--batch must be at least 1 (got {})", o.batch));
  // Each model's options are refused for the other, so a typo in --model is not trained silently.
  const char* other = *model == ModelKind::mlp ? "cnn" : "mlp";
  const auto only_for = [&](bool given, const char* option) {
    if (given) fail(fmt::format("{} applies to --model {} only (the model is {})", option, other, o.model));
  };
  only_for(*model == ModelKind::cnn && !o.hidden.empty(), "--hidden");
  only_for(*model == ModelKind::mlp && !o.channels.empty(), "--channels");
  only_for(*model == ModelKind::mlp && o.layout.has_value(), "--layout");
  only_for(*model == ModelKind::mlp && o.batch_norm, "--batch-norm");
  check_sizes(o.hidden, "--hidden", "layer", "units", "hidden layer");
  check_sizes(o.channels, "--channels", "block", "channels", "block");
  if (o.layout && !parse_layout(*o.layout)) fail(fmt::format("--layout must be chw or hwc (got '{}')", *o.layout));
  if (o.threads < 1 || o.threads > kMaxThreads) fail(fmt::format("--threads must be 1 to {} (got {})", kMaxThreads, o.threads));
  validate_data_options(o.data);
}

ModelKind model_kind_for(const TrainOptions& o) { return parse_model_kind(o.model).value_or(ModelKind::mlp); }

TrainDefaults defaults_for(const TrainOptions& o) {
  return train_defaults(parse_dataset_kind(o.data.dataset).value_or(DatasetKind::digits), model_kind_for(o));
}

int epochs_for(const TrainOptions& o) { return o.epochs.value_or(defaults_for(o).epochs); }

float lr_decay_for(const TrainOptions& o) { return o.lr_decay.value_or(defaults_for(o).lr_decay); }

Layout layout_for(const TrainOptions& o) { return parse_layout(o.layout.value_or("chw")).value_or(Layout::chw); }

TrainConfig train_config(const TrainOptions& o) {
  TrainConfig config;
  config.batch = o.batch;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.kind = parse_optimizer(o.optimizer).value_or(OptimizerKind::sgd);
  const bool sgd = config.optimizer.kind == OptimizerKind::sgd;
  config.optimizer.lr = o.lr.value_or(sgd ? defaults_for(o).sgd_lr : kDefaultAdamLr);
  config.optimizer.momentum = sgd ? o.momentum.value_or(kDefaultSgdMomentum) : 0.0f;
  config.optimizer.weight_decay = o.weight_decay;
  return config;
}

}  // namespace utrain::tools
