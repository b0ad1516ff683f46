// Option checks and the configuration the options turn into.
#include "tools/train/train_options.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

std::string error_of(const TrainOptions& o) {
  try {
    validate_train_options(o);
  } catch (const ToolError& e) {
    return e.what();
  }
  return "(valid)";
}

TEST(TrainOptions, defaults_are_valid_sgd_with_momentum) {
  const TrainOptions o;
  EXPECT_EQ(error_of(o), "(valid)");
  const TrainConfig c = train_config(o);
  EXPECT_EQ(c.batch, 1);
  EXPECT_EQ(c.loss, LossKind::softmax_cross_entropy);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::sgd);
  EXPECT_FLOAT_EQ(c.optimizer.lr, kDefaultSgdLr);
  EXPECT_FLOAT_EQ(c.optimizer.momentum, kDefaultSgdMomentum);
}

TEST(TrainOptions, adam_gets_its_own_default_lr_and_no_momentum) {
  TrainOptions o;
  o.optimizer = "adamw";
  o.weight_decay = 0.01f;
  const TrainConfig c = train_config(o);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::adamw);
  EXPECT_FLOAT_EQ(c.optimizer.lr, kDefaultAdamLr);
  EXPECT_EQ(c.optimizer.momentum, 0.0f);
  EXPECT_FLOAT_EQ(c.optimizer.weight_decay, 0.01f);
}

TEST(TrainOptions, each_bad_value_is_named) {
  TrainOptions o;
  o.epochs = -1;
  EXPECT_EQ(error_of(o), "--epochs must be at least 1 (got -1)");
  o = TrainOptions{};
  o.lr = 0.0f;
  EXPECT_EQ(error_of(o), "--lr must be a positive number (got 0)");
  o.lr = std::nanf("");
  EXPECT_EQ(error_of(o), "--lr must be a positive number (got nan)");
  o = TrainOptions{};
  o.momentum = 1.0f;
  EXPECT_EQ(error_of(o), "--momentum must be in [0, 1) (got 1)");
  o.optimizer = "adam";
  EXPECT_EQ(error_of(o), "--momentum applies to sgd only (the optimizer is adam)");
  o = TrainOptions{};
  o.weight_decay = -0.1f;
  EXPECT_EQ(error_of(o), "--weight-decay must be zero or positive (got -0.1)");
  o = TrainOptions{};
  o.hidden = {16, 0, 8};
  EXPECT_EQ(error_of(o), "--hidden: layer 2 has 0 units; every hidden layer needs at least 1");
  o = TrainOptions{};
  o.threads = 65;
  EXPECT_EQ(error_of(o), "--threads must be 1 to 64 (got 65)");
  o = TrainOptions{};
  o.data.dataset = "mnist";
  EXPECT_EQ(error_of(o), "--dataset must be digits or fashion-mnist (got 'mnist')");
  o = TrainOptions{};
  o.data.train_limit = 0;
  EXPECT_EQ(error_of(o), "--train-limit must be at least 1 (got 0)");
}

}  // namespace
}  // namespace utrain::tools
