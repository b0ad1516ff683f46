#include "tools/train/train_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "graph/node_ops.h"
#include "layers/loss.h"
#include "tools/data/shuffle.h"
#include "tools/model_summary.h"
#include "tools/tool_error.h"

namespace utrain::tools {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Multiply-accumulates of one training step: every node's forward, its weight gradient when
// its weights train (not frozen, not bias-only), its input gradient where the plan computes one.
// Pooling, norms, activations and adds count none: they multiply nothing they accumulate.
int64_t step_macs(const Model& model, const Plan& plan) {
  int64_t macs = 0;
  for (int i = 1; i < model.node_count(); ++i) {
    const Node& node = model.node(i);
    const int64_t one = node_step_macs(node, model.node(node.input).sample) * plan.batch;
    const bool trains_weights = !node.frozen && !node.bias_only && node_weight_count(node) > 0;
    macs += one + (trains_weights ? one : 0) + (plan.nodes[i].needs_input_grad ? one : 0);
  }
  return macs;
}

}  // namespace

TrainReport train_classifier(ClassifierSession& session, const TrainTestSplit& data, const TrainOptions& options,
                             ProgressDisplay& progress) {
  const TrainConfig config = train_config(options);
  const int epochs = epochs_for(options);
  const float lr_decay = lr_decay_for(options);
  const Dataset& train = data.train;
  const int32_t batch = config.batch;
  if (static_cast<size_t>(batch) > train.size())
    throw ToolError(fmt::format("--batch {} is larger than the {} training samples", batch, train.size()));
  const int64_t steps_per_epoch = static_cast<int64_t>(train.size()) / batch;
  const int64_t samples_per_epoch = steps_per_epoch * batch;
  const int32_t classes = session.model().output_features();
  const auto features = static_cast<size_t>(train.features);

  Trainer& trainer = session.trainer();
  check_status(trainer.initialize(options.seed), "initialising the parameters");

  std::vector<size_t> order = identity_order(train.size());
  Rng order_rng(options.seed, kShuffleStream);
  std::vector<float> inputs(static_cast<size_t>(batch) * features);
  std::vector<int32_t> labels(static_cast<size_t>(batch));

  TrainReport report;
  double step_seconds = 0;
  const Clock::time_point start = Clock::now();
  ProgressState state;
  state.epochs = epochs;
  state.samples_per_epoch = samples_per_epoch;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    fisher_yates_shuffle(order, order_rng);
    double loss_sum = 0;
    int64_t correct = 0;
    state.epoch = epoch;
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      for (int32_t b = 0; b < batch; ++b) {
        const size_t index = order[static_cast<size_t>(step * batch + b)];
        const std::span<const float> x = train.sample(index);
        std::copy(x.begin(), x.end(), inputs.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(b) * features));
        labels[static_cast<size_t>(b)] = train.labels[index];
      }
      // Train accuracy counts the prediction each sample gets just before the model learns
      // from it, the usual running accuracy; it costs one extra forward pass outside the timing.
      const float* logits = nullptr;
      check_status(trainer.forward(inputs.data(), batch, &logits), "running the model");
      const TensorView logit_view = TensorView::matrix(logits, batch, classes);
      for (int32_t b = 0; b < batch; ++b)
        if (argmax_class(logit_view, b) == labels[static_cast<size_t>(b)]) ++correct;

      float loss = 0;
      const Clock::time_point before = Clock::now();
      const Status status = trainer.train_step(inputs.data(), Target::classes(labels.data()), &loss);
      step_seconds += seconds_between(before, Clock::now());
      check_status(status, "training step");
      loss_sum += static_cast<double>(loss) * batch;

      const auto seen = (step + 1) * batch;
      const auto done_total = (epoch - 1) * samples_per_epoch + seen;
      state.samples_done = seen;
      state.running_loss = loss_sum / static_cast<double>(seen);
      state.running_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      state.elapsed_seconds = seconds_between(start, Clock::now());
      state.eta_seconds = estimate_eta(state.elapsed_seconds, done_total, samples_per_epoch * epochs);
      if (step + 1 < steps_per_epoch) progress.step(state);
    }
    progress.end_epoch(state);
    if (lr_decay != 1.0f && epoch < epochs)
      session.set_learning_rate(config.optimizer.lr * std::pow(lr_decay, static_cast<float>(epoch)));
  }
  progress.finish();
  report.train_seconds = seconds_between(start, Clock::now());

  const Model& model = session.model();
  report.model = describe_model(model);
  report.parameters = parameter_values(model);
  report.optimizer = options.optimizer;
  report.lr = config.optimizer.lr;
  report.lr_decay = lr_decay;
  report.momentum = config.optimizer.momentum;
  report.weight_decay = config.optimizer.weight_decay;
  report.batch = batch;
  report.epochs = epochs;
  report.threads = options.threads;
  report.seed = options.seed;
  report.train_samples = train.size();
  report.test_samples = data.test.size();
  report.steps = steps_per_epoch * epochs;  // the trainer counts only since the last lr change
  report.train_loss = state.running_loss;
  report.train_accuracy = state.running_accuracy;
  report.test_correct = session.count_correct(data.test);
  report.test_accuracy = static_cast<double>(report.test_correct) / static_cast<double>(data.test.size());
  report.step_microseconds = report.steps > 0 ? step_seconds * 1e6 / static_cast<double>(report.steps) : 0;
  report.macs_per_step = step_macs(model, session.plan());
  report.memory = session.plan().summary;
  return report;
}

}  // namespace utrain::tools
