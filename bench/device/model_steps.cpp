// One training step of an MLPerf Tiny model (Deep AutoEncoder, DS-CNN, ResNet8; batch 1, CHW,
// SGD with momentum 0.9, default kernels) taken apart for instruction counts on the device. Each
// part of the step (a node's forward, fused activation backward, weight and input gradients,
// update; the loss) runs between the region markers, and one more step runs in a single region,
// so the QEMU instruction-count plugin (scripts/qemu_run.sh --icount --count) counts every part
// and the whole step. bench/run_device_benchmark.py joins the counts with the lines printed here.
//
// First one line per node (not a region), for labels ("-" for nodes without a window):
//   bench_node model=M node=I kind=K input=CxHxW output=CxHxW window=KHxKW stride=SHxSW
// Then a warm-up step, the probed step (one region per part), the whole step (one region), and
// the matrix product of every step that has one, alone (one region each): the same shape,
// transpositions, epilogue and kernel on scratch operands, without the step's im2col, col2im or
// transposes. Every region gets a line, in region order, printed after the region closed:
//   bench_step region=R model=M node=I kind=K phase=P macs=N kernel=NAME
//   bench_product region=R model=M node=I kind=K phase=P macs=N kernel=NAME m=M n=N k=K
// where kernel is the matrix-multiply or depthwise kernel the step's default choice runs ("-"
// for steps without one), and the whole step is node=-1 kind=step phase=train_step. Then
//   bench_model model=M members=T plan_bytes=B fw_macs=N wg_macs=N ig_macs=N total_macs=N loss=L
// with the multiply-accumulates counted analytically (node_step_macs).
//
// The device has no command line: each image is built for one model (UTRAIN_BENCH_MODEL) and
// runs on every hart of the device. On the host: [--model dae|ds_cnn|resnet8|all] [--members N].
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/rng.h"
#include "graph/mlperf_tiny.h"
#include "graph/step_kernel.h"
#include "graph/trainer.h"
#include "harness/platform.h"
#include "kernels/mm/matmul.h"
#include "targets/common/region_markers.h"

