// Every matrix-multiply kernel of the table that runs on this machine, on the layer-step
// products of the Deep AutoEncoder (batch 1 unless --batch=N), single thread, warm caches.
// Reports MAC/s per kernel and labels the one the default selector (kernels/mm/matmul_select.cpp)
// picks.
//
//   bench_matmul_kernels [google-benchmark flags] [--batch=N] [--best_json[=PATH]]
//
// --best_json also prints (to PATH, or to stdout with the table moved to stderr) per product the
// fastest kernel, the default kernel and their MAC/s: the evidence for the selector's table. With
// --benchmark_repetitions=R the median of the R runs counts. --benchmark_min_time defaults to
// 0.02 s here (about a minute for the whole table) unless given.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/support/bench_check.h"
#include "bench/support/matmul_operands.h"
#include "bench/support/node_steps.h"
#include "bench/support/step_kernel.h"
#include "graph/mlperf_tiny.h"
#include "graph/plan.h"
#include "kernels/mm/matmul.h"
#include "kernels/mm/matmul_kernel.h"
#include "targets/host/cpu_features.h"

namespace utrain::bench {
namespace {

// One layer-step product of the model (its shape, once even if several layers share it).
struct Product {
  std::string name;  // "<step>/<in>x<out>", e.g. "fw/640x128"
  MatMulArgs args;   // normalized, as the front end hands it to a kernel; no operands yet
  const MatMulKernel* default_kernel;
  std::vector<const MatMulKernel*> kernels;
  int64_t macs() const { return int64_t{args.m} * args.n * args.k; }
};

std::string form_of(const MatMulArgs& p) {
  return std::string(p.ta == Trans::n ? "n" : "t") + "_" + (p.tb == Trans::n ? "n" : "t");
}

// The products of the Deep AutoEncoder's Linear layer steps that a training step runs (every
// layer's FW and WG, the IG of all but the first), with the ReLU the plan fuses into FW.
std::vector<Product> dae_products(int32_t batch) {
  const Model model = deep_autoencoder_model();
  TrainConfig config;
  config.batch = batch;
  Plan plan;
  check(plan_training(model, config, &plan), "planning the Deep AutoEncoder");
  std::vector<Product> products;
  for (int i = 1; i < model.node_count(); ++i) {
    if (model.node(i).kind != NodeKind::linear) continue;
    const Node node = node_as_run(plan, model, i);
    const Shape& in = model.node(node.input).sample;
    const Shape input{batch, in.c, in.h, in.w}, output{batch, node.sample.c, node.sample.h, node.sample.w};
    for (LayerStep step : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
      if (step == LayerStep::input_grad && !plan.nodes[i].needs_input_grad) continue;
      Product prod{std::string(layer_step_name(step)) + "/" + std::to_string(node.linear.in_features) + "x" +
                       std::to_string(node.linear.out_features),
                   {}, nullptr, {}};
      if (std::any_of(products.begin(), products.end(), [&](const Product& q) { return q.name == prod.name; }))
        continue;
      MatMulArgs p;
      step_product(node, step, input, output, plan.choices[i][static_cast<int>(step)], &p);
      prod.args = normalize_matmul(p);
      prod.default_kernel = &default_matmul_kernel(prod.args, 1, host_isas());
      for (const MatMulKernel& k : matmul_kernels())
        if (k.ta == prod.args.ta && k.tb == prod.args.tb && host_isas().has(k.isa)) prod.kernels.push_back(&k);
      products.push_back(prod);
    }
  }
  return products;
}

void run_kernel(benchmark::State& state, const Product& prod, const MatMulKernel* kernel) {
  MatMulArgs p = prod.args;
  const MatMulOperands operands(&p);
  for (auto _ : state) {
    kernel->fn(p, 0, 1);
    benchmark::ClobberMemory();
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(prod.macs()),
                                               benchmark::Counter::kIsIterationInvariantRate);
  if (kernel == prod.default_kernel) state.SetLabel("default");
}

// Passes every run on to the console reporter and keeps each benchmark's MAC/s figures.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs)
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        const auto it = run.counters.find("MAC/s");
        if (it != run.counters.end()) rates_[run.benchmark_name()].push_back(it->second.value);
      }
    ConsoleReporter::ReportRuns(runs);
  }
  // The median MAC/s of a benchmark's runs, 0 when it did not run (filtered out).
  double median_rate(const std::string& name) const {
    const auto it = rates_.find(name);
    if (it == rates_.end() || it->second.empty()) return 0.0;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  }

 private:
  std::map<std::string, std::vector<double>> rates_;
};

