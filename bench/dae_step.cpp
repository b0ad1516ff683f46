// One training step of the MLPerf Tiny Deep AutoEncoder (batch 1, MSE, plain SGD), single
// thread, through the graph API (Model, plan_training, Trainer), timed over many repetitions,
// with the MACs of a step counted analytically and the machine's peak measured in the same run.
// Then every Linear layer step (FW, WG, IG) alone, through layers/linear.h with the kernel the
// default selector picks, and every layer's SGD update, so the breakdown shows where a step's
// time goes.
//
//   bench_dae_step [--repetitions N] [--warmup N] [--layer-repetitions N] [--peak-seconds S]
//                  [--output PATH]
//
// Prints one JSON object (to PATH, else stdout); bench/run_dae_benchmark.py puts it beside
// PyTorch's figures for the same step.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/support/dae_model.h"
#include "bench/support/machine_peak.h"
#include "bench/support/peak_json.h"
#include "bench/support/repeat_timer.h"
#include "core/rng.h"
#include "graph/plan.h"
#include "graph/trainer.h"
#include "kernels/mm/matmul.h"
#include "layers/linear.h"
#include "layers/optimizer.h"
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

[[noreturn]] void fail(const Status& s, const char* doing) {
  char text[256];
  std::fprintf(stderr, "bench_dae_step: %s: %s\n", doing, s.format(text, sizeof text));
  std::exit(1);
}

void check(const Status& s, const char* doing) {
  if (!s.ok()) fail(s, doing);
}

nlohmann::json timing_json(const TimingSummary& t) {
  return {{"median", t.median_us},
          {"min", t.min_us},
          {"max", t.max_us},
          {"repetitions", t.repetitions},
          {"calls_per_sample", t.calls_per_sample}};
}

Model dae_model() {
  Model model(kDaeWidths[0]);
  for (int i = 0; i < kDaeLayers; ++i) {
    model.linear(kDaeWidths[i + 1]);
    if (dae_layer(i).relu) model.relu();
  }
  return model;
}

// The whole training step through the Trainer.
nlohmann::json time_training_step(const Options& o, const ExecContext& ctx) {
  const Model model = dae_model();
  check(model.status(), "building the model");
  TrainConfig config;
  config.batch = 1;
  config.loss = LossKind::mse;
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.01f;  // small enough that thousands of steps stay finite
  Plan plan;
  check(plan_training(model, config, &plan), "planning");
  std::vector<unsigned char> memory(plan.summary.total_bytes);
  Trainer trainer;
  check(trainer.init(model, config, plan, ctx, memory.data(), memory.size()), "trainer init");
  check(trainer.initialize(1), "initializing parameters");

  // An autoencoder reconstructs its input: the target is the frame itself.
  Rng rng(7);
  std::vector<float> frame(static_cast<size_t>(kDaeWidths[0]));
  for (float& v : frame) v = rng.uniform();
  float loss = 0.0f;
  const TimingSummary t = time_repeated(
      [&] { check(trainer.train_step(frame.data(), Target::regression(frame.data()), &loss), "training step"); },
      o.warmup, o.repetitions);

  const StepMacs macs = dae_step_macs(1);
  return {{"step_us", timing_json(t)},
          {"macs_per_step",
           {{"forward", macs.forward},
            {"weight_grad", macs.weight_grad},
            {"input_grad", macs.input_grad},
            {"total", macs.total()},
            {"forward_from_model", model.forward_macs()}}},
          {"plan_bytes", plan.summary.total_bytes},
          {"final_loss", loss}};
}

// One layer step through layers/linear.h, timed alone.
struct LayerStepTiming {
  TimingSummary time;
  std::string kernel;
};

LayerStepTiming time_layer_step(LayerStep step, const DaeLayer& layer, const Options& o, const ExecContext& ctx) {
  LinearOperands ops(layer.in, layer.out, 1);
  LinearParams params;
  params.in_features = layer.in;
  params.out_features = layer.out;
  params.act = layer.relu ? Activation::relu : Activation::none;  // fused, as the Trainer runs it
  const TensorView x = TensorView::matrix(ops.x.data(), 1, layer.in);
  const TensorView y = TensorView::matrix(ops.y.data(), 1, layer.out);
  const TensorView dz = TensorView::matrix(ops.dz.data(), 1, layer.out);
  const TensorView dx = TensorView::matrix(ops.dx.data(), 1, layer.in);
  std::vector<float> bias_grad(static_cast<size_t>(layer.out));
  auto run = [&] {
    switch (step) {
      case LayerStep::fw:
        return linear_forward(ctx, params, x, ops.weight.data(), ops.bias.data(), y);
      case LayerStep::wg:
        return linear_weight_grad(ctx, params, x, dz, ops.weight_grad.data(), bias_grad.data(), false);
      case LayerStep::ig:
        return linear_input_grad(ctx, params, dz, ops.weight.data(), dx, false);
    }
    return Status();
  };
  check(run(), "layer step");
  auto work = [&] { check(run(), "layer step"); };
  // Samples of at least 20 µs keep the clock's cost out of sub-microsecond steps.
  const int calls = calls_for_sample(work, 20.0);
  LayerStepTiming result;
  result.time = time_repeated(work, calls, o.layer_repetitions, calls);
  const MatMulArgs product = normalize_matmul(layer_step_product(step, layer.relu, ops));
  result.kernel = default_matmul_kernel(product, ctx.team->size(), ctx.isas).name;
  return result;
}