namespace utrain {
namespace {

// The largest plan, the Deep AutoEncoder's with momentum (2,464,479 bytes: weights, their
// momentum and the step's buffers), fits with room to spare; the block still leaves room in the
// Cortex-M4F's 4 MiB of RAM.
constexpr size_t kMemoryBytes = 2560 * 1024;
alignas(kArenaAlignment) unsigned char g_memory[kMemoryBytes];

struct BenchModel {
  const char* name;
  Model (*build)();
  LossKind loss;
  int32_t classes;  // 0: the target is the input (the autoencoder)
};

Model ds_cnn_chw() { return ds_cnn_model(Layout::chw); }
Model resnet8_chw() { return resnet8_model(Layout::chw); }

constexpr BenchModel kModels[] = {
    {"dae", deep_autoencoder_model, LossKind::mse, 0},
    {"ds_cnn", ds_cnn_chw, LossKind::softmax_cross_entropy, 12},
    {"resnet8", resnet8_chw, LossKind::softmax_cross_entropy, 10},
};

constexpr int32_t kMaxInput = 3 * 32 * 32;

// The analytical multiply-accumulates of one layer step's product, as bench/support/node_steps.h
// counts them: every forward step, the weight gradient of layers whose weights train, the input
// gradient of layers that send one; activation backward and the loss do no multiplies.
int64_t layer_step_macs(const Model& model, const Plan& plan, int i, TrainPhase phase) {
  if (i < 1) return 0;
  const Node& node = model.node(i);
  const int64_t macs = node_step_macs(node, model.node(node.input).sample) * plan.batch;
  switch (phase) {
    case TrainPhase::forward: return macs;
    case TrainPhase::weight_grad: return trains_parameters(node) && !node.bias_only ? macs : 0;
    case TrainPhase::input_grad: return plan.nodes[i].needs_input_grad ? macs : 0;
    default: return 0;
  }
}

// The multiply-accumulates one part of the probed step runs: its layer step's, except that a
// batch-1 Linear layer's weight gradient is formed by its update (NodePlan::weight_update_from_outer),
// so the update has those MACs and the weight-gradient part (the bias's gradient alone) none.
int64_t part_macs(const Model& model, const Plan& plan, int i, TrainPhase phase) {
  const bool outer = i >= 1 && plan.nodes[i].weight_update_from_outer;
  if (phase == TrainPhase::update) return outer ? layer_step_macs(model, plan, i, TrainPhase::weight_grad) : 0;
  if (phase == TrainPhase::weight_grad && outer) return 0;
  return layer_step_macs(model, plan, i, phase);
}

// What the probe needs to name a region, and the region count so far.
struct RegionLog {
  const char* model_name;
  const Model* model;
  const Plan* plan;
  const Trainer* trainer;
  int regions = 0;
  int64_t macs[3] = {};  // fw, wg (also what updates form), ig of the probed step
};

// The layer step of a forward, weight- or input-gradient part.
LayerStep layer_step_of(TrainPhase phase) {
  return phase == TrainPhase::forward       ? LayerStep::forward
         : phase == TrainPhase::weight_grad ? LayerStep::weight_grad
                                            : LayerStep::input_grad;
}

const char* part_kernel(const RegionLog& log, int i, TrainPhase phase) {
  if (phase != TrainPhase::forward && phase != TrainPhase::weight_grad && phase != TrainPhase::input_grad)
    return "-";
  if (phase == TrainPhase::weight_grad && log.plan->nodes[i].weight_update_from_outer) return "-";  // bias only
  const char* name = log.trainer->kernel_name(i, layer_step_of(phase));
  return name != nullptr ? name : "-";
}

void region_begin(void*, int, TrainPhase) { utrain_region_begin(); }

void region_end(void* user, int i, TrainPhase phase) {
  utrain_region_end();
  RegionLog& log = *static_cast<RegionLog*>(user);
  const int64_t macs = part_macs(*log.model, *log.plan, i, phase);
  if (phase == TrainPhase::forward) log.macs[0] += macs;
  if (phase == TrainPhase::weight_grad || phase == TrainPhase::update) log.macs[1] += macs;
  if (phase == TrainPhase::input_grad) log.macs[2] += macs;
  printf("bench_step region=%d model=%s node=%d kind=%s phase=%s macs=%lld kernel=%s\n", log.regions++,
         log.model_name, i, node_kind_name(log.model->node(i).kind), train_phase_name(phase),
         static_cast<long long>(macs), part_kernel(log, i, phase));
}

// The analytical MACs of a whole step, per LayerStep, counted apart from the probe.
void step_macs(const Model& model, const Plan& plan, int64_t macs[3]) {
  macs[0] = macs[1] = macs[2] = 0;
  for (int i = 1; i < model.node_count(); ++i) {
    macs[0] += part_macs(model, plan, i, TrainPhase::forward);
    if (plan.nodes[i].runs_backward) {
      macs[1] += part_macs(model, plan, i, TrainPhase::weight_grad) + part_macs(model, plan, i, TrainPhase::update);
      macs[2] += part_macs(model, plan, i, TrainPhase::input_grad);
    }
  }
}

bool report(const Status& s, const char* what) {
  if (s.ok()) return true;
  char text[160];
  printf("bench_error %s: %s\n", what, s.format(text, sizeof text));
  return false;
}

Shape batch_shape(const Shape& sample, int32_t batch) { return Shape{batch, sample.c, sample.h, sample.w}; }

// Floats of a stored operand: its rows as stored (`rows_if_n`, or `rows_if_t` when transposed)
// of `ld` values each.
size_t stored_floats(Trans t, int32_t rows_if_n, int32_t rows_if_t, int32_t ld) {
  return static_cast<size_t>(t == Trans::n ? rows_if_n : rows_if_t) * static_cast<size_t>(ld);
}

// The product of every step that multiplies, alone, with the kernel the step runs, on operands
// laid out in the memory block (the trainer is done with it).
bool run_products(const char* model_name, const Model& model, const Plan& plan, const Trainer& trainer,
                  const ExecContext& ctx, int* regions) {
  constexpr TrainPhase kPhases[] = {TrainPhase::forward, TrainPhase::weight_grad, TrainPhase::input_grad};
  for (int i = 1; i < model.node_count(); ++i)
    for (TrainPhase phase : kPhases) {
      const int64_t macs = layer_step_macs(model, plan, i, phase);  // also a product the update forms
      if (macs == 0) continue;
      const Node node = trainer.run_node(i);
      const LayerStep step = layer_step_of(phase);
      const char* name = trainer.kernel_name(i, step);
      const MatMulKernel* kernel = name != nullptr ? find_matmul_kernel(name) : nullptr;
      StepChoice choice = plan.choices[i][static_cast<int>(step)];
      choice.matmul = kernel;  // the kernel the step runs, which decides how B is laid out
      MatMulArgs p;
      if (!step_product(node, step, batch_shape(model.node(node.input).sample, plan.batch),
                        batch_shape(node.sample, plan.batch), choice, &p))
        continue;  // depthwise and direct convolutions
      if (kernel == nullptr || static_cast<int64_t>(p.m) * p.n * p.k != macs) {
        printf("bench_error product: node %d %s of %s: kernel %s, %ld x %ld x %ld for %lld MACs\n", i,
               train_phase_name(phase), model_name, name != nullptr ? name : "none", static_cast<long>(p.m),
               static_cast<long>(p.n), static_cast<long>(p.k), static_cast<long long>(macs));
        return false;
      }
      const size_t a = stored_floats(p.ta, p.m, p.k, p.lda), b = stored_floats(p.tb, p.k, p.n, p.ldb);
      const size_t c = static_cast<size_t>(p.m) * static_cast<size_t>(p.ldc);
      const size_t bias = p.m > p.n ? static_cast<size_t>(p.m) : static_cast<size_t>(p.n);
      if ((a + b + c + bias) * sizeof(float) > kMemoryBytes) {
        printf("bench_error product: node %d %s of %s needs more than the block\n", i, train_phase_name(phase),
               model_name);
        return false;
      }
      float* values = reinterpret_cast<float*>(g_memory);
      Rng rng(3, static_cast<uint64_t>(i));
      for (size_t v = 0; v < a + b + bias; ++v) values[v] = rng.uniform_symmetric(1.0f);
      p.a = values, p.b = values + a, p.c = values + a + b + bias;
      if (p.bias_axis != BiasAxis::none) p.bias = values + a + b;
      utrain_region_begin();
      const Status status = matmul(ctx, p, kernel);
      utrain_region_end();
      if (!report(status, "product")) return false;
      printf("bench_product region=%d model=%s node=%d kind=%s phase=%s macs=%lld kernel=%s m=%ld n=%ld k=%ld\n",
             (*regions)++, model_name, i, node_kind_name(node.kind), train_phase_name(phase),
             static_cast<long long>(macs), name, static_cast<long>(p.m), static_cast<long>(p.n),
             static_cast<long>(p.k));
    }
  return true;
}

// The window of a node that has one, or null.
const Window2d* node_window(const Node& node) {
  switch (node.kind) {
    case NodeKind::conv2d: return &node.conv.window;
    case NodeKind::depthwise_conv2d: return &node.depthwise.window;
    case NodeKind::conv_transpose2d: return &node.conv_transpose.window;
    case NodeKind::pool2d: return &node.pool.window;
    default: return nullptr;
  }
}

void print_nodes(const char* model_name, const Model& model) {
  for (int i = 1; i < model.node_count(); ++i) {
    const Node& node = model.node(i);
    const Shape& in = model.node(node.input).sample;
    const Window2d* w = node_window(node);
    char window[24] = "-", stride[24] = "-";
    if (w != nullptr) {
      snprintf(window, sizeof window, "%ldx%ld", static_cast<long>(w->kernel_h), static_cast<long>(w->kernel_w));
      snprintf(stride, sizeof stride, "%ldx%ld", static_cast<long>(w->stride_h), static_cast<long>(w->stride_w));
    }
    printf("bench_node model=%s node=%d kind=%s input=%ldx%ldx%ld output=%ldx%ldx%ld window=%s stride=%s\n",
           model_name, i, node_kind_name(node.kind), static_cast<long>(in.c), static_cast<long>(in.h),
           static_cast<long>(in.w), static_cast<long>(node.sample.c), static_cast<long>(node.sample.h),
           static_cast<long>(node.sample.w), window, stride);
  }
}

// Runs the steps and products of one model and prints their lines; false on any failure.
bool run_model(const BenchModel& bench, const ExecContext& ctx, int* regions) {
  static Model model(1);
  static Plan plan;
  static Trainer trainer;
  model = bench.build();
  if (!report(model.status(), "model")) return false;
  TrainConfig config;
  config.loss = bench.loss;
  config.optimizer.momentum = 0.9f;
  if (!report(plan_training(model, config, &plan), "plan")) return false;
  print_nodes(bench.name, model);
  if (plan.summary.total_bytes > kMemoryBytes) {
    printf("bench_error plan: %s needs %lu bytes, the block has %lu\n", bench.name,
           static_cast<unsigned long>(plan.summary.total_bytes), static_cast<unsigned long>(kMemoryBytes));
    return false;
  }
  if (!report(trainer.init(model, config, plan, ctx, g_memory, kMemoryBytes), "init")) return false;
  if (!report(trainer.initialize(1), "initialize")) return false;

  const int32_t features = model.input_features();
  if (features > kMaxInput) {
    printf("bench_error input: %s has %ld input values, at most %ld\n", bench.name, static_cast<long>(features),
           static_cast<long>(kMaxInput));
    return false;
  }
  static float x[kMaxInput];
  Rng rng(2);
  for (int32_t i = 0; i < features; ++i) x[i] = rng.uniform_symmetric(1.0f);
  const int32_t label = bench.classes > 0 ? static_cast<int32_t>(rng.below(static_cast<uint32_t>(bench.classes))) : 0;
  const Target target = bench.classes > 0 ? Target::classes(&label) : Target::regression(x);

  float losses[3] = {};
  if (!report(trainer.train_step(x, target, &losses[0]), "warm-up step")) return false;

  RegionLog log{bench.name, &model, &plan, &trainer, *regions, {}};
  const StepProbe probe{region_begin, region_end, &log};
  if (!report(trainer.set_probe(&probe), "probe")) return false;
  const bool probed = report(trainer.train_step(x, target, &losses[1]), "probed step");
  if (!report(trainer.set_probe(nullptr), "probe") || !probed) return false;

  int64_t macs[3];
  step_macs(model, plan, macs);
  const int64_t total = macs[0] + macs[1] + macs[2];
  utrain_region_begin();
  const Status whole = trainer.train_step(x, target, &losses[2]);
  utrain_region_end();
  if (!report(whole, "whole step")) return false;
  printf("bench_step region=%d model=%s node=-1 kind=step phase=train_step macs=%lld kernel=-\n", log.regions++,
         bench.name, static_cast<long long>(total));
  *regions = log.regions;
  if (!run_products(bench.name, model, plan, trainer, ctx, regions)) return false;

  for (int s = 0; s < 3; ++s)
    if (macs[s] != log.macs[s]) {
      printf("bench_error macs: the probed %s steps of %s did %lld MACs, the model %lld\n",
             layer_step_name(static_cast<LayerStep>(s)), bench.name, static_cast<long long>(log.macs[s]),
             static_cast<long long>(macs[s]));
      return false;
    }
  for (float loss : losses)
    if (!isfinite(loss)) {
      printf("bench_error loss: %s's loss is not finite\n", bench.name);
      return false;
    }
  printf("bench_model model=%s members=%d plan_bytes=%lu fw_macs=%lld wg_macs=%lld ig_macs=%lld total_macs=%lld "
         "loss=%.6f\n",
         bench.name, ctx.team->size(), static_cast<unsigned long>(plan.summary.total_bytes),
         static_cast<long long>(macs[0]), static_cast<long long>(macs[1]), static_cast<long long>(macs[2]),
         static_cast<long long>(total), static_cast<double>(losses[2]));
  return true;
}

}  // namespace
}  // namespace utrain

