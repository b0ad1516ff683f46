// One training step of an MLPerf Tiny CNN (DS-CNN or ResNet8, graph/mlperf_tiny.h) at batch 1:
// softmax cross-entropy, SGD with momentum 0.9 and lr 0.01, one thread, through the graph API
// (Model, plan_training, Trainer), timed over many repetitions, with the MACs of a step counted
// analytically and the machine's peak measured in the same run. Then every node's steps (FW, WG,
// IG, the fused activation's backward, the update) alone, with the algorithm and kernel each
// runs, and the loss, so the breakdown shows where a step's time goes. The planned peak training
// memory is the plan's arena, the only memory a step uses besides the caller's input.
//
//   bench_cnn_step --model ds_cnn|resnet8 [--layout chw|hwc] [--repetitions N] [--warmup N]
//                  [--layer-repetitions N] [--peak-seconds S] [--clock wall|thread_cpu]
//                  [--output PATH]
//
// --clock thread_cpu times with the thread's CPU time instead of the wall clock
// (bench/support/repeat_timer.h says when that helps).
// Prints one JSON object (to PATH, else stdout); bench/run_cnn_benchmark.py puts it beside
// PyTorch's figures for the same step (bench/pytorch_cnn_step.py).
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
  std::string model;
  Layout layout = Layout::chw;
  int repetitions = 200;
  int warmup = 20;
  int layer_repetitions = 31;
  double peak_seconds = 0.2;
  std::string output;  // empty: stdout
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--model" && has_value) {
      o->model = argv[++i];
    } else if (a == "--layout" && has_value) {
      const std::string layout = argv[++i];
      if (layout != "chw" && layout != "hwc") return false;
      o->layout = layout == "chw" ? Layout::chw : Layout::hwc;
    } else if (a == "--repetitions" && has_value) {
      o->repetitions = std::atoi(argv[++i]);
    } else if (a == "--warmup" && has_value) {
      o->warmup = std::atoi(argv[++i]);
    } else if (a == "--layer-repetitions" && has_value) {
      o->layer_repetitions = std::atoi(argv[++i]);
    } else if (a == "--peak-seconds" && has_value) {
      o->peak_seconds = std::atof(argv[++i]);
    } else if (a == "--clock" && has_value) {
      const std::string clock = argv[++i];
      if (clock != "wall" && clock != "thread_cpu") return false;
      set_timer_clock(clock == "wall" ? TimerClock::wall : TimerClock::thread_cpu);
    } else if (a == "--output" && has_value) {
      o->output = argv[++i];
    } else {
      return false;
    }
  }
  return (o->model == "ds_cnn" || o->model == "resnet8") && o->repetitions >= 1 && o->warmup >= 0 &&
         o->layer_repetitions >= 1 && o->peak_seconds > 0.0;
}

TrainConfig sgd_momentum_config() {
  TrainConfig config;
  config.batch = 1;
  config.loss = LossKind::softmax_cross_entropy;
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.01f;
  config.optimizer.momentum = 0.9f;
  return config;
}

nlohmann::json memory_json(const PlanSummary& s, size_t input_bytes) {
  return {{"planned_total_bytes", s.total_bytes},
          {"input_bytes", input_bytes},
          // The parts before lifetime sharing: the total is less than their sum.
          {"parameters", s.parameters},
          {"gradients", s.gradients},
          {"optimizer_state", s.optimizer_state},
          {"running_state", s.running_state},
          {"activations", s.activations},
          {"activation_grads", s.activation_grads},
          {"saved", s.saved},
          {"workspace", s.workspace}};
}

nlohmann::json run(const Options& o, const ExecContext& ctx) {
  const MachinePeak peak = measure_machine_peak(o.peak_seconds);
  const Model model = o.model == "ds_cnn" ? ds_cnn_model(o.layout) : resnet8_model(o.layout);
  check(model.status(), "building the model");
  const TrainConfig config = sgd_momentum_config();
  Plan plan;
  check(plan_training(model, config, &plan), "planning");

  // One random sample in the model's layout, and a label.
  Rng rng(7);
  std::vector<float> sample(static_cast<size_t>(model.input_features()));
  for (float& v : sample) v = rng.uniform_symmetric(1.0f);
  const int32_t label = 3;
  const TrainingStepTiming step = time_training_step(model, config, plan, ctx, sample.data(), Target::classes(&label),
                                                     o.warmup, o.repetitions);

  const StepMacs macs = planned_step_macs(model, plan);
  const double total = static_cast<double>(macs.total());
  nlohmann::json out = {
      {"benchmark", "cnn_training_step"},
      {"framework", "utrain"},
      {"model", o.model},
      {"layout", o.layout == Layout::chw ? "chw" : "hwc"},
      {"batch", config.batch},
      {"threads", 1},
      {"clock", timer_clock_name(timer_clock())},
      {"loss", loss_kind_name(config.loss)},
      {"optimizer", {{"kind", "sgd"}, {"lr", config.optimizer.lr}, {"momentum", config.optimizer.momentum}}},
      {"step_us", to_json(step.time)},
      {"macs_per_step",
       {{"forward", macs.forward},
        {"weight_grad", macs.weight_grad},
        {"input_grad", macs.input_grad},
        {"total", macs.total()},
        {"forward_from_model", model.forward_macs()}}},
      {"macs_per_second", total / (step.time.median_us * 1e-6)},
      {"macs_per_second_best", total / (step.time.min_us * 1e-6)},
      {"machine_peak", to_json(peak)},
      {"fraction_of_peak", total / (step.time.median_us * 1e-6) / peak.peak.macs_per_second},
      {"memory", memory_json(plan.summary, sample.size() * sizeof(float) + sizeof label)},
      {"final_loss", step.final_loss},
  };

  const std::vector<NodeTimings> nodes = time_node_steps(model, config, plan, ctx, o.layer_repetitions);
  double nodes_us = 0.0;
  out["nodes"] = to_json(model, nodes, &nodes_us);
  const TimingSummary loss = time_loss(model, config, plan, o.layer_repetitions);
  out["loss_us"] = {{"median_us", loss.median_us}, {"min_us", loss.min_us}};
  // What the node steps, updates and loss alone add up to; the rest of a step is the trainer's
  // own work and the caches the steps do not share when timed apart.
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
                 "usage: %s --model ds_cnn|resnet8 [--layout chw|hwc] [--repetitions N] [--warmup N] "
                 "[--layer-repetitions N] [--peak-seconds S] [--clock wall|thread_cpu] [--output PATH]\n",
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
    std::fprintf(stderr, "bench_cnn_step: cannot write %s\n", o.output.c_str());
    return 1;
  }
  return 0;
}
