// Trains the MLPerf Tiny Deep AutoEncoder (anomaly detection) with the C++ API: describe the
// model, plan its memory, hand the trainer one block, train batch-1 steps. The README's API
// example is this file; the tests run it, so it cannot drift from the API.
//
// Usage: example_deep_autoencoder [steps]   (default 200)
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/rng.h"
#include "graph/plan.h"
#include "graph/trainer.h"
#include "targets/host/cpu_features.h"

using namespace utrain;

static int fail(const Status& s) {
  char text[256];
  std::fprintf(stderr, "error: %s\n", s.format(text, sizeof text));
  return 1;
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (steps <= 0) return std::fprintf(stderr, "error: steps must be a positive number\n"), 2;

  // 640 → 128 → 128 → 128 → 128 → 8 → 128 → 128 → 128 → 128 → 640, ReLU between layers.
  Model model(640);
  for (int32_t width : {128, 128, 128, 128, 8, 128, 128, 128, 128}) model.linear(width).relu();
  model.linear(640);

  TrainConfig config;
  config.batch = 1;
  config.loss = LossKind::mse;
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.05f;

  // Every buffer of a training step is known before the first one.
  Plan plan;
  if (Status s = plan_training(model, config, &plan); !s.ok()) return fail(s);
  std::printf("peak training memory: %zu bytes (parameters %zu, gradients %zu, activations %zu)\n",
              plan.summary.total_bytes, plan.summary.parameters, plan.summary.gradients,
              plan.summary.activations + plan.summary.activation_grads);

  std::vector<unsigned char> memory(plan.summary.total_bytes);
  SerialTeam team;
  Trainer trainer;
  if (Status s = trainer.init(model, config, plan, ExecContext{&team, host_isas()}, memory.data(), memory.size());
      !s.ok())
    return fail(s);
  if (Status s = trainer.initialize(/*seed=*/1); !s.ok()) return fail(s);

  // Eight "normal" machine-sound frames to reconstruct (random here; real log-mel frames in use).
  Rng rng(7);
  std::vector<float> frames(8 * 640);
  for (float& v : frames) v = rng.uniform();

  float first = 0.0f, loss = 0.0f;
  for (int step = 0; step < steps; ++step) {
    const float* frame = frames.data() + (step % 8) * 640;
    if (Status s = trainer.train_step(frame, Target::regression(frame), &loss); !s.ok()) return fail(s);
    if (step == 0) first = loss;
  }
  std::printf("reconstruction loss: %.5f after 1 step, %.5f after %d steps\n", first, loss, steps);
  return loss < first ? 0 : 1;
}
