#include "golden/golden_training.h"

namespace utrain::golden {

GoldenTraining::GoldenTraining(int32_t input_features, const LayerSpec* layers, int32_t layer_count)
    : model_(input_features) {
  for (int32_t i = 0; i < layer_count; ++i) {
    model_.linear(layers[i].out_features, layers[i].has_bias);
    if (layers[i].act != Activation::none) model_.activation(layers[i].act, layers[i].slope);
  }
}

Status GoldenTraining::start(const TrainConfig& config, const ExecContext& ctx, uint64_t init_seed) {
  UT_TRY(model_.status());
  UT_TRY(plan_training(model_, config, &plan_));
  memory_.assign(plan_.summary.total_bytes, 0);
  UT_TRY(trainer_.init(model_, config, plan_, ctx, memory_.data(), memory_.size()));
  return trainer_.initialize(init_seed);
}

std::vector<float> GoldenTraining::parameters() const {
  std::vector<float> all;
  for (int i = 0; i < trainer_.parameter_count(); ++i) {
    const ParameterView p = trainer_.parameter(i);
    all.insert(all.end(), p.values, p.values + p.count);
  }
  return all;
}

}  // namespace utrain::golden
