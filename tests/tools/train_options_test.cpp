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
  EXPECT_FLOAT_EQ(c.optimizer.lr, 0.005f);  // the digits MLP's
  EXPECT_FLOAT_EQ(c.optimizer.momentum, kDefaultSgdMomentum);
  EXPECT_EQ(model_kind_for(o), ModelKind::mlp);
  EXPECT_EQ(epochs_for(o), 15);
}

TEST(TrainOptions, defaults_follow_the_data_set_and_the_model) {
  TrainOptions o;
  o.model = "cnn";
  EXPECT_EQ(error_of(o), "(valid)");
  EXPECT_EQ(defaults_for(o).channels, (std::vector<int32_t>{16, 32}));
  EXPECT_FLOAT_EQ(train_config(o).optimizer.lr, defaults_for(o).sgd_lr);
  EXPECT_EQ(epochs_for(o), defaults_for(o).epochs);
  EXPECT_EQ(layout_for(o), Layout::chw);
  o.data.dataset = "fashion-mnist";
  EXPECT_EQ(defaults_for(o).channels, train_defaults(DatasetKind::fashion_mnist, ModelKind::cnn).channels);
  EXPECT_NE(train_defaults(DatasetKind::fashion_mnist, ModelKind::mlp).sgd_lr,
            train_defaults(DatasetKind::digits, ModelKind::mlp).sgd_lr);
  // What is given wins over the defaults.
  EXPECT_LT(lr_decay_for(o), 1.0f);  // shrinking the rate per epoch gains a point of test accuracy
  o.epochs = 2;
  o.lr = 0.125f;
  o.lr_decay = 1.0f;
  o.layout = "hwc";
  EXPECT_EQ(epochs_for(o), 2);
  EXPECT_EQ(lr_decay_for(o), 1.0f);
  EXPECT_FLOAT_EQ(train_config(o).optimizer.lr, 0.125f);
  EXPECT_EQ(layout_for(o), Layout::hwc);
}

TEST(TrainOptions, help_lists_the_defaults_of_every_data_set_and_model) {
  const std::string text = describe_train_defaults();
  for (const char* line : {"  digits        mlp  --epochs 15  sgd --lr 0.005  --lr-decay 1    --hidden   64\n",
                           "  digits        cnn  --epochs 10  sgd --lr 0.002  --lr-decay 1    --channels 16,32\n",
                           "fashion-mnist mlp", "fashion-mnist cnn"})
    EXPECT_NE(text.find(line), std::string::npos) << text << "lacks " << line;
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
  o.lr_decay = 0.0f;
  EXPECT_EQ(error_of(o), "--lr-decay must be in (0, 1] (got 0)");
  o.lr_decay = 1.5f;
  EXPECT_EQ(error_of(o), "--lr-decay must be in (0, 1] (got 1.5)");
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

TEST(TrainOptions, model_options_are_checked_and_belong_to_their_model) {
  TrainOptions o;
  o.model = "resnet";
  EXPECT_EQ(error_of(o), "--model must be mlp or cnn (got 'resnet')");
  o = TrainOptions{};
  o.channels = {8};
  EXPECT_EQ(error_of(o), "--channels applies to --model cnn only (the model is mlp)");
  o = TrainOptions{};
  o.layout = "hwc";
  EXPECT_EQ(error_of(o), "--layout applies to --model cnn only (the model is mlp)");
  o = TrainOptions{};
  o.batch_norm = true;
  EXPECT_EQ(error_of(o), "--batch-norm applies to --model cnn only (the model is mlp)");
  o = TrainOptions{};
  o.model = "cnn";
  o.hidden = {32};
  EXPECT_EQ(error_of(o), "--hidden applies to --model mlp only (the model is cnn)");
  o.hidden.clear();
  o.channels = {8, -2};
  EXPECT_EQ(error_of(o), "--channels: block 2 has -2 channels; every block needs at least 1");
  o.channels = {8};
  o.layout = "nhwc";
  EXPECT_EQ(error_of(o), "--layout must be chw or hwc (got 'nhwc')");
}

}  // namespace
}  // namespace utrain::tools
