#include "tools/train/classifier_session.h"

#include <algorithm>
#include <vector>

#include "layers/loss.h"
#include "targets/host/cpu_features.h"
#include "tools/tool_error.h"

namespace utrain::tools {

ClassifierSession::ClassifierSession(const Model& model, const TrainConfig& config, bool training, int threads)
    : model_(model), config_(config), team_(threads) {
  check_status(training ? plan_training(model_, config, &plan_) : plan_inference(model_, 1, &plan_),
               "planning the model");
  memory_ = std::make_unique<AlignedBuffer>(plan_.summary.total_bytes);
  check_status(trainer_.init(model_, config_, plan_, ExecContext{&team_.team(), host_isas()}, memory_->data(),
                             memory_->size()),
               "setting up the trainer");
}

void ClassifierSession::set_learning_rate(float lr) {
  std::vector<std::vector<float>> kept;
  for (int p = 0; p < trainer_.parameter_count(); ++p) {
    const ParameterView v = trainer_.parameter(p);
    kept.emplace_back(v.values, v.values + v.count);
  }
  config_.optimizer.lr = lr;
  check_status(trainer_.init(model_, config_, plan_, ExecContext{&team_.team(), host_isas()}, memory_->data(),
                             memory_->size()),
               "setting up the trainer with a new learning rate");
  for (int p = 0; p < trainer_.parameter_count(); ++p)
    std::copy(kept[static_cast<size_t>(p)].begin(), kept[static_cast<size_t>(p)].end(), trainer_.parameter(p).values);
}

std::unique_ptr<ClassifierSession> ClassifierSession::for_training(const Model& model, const TrainConfig& config,
                                                                   int threads) {
  return std::unique_ptr<ClassifierSession>(new ClassifierSession(model, config, true, threads));
}

std::unique_ptr<ClassifierSession> ClassifierSession::for_inference(const Model& model, int threads) {
  return std::unique_ptr<ClassifierSession>(new ClassifierSession(model, TrainConfig{}, false, threads));
}

int32_t ClassifierSession::predict(const float* sample) {
  const float* logits = nullptr;
  check_status(trainer_.forward(sample, 1, &logits), "running the model");
  return argmax_class(TensorView::matrix(logits, 1, model_.output_features()), 0);
}

size_t ClassifierSession::count_correct(const Dataset& data) {
  size_t correct = 0;
  for (size_t i = 0; i < data.size(); ++i)
    if (predict(data.sample(i).data()) == data.labels[i]) ++correct;
  return correct;
}

}  // namespace utrain::tools