// The SGD update of one layer's weight and bias (torch.optim.SGD's rule, layers/optimizer.h), the
// other per-parameter work of a step besides the weight gradient.
TimingSummary time_sgd_update(const DaeLayer& layer, const Options& o) {
  LinearOperands ops(layer.in, layer.out, 1);
  std::vector<float> bias_grad(ops.bias.size(), 0.5f);
  OptimizerConfig sgd;
  sgd.lr = 1e-6f;  // keeps the parameters finite over many timed updates
  auto work = [&] {
    check(optimizer_step(sgd, 1, ops.weight.data(), ops.weight_grad.data(), nullptr, ops.weight.size()),
          "SGD update");
    check(optimizer_step(sgd, 1, ops.bias.data(), bias_grad.data(), nullptr, ops.bias.size()), "SGD update");
  };
  const int calls = calls_for_sample(work, 20.0);
  return time_repeated(work, calls, o.layer_repetitions, calls);
}

nlohmann::json layer_breakdown(const Options& o, const ExecContext& ctx, double* total_median_us) {
  nlohmann::json layers = nlohmann::json::array();
  *total_median_us = 0.0;
  for (int i = 0; i < kDaeLayers; ++i) {
    const DaeLayer layer = dae_layer(i);
    const int64_t macs = int64_t{layer.in} * layer.out;
    nlohmann::json entry = {{"layer", i}, {"in", layer.in}, {"out", layer.out}, {"relu", layer.relu}};
    for (LayerStep step : {LayerStep::fw, LayerStep::wg, LayerStep::ig}) {
      if (step == LayerStep::ig && !layer.input_grad) continue;
      const LayerStepTiming t = time_layer_step(step, layer, o, ctx);
      *total_median_us += t.time.median_us;
      entry[layer_step_name(step)] = {{"median_us", t.time.median_us},
                                      {"min_us", t.time.min_us},
                                      {"macs", macs},
                                      {"macs_per_second", macs / (t.time.median_us * 1e-6)},
                                      {"kernel", t.kernel}};
    }
    const TimingSummary update = time_sgd_update(layer, o);
    *total_median_us += update.median_us;
    entry["sgd_update"] = {{"median_us", update.median_us},
                           {"min_us", update.min_us},
                           {"parameters", macs + layer.out}};
    layers.push_back(entry);
  }
  return layers;
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
  const ExecContext ctx{&team, host_isas()};

  const MachinePeak peak = measure_machine_peak(o.peak_seconds);
  nlohmann::json out = {
      {"benchmark", "dae_training_step"},
      {"framework", "utrain"},
      {"model", "MLPerf Tiny Deep AutoEncoder, Linear 640-128-128-128-128-8-128-128-128-128-640, ReLU"},
      {"batch", 1},
      {"threads", 1},
      {"loss", "mse"},
      {"optimizer", "sgd"},
  };
  out.update(time_training_step(o, ctx));
  const double macs = out["macs_per_step"]["total"].get<double>();
  const double median_s = out["step_us"]["median"].get<double>() * 1e-6;
  const double min_s = out["step_us"]["min"].get<double>() * 1e-6;
  out["macs_per_second"] = macs / median_s;
  out["macs_per_second_best"] = macs / min_s;
  out["machine_peak"] = to_json(peak);
  out["fraction_of_peak"] = macs / median_s / peak.peak.macs_per_second;

  double layers_us = 0.0;
  out["layer_steps"] = layer_breakdown(o, ctx, &layers_us);
  // What the layer steps and updates alone add up to; the rest of a step is the loss, the
  // activation gradients and the trainer's own work.
  out["layer_steps_total_median_us"] = layers_us;

  const std::string text = out.dump(2);
  if (o.output.empty()) {
    std::cout << text << "\n";
  } else {
    std::ofstream file(o.output);
    file << text << "\n";
    if (!file) {
      std::fprintf(stderr, "bench_dae_step: cannot write %s\n", o.output.c_str());
      return 1;
    }
  }
  return 0;
}
