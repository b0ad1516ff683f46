// Trains the MLPerf Tiny DS-CNN (keyword spotting) or ResNet8 (image classification) with the
// C++ API: the graph (graph/mlperf_tiny.cpp shows how the residual stacks are built with
// last()/from()/add()), a plan with every buffer before the first step, one block of memory, a
// thread-pool team, and streaming batch-1 steps on synthetic data whose class is written into
// the input (a bright row band per class), so the loss visibly falls within a few steps.
//
// Usage: example_mlperf_tiny_cnn ds_cnn|resnet8 [steps] [chw|hwc] [threads]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/rng.h"
#include "graph/mlperf_tiny.h"
#include "graph/trainer.h"
#include "targets/host/cpu_features.h"
#include "targets/host/thread_pool_team.h"

using namespace utrain;

static int fail(const Status& s) {
  char text[256];
  std::fprintf(stderr, "error: %s\n", s.format(text, sizeof text));
  return 1;
}

// Sample `index` of class index % classes: noise, plus a band of rows lit by the class.
static std::vector<float> synthetic_sample(const Model& m, int index, int classes, int32_t* label) {
  const Shape in = m.node(0).sample;
  *label = index % classes;
  Rng rng(42, static_cast<uint64_t>(index));
  std::vector<float> x(static_cast<size_t>(in.per_sample()));
  for (float& v : x) v = 0.1f * rng.uniform_symmetric(1.0f);
  const int32_t band = in.h / classes > 0 ? in.h / classes : 1;
  for (int32_t c = 0; c < in.c; ++c)
    for (int32_t y = *label * band; y < (*label + 1) * band && y < in.h; ++y)
      for (int32_t col = 0; col < in.w; ++col) {
        const size_t at = m.layout() == Layout::chw ? (static_cast<size_t>(c) * in.h + y) * in.w + col
                                                    : (static_cast<size_t>(y) * in.w + col) * in.c + c;
        x[at] += 1.0f;
      }
  return x;
}

int main(int argc, char** argv) {
  const bool resnet = argc > 1 && std::strcmp(argv[1], "resnet8") == 0;
  if (argc < 2 || (!resnet && std::strcmp(argv[1], "ds_cnn") != 0))
    return std::fprintf(stderr, "usage: %s ds_cnn|resnet8 [steps] [chw|hwc] [threads]\n", argv[0]), 2;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 60;
  const Layout layout = argc > 3 && std::strcmp(argv[3], "hwc") == 0 ? Layout::hwc : Layout::chw;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  if (steps <= 0 || threads <= 0) return std::fprintf(stderr, "error: steps and threads must be positive\n"), 2;

  const Model model = resnet ? resnet8_model(layout) : ds_cnn_model(layout);
  if (!model.status().ok()) return fail(model.status());
  const int classes = model.output_features();

  TrainConfig config;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.01f;
  config.optimizer.momentum = 0.9f;

  Plan plan;
  if (Status s = plan_training(model, config, &plan); !s.ok()) return fail(s);
  const PlanSummary& sum = plan.summary;
  std::printf("%s (%s): %lld forward MACs per sample, %d nodes\n", resnet ? "ResNet8" : "DS-CNN", layout_name(layout),
              static_cast<long long>(model.forward_macs()), model.node_count());
  std::printf("peak training memory %zu bytes: parameters %zu, gradients %zu, optimizer %zu, running stats %zu,\n"
              "  activations %zu, activation gradients %zu, saved statistics %zu, scratch %zu (before sharing)\n",
              sum.total_bytes, sum.parameters, sum.gradients, sum.optimizer_state, sum.running_state, sum.activations,
              sum.activation_grads, sum.saved, sum.workspace);

  std::vector<unsigned char> memory(sum.total_bytes);
  ThreadPoolTeam team(threads);
  Trainer trainer;
  if (Status s = trainer.init(model, config, plan, ExecContext{&team, host_isas()}, memory.data(), memory.size());
      !s.ok())
    return fail(s);
  if (Status s = trainer.initialize(/*seed=*/1); !s.ok()) return fail(s);

  float first = 0.0f, recent = 0.0f;
  const int window = classes;
  for (int step = 0; step < steps; ++step) {
    int32_t label = 0;
    const std::vector<float> x = synthetic_sample(model, step, classes, &label);
    float loss = 0.0f;
    if (Status s = trainer.train_step(x.data(), Target::classes(&label), &loss); !s.ok()) return fail(s);
    if (step < window) first += loss / window;
    if (step >= steps - window) recent += loss / window;
  }
  std::printf("mean loss: %.4f over the first %d steps, %.4f over the last %d\n", first, window, recent, window);
  return recent < first ? 0 : 1;
}