int main(int argc, char** argv) {
  using namespace utrain;
  const char* chosen = UTRAIN_BENCH_MODEL;
  int members = UTRAIN_BENCH_MEMBERS;
  const int options = UTRAIN_BENCH_ON_HOST ? argc : 1;
  for (int i = 1; i < options; ++i) {
    if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      chosen = argv[++i];
    } else if (strcmp(argv[i], "--members") == 0 && i + 1 < argc) {
      members = atoi(argv[++i]);
    } else {
      printf("usage: %s [--model dae|ds_cnn|resnet8|all] [--members N]\n", argv[0]);
      return 2;
    }
  }
  Team& team = device_test::platform_team(members < 1 ? 1 : members);
  if (team.size() != members) {
    printf("bench_error team: asked for %d members, got %d\n", members, team.size());
    return 1;
  }
  const ExecContext ctx{&team, device_test::platform_isas()};
  int regions = 0, ran = 0;
  for (const BenchModel& bench : kModels) {
    if (strcmp(chosen, "all") != 0 && strcmp(chosen, bench.name) != 0) continue;
    ++ran;
    if (!run_model(bench, ctx, &regions)) return 1;
  }
  if (ran == 0) {
    printf("bench_error model: no model named %s\n", chosen);
    return 2;
  }
  return 0;
}
