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

}  // namespace

void validate_train_options(const TrainOptions& o) {
  const auto fail = [](const std::string& message) { throw ToolError(message); };
  if (o.epochs < 1) fail(fmt::format("--epochs must be at least 1 (got {})", o.epochs));
  if (o.lr && !(std::isfinite(*o.lr) && *o.lr > 0)) fail(fmt::format("--lr must be a positive number (got {})", *o.lr));
  if (!parse_optimizer(o.optimizer)) fail(fmt::format("--optimizer must be sgd, adam or adamw (got '{}')", o.optimizer));
  if (o.momentum && o.optimizer != "sgd") fail(fmt::format("--momentum applies to sgd only (the optimizer is {})", o.optimizer));
  if (o.momentum && !(*o.momentum >= 0 && *o.momentum < 1))
    fail(fmt::format("--momentum must be in [0, 1) (got {})", *o.momentum));
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0))
    fail(fmt::format("--weight-decay must be zero or positive (got {})", o.weight_decay));
  if (o.batch < 1) fail(fmt::format("--batch must be at least 1 (got {})", o.batch));
  for (size_t i = 0; i < o.hidden.size(); ++i)
    if (o.hidden[i] < 1) fail(fmt::format("--hidden: layer {} has {} units; every hidden layer needs at least 1", i + 1, o.hidden[i]));
  if (o.threads < 1 || o.threads > kMaxThreads) fail(fmt::format("--threads must be 1 to {} (got {})", kMaxThreads, o.threads));
  validate_data_options(o.data);
}

TrainConfig train_config(const TrainOptions& o) {
  TrainConfig config;
  config.batch = o.batch;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.kind = parse_optimizer(o.optimizer).value_or(OptimizerKind::sgd);
  const bool sgd = config.optimizer.kind == OptimizerKind::sgd;
  config.optimizer.lr = o.lr.value_or(sgd ? kDefaultSgdLr : kDefaultAdamLr);
  config.optimizer.momentum = sgd ? o.momentum.value_or(kDefaultSgdMomentum) : 0.0f;
  config.optimizer.weight_decay = o.weight_decay;
  return config;
}

}  // namespace utrain::tools
