// One training step of the MLPerf Tiny Deep AutoEncoder (graph/mlperf_tiny.h; batch 1, MSE, plain
// SGD), single thread, through the graph API (Model, plan_training, Trainer), timed over many
// repetitions, with the MACs of a step counted analytically and the machine's peak measured in
// the same run. Then every node's steps (FW, the fused ReLU's backward, WG, IG) alone, with the
// kernel the default selector picks, every layer's SGD update and the loss, so the breakdown
// shows where a step's time goes.
//
//   bench_dae_step [--repetitions N] [--warmup N] [--layer-repetitions N] [--peak-seconds S]
//                  [--output PATH]
//
// Prints one JSON object (to PATH, else stdout); bench/run_dae_benchmark.py puts it beside
// PyTorch's figures for the same step.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/support/bench_check.h"
#include "bench/support/machine_peak.h"
#include "bench/support/node_steps.h"
#include "bench/support/peak_json.h"
#include "bench/support/timing_json.h"
#include "bench/support/training_step.h"
#include "core/rng.h"
#include "graph/mlperf_tiny.h"
#include "graph/plan.h"
#include "targets/host/cpu_features.h"

namespace utrain::bench {
namespace {

struct Options {
  int repetitions = 2000;
  int warmup = 200;
  int layer_repetitions = 51;
  double peak_seconds = 0.2;
  std::string output;  // empty: stdout
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--repetitions" && has_value) {
      o->repetitions = std::atoi(argv[++i]);
    } else if (a == "--warmup" && has_value) {
      o->warmup = std::atoi(argv[++i]);
    } else if (a == "--layer-repetitions" && has_value) {
      o->layer_repetitions = std::atoi(argv[++i]);
    } else if (a == "--peak-seconds" && has_value) {
      o->peak_seconds = std::atof(argv[++i]);
    } else if (a == "--output" && has_value) {
      o->output = argv[++i];
    } else {
      return false;
    }
  }
  return o->repetitions >= 1 && o->warmup >= 0 && o->layer_repetitions >= 1 && o->peak_seconds > 0.0;
}

nlohmann::json run(const Options& o, const ExecContext& ctx) {
  const MachinePeak peak = measure_machine_peak(o.peak_seconds);
  const Model model = deep_autoencoder_model();
  check(model.status(), "building the model");
  TrainConfig config;
  config.batch = 1;
  config.loss = LossKind::mse;
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.01f;  // small enough that thousands of steps stay finite
  Plan plan;
  check(plan_training(model, config, &plan), "planning");

  // An autoencoder reconstructs its input: the target is the frame itself.
  Rng rng(7);
  std::vector<float> frame(static_cast<size_t>(model.input_features()));
  for (float& v : frame) v = rng.uniform();
  const TrainingStepTiming step = time_training_step(model, config, plan, ctx, frame.data(),
                                                     Target::regression(frame.data()), o.warmup, o.repetitions);

  const StepMacs macs = planned_step_macs(model, plan);
  const double total = static_cast<double>(macs.total());
  nlohmann::json out = {
      {"benchmark", "dae_training_step"},
      {"framework", "utrain"},
      {"model", "MLPerf Tiny Deep AutoEncoder, Linear 640-128-128-128-128-8-128-128-128-128-640, ReLU"},
      {"batch", config.batch},
      {"threads", 1},
      {"loss", loss_kind_name(config.loss)},
      {"optimizer", "sgd"},
      {"step_us", to_json(step.time)},
      {"macs_per_step",
       {{"forward", macs.forward},
        {"weight_grad", macs.weight_grad},
        {"input_grad", macs.input_grad},
        {"total", macs.total()},
        {"forward_from_model", model.forward_macs()}}},
      {"plan_bytes", plan.summary.total_bytes},
      {"final_loss", step.final_loss},
      {"macs_per_second", total / (step.time.median_us * 1e-6)},
      {"macs_per_second_best", total / (step.time.min_us * 1e-6)},
      {"machine_peak", to_json(peak)},
      {"fraction_of_peak", total / (step.time.median_us * 1e-6) / peak.peak.macs_per_second},
  };

  const std::vector<NodeTimings> nodes = time_node_steps(model, config, plan, ctx, o.layer_repetitions);
  double nodes_us = 0.0;
  out["nodes"] = to_json(model, nodes, &nodes_us);
  const TimingSummary loss = time_loss(model, config, plan, o.layer_repetitions);
  out["loss_us"] = {{"median_us", loss.median_us}, {"min_us", loss.min_us}};
  // What the node steps, updates and loss alone add up to; the rest of a step is the trainer's
  // own work.
  out["node_steps_total_median_us"] = nodes_us + loss.median_us;
  return out;
}

}  // namespace
}  // namespace utrain::bench

int main(int argc, char** argv) {
  using namespace utrain;
  using namespace utrain::bench;
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s [--repetitions N] [--warmup N] [--layer-repetitions N] [--peak-seconds S] "
                 "[--output PATH]\n",
                 argv[0]);
    return 2;
  }
  SerialTeam team;
  const std::string text = run(o, ExecContext{&team, host_isas()}).dump(2);
  if (o.output.empty()) {
    std::cout << text << "\n";
    return 0;
  }
  std::ofstream file(o.output);
  file << text << "\n";
  if (!file) {
    std::fprintf(stderr, "bench_dae_step: cannot write %s\n", o.output.c_str());
    return 1;
  }
  return 0;
}
