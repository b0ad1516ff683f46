// ClassifierSession::set_learning_rate: the schedule `utrain train --lr-decay` runs.
#include "tools/train/classifier_session.h"

#include <vector>

#include <gtest/gtest.h>

#include "tools/train/cnn.h"

namespace utrain::tools {
namespace {

std::vector<std::vector<float>> parameters_of(const Trainer& t) {
  std::vector<std::vector<float>> values;
  for (int p = 0; p < t.parameter_count(); ++p) {
    const ParameterView v = t.parameter(p);
    values.emplace_back(v.values, v.values + v.count);
  }
  return values;
}

std::unique_ptr<ClassifierSession> session_with_lr(const Model& model, float lr) {
  TrainConfig config;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.lr = lr;
  config.optimizer.momentum = 0.9f;
  return ClassifierSession::for_training(model, config, 1);
}

TEST(ClassifierSession, new_learning_rate_keeps_parameters_and_running_statistics_and_restarts_momentum) {
  const std::vector<int32_t> channels = {3};
  const Model model = build_cnn_classifier(SampleShape{1, 4, 4}, channels, 2, Layout::chw, true);
  const std::vector<float> x = {0.1f, 0.5f,  -0.3f, 0.8f, 0.0f, 0.2f,  0.9f, -0.7f,
                                0.4f, 0.3f, -0.1f, 0.6f, 0.5f, -0.5f, 0.2f, 0.7f};
  const int32_t label = 1;
  float loss = 0;

  const auto session = session_with_lr(model, 0.1f);
  ASSERT_TRUE(session->trainer().initialize(4).ok());
  ASSERT_TRUE(session->trainer().train_step(x.data(), Target::classes(&label), &loss).ok());
  const std::vector<std::vector<float>> before = parameters_of(session->trainer());
  session->set_learning_rate(0.025f);
  EXPECT_EQ(parameters_of(session->trainer()), before);  // BatchNorm's running mean and var included

  // The next step is that of a fresh optimizer at the new rate from the same parameters.
  const auto fresh = session_with_lr(model, 0.025f);
  for (int p = 0; p < fresh->trainer().parameter_count(); ++p)
    std::copy(before[static_cast<size_t>(p)].begin(), before[static_cast<size_t>(p)].end(),
              fresh->trainer().parameter(p).values);
  ASSERT_TRUE(session->trainer().train_step(x.data(), Target::classes(&label), &loss).ok());
  ASSERT_TRUE(fresh->trainer().train_step(x.data(), Target::classes(&label), &loss).ok());
  EXPECT_EQ(parameters_of(session->trainer()), parameters_of(fresh->trainer()));
  EXPECT_NE(parameters_of(session->trainer()), before);
}

}  // namespace
}  // namespace utrain::tools