std::string benchmark_name(const Product& prod, const MatMulKernel& kernel) {
  return prod.name + "/" + kernel.name;
}

nlohmann::json best_kernels_json(const std::vector<Product>& products, const CollectingReporter& reporter,
                                 int32_t batch) {
  nlohmann::json out;
  out["batch"] = batch;
  out["products"] = nlohmann::json::array();
  for (const Product& prod : products) {
    std::vector<std::pair<double, const MatMulKernel*>> ranked;
    for (const MatMulKernel* k : prod.kernels) {
      const double rate = reporter.median_rate(benchmark_name(prod, *k));
      if (rate > 0.0) ranked.emplace_back(rate, k);
    }
    if (ranked.empty()) continue;
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const double default_rate = reporter.median_rate(benchmark_name(prod, *prod.default_kernel));
    nlohmann::json top = nlohmann::json::array();
    for (size_t i = 0; i < ranked.size() && i < 5; ++i)
      top.push_back({{"kernel", ranked[i].second->name}, {"macs_per_second", ranked[i].first}});
    out["products"].push_back({
        {"product", prod.name},
        {"form", form_of(prod.args)},
        {"m", prod.args.m},
        {"n", prod.args.n},
        {"k", prod.args.k},
        {"macs", prod.macs()},
        {"best", top[0]},
        {"default", {{"kernel", prod.default_kernel->name}, {"macs_per_second", default_rate}}},
        {"default_over_best", default_rate / ranked[0].first},
        {"top5", top},
    });
  }
  return out;
}

// Removes our own flags from argv (Google Benchmark rejects unknown ones) and adds the default
// minimum time.
struct Options {
  int32_t batch = 1;
  bool best_json = false;
  std::string best_json_path;  // empty: stdout
};

Options take_options(int& argc, char** argv, std::vector<char*>& args) {
  Options o;
  bool min_time_given = false;
  static char kMinTime[] = "--benchmark_min_time=0.02";
  for (int i = 0; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--batch=", 8) == 0) {
      o.batch = std::max(1, std::atoi(a + 8));
    } else if (std::strcmp(a, "--best_json") == 0) {
      o.best_json = true;
    } else if (std::strncmp(a, "--best_json=", 12) == 0) {
      o.best_json = true;
      o.best_json_path = a + 12;
    } else {
      if (std::strncmp(a, "--benchmark_min_time", 20) == 0) min_time_given = true;
      args.push_back(argv[i]);
    }
  }
  if (!min_time_given) args.push_back(kMinTime);
  argc = static_cast<int>(args.size());
  return o;
}

}  // namespace
}  // namespace utrain::bench

int main(int argc, char** argv) {
  using namespace utrain::bench;
  std::vector<char*> args;
  const Options options = take_options(argc, argv, args);
  benchmark::Initialize(&argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(argc, args.data())) return 1;

  const std::vector<Product> products = dae_products(options.batch);
  for (const Product& prod : products)
    for (const utrain::MatMulKernel* k : prod.kernels)
      benchmark::RegisterBenchmark(benchmark_name(prod, *k).c_str(), run_kernel, prod, k)
          ->Unit(benchmark::kNanosecond);

  CollectingReporter reporter;
  const bool json_to_stdout = options.best_json && options.best_json_path.empty();
  if (json_to_stdout) reporter.SetOutputStream(&std::cerr);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  if (options.best_json) {
    const std::string text = best_kernels_json(products, reporter, options.batch).dump(2);
    if (json_to_stdout) {
      std::cout << text << "\n";
    } else {
      std::ofstream file(options.best_json_path);
      file << text << "\n";
      if (!file) {
        std::cerr << "cannot write " << options.best_json_path << "\n";
        return 1;
      }
    }
  }
  return 0;
}
