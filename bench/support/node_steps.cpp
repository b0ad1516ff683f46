#include "bench/support/node_steps.h"

#include <cstdlib>
#include <memory>

#include "bench/support/bench_check.h"
#include "core/arena.h"
#include "bench/support/matmul_operands.h"
#include "core/rng.h"
#include "kernels/conv/conv_flip.h"
#include "kernels/conv/im2col.h"
#include "kernels/mm/matmul.h"
#include "layers/activation.h"
#include "layers/loss.h"
#include "layers/optimizer.h"

namespace utrain::bench {

namespace {

// Floats aligned as the Trainer's arena aligns its buffers, so a step sees the same alignment
// here as inside a training step.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(size_t count) : count_(count) {
    if (count == 0) return;
    const size_t bytes = (count * sizeof(float) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    data_.reset(static_cast<float*>(std::aligned_alloc(kArenaAlignment, bytes)));
    if (!data_) check(Status::error(StatusCode::out_of_memory, "cannot allocate a node buffer"), "allocating");
    for (size_t i = 0; i < count; ++i) data_[i] = 0.0f;
  }
  float* data() const { return data_.get(); }
  size_t size() const { return count_; }
  void fill_random(Rng& rng) {
    for (size_t i = 0; i < count_; ++i) data_[i] = rng.uniform_symmetric(1.0f);
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float[], Free> data_;
  size_t count_ = 0;
};

Shape batch_shape(const Shape& sample, int32_t batch) { return Shape{batch, sample.c, sample.h, sample.w}; }

// Whether the Trainer's gradient of node i for its input `which` adds to a gradient already
// written: it runs the nodes backwards and each node's inputs in order, and the first writer of a
// gradient buffer overwrites it.
bool input_grad_accumulates(const Model& m, const Plan& plan, int i, int which) {
  const Node& node = m.node(i);
  const int owner = grad_owner(plan, m, which == 0 ? node.input : node.second_input);
  for (int j = m.node_count() - 1; j >= i; --j) {
    const NodePlan& np = plan.nodes[j];
    if (!np.runs_backward || (np.aliases_input && np.grad_aliases_input)) continue;
    const int inputs[2] = {m.node(j).input, m.node(j).second_input};
    const bool sends[2] = {np.needs_input_grad, np.needs_second_input_grad};
    for (int k = 0; k < 2; ++k) {
      if (j == i && k == which) return false;
      if (sends[k] && grad_owner(plan, m, inputs[k]) == owner) return true;
    }
  }
  return false;
}

// One node's buffers, in the model's layout: its inputs, output and gradients, parameters,
// running and saved statistics, and scratch for its largest step.
struct NodeBuffers {
  AlignedFloats x, x2, y, dy, dx, dx2, weight, bias, weight_grad, bias_grad, state, saved, workspace;
  NodeTensors tensors;

  NodeBuffers(const Model& m, const Plan& plan, int i, const Node& node) {
    const int32_t batch = plan.batch;
    const Layout layout = m.layout();
    const Shape in = batch_shape(m.node(node.input).sample, batch);
    const Shape out = batch_shape(node.sample, batch);
    Rng rng(1234, static_cast<uint64_t>(i));
    x = AlignedFloats(static_cast<size_t>(in.elements()));
    x.fill_random(rng);
    if (node.second_input >= 0) {
      x2 = AlignedFloats(static_cast<size_t>(out.elements()));
      x2.fill_random(rng);
      dx2 = AlignedFloats(static_cast<size_t>(out.elements()));
    }
    y = AlignedFloats(static_cast<size_t>(out.elements()));
    dy = AlignedFloats(static_cast<size_t>(out.elements()));
    dy.fill_random(rng);
    dx = AlignedFloats(static_cast<size_t>(in.elements()));
    weight = AlignedFloats(static_cast<size_t>(node_weight_count(node)));
    weight.fill_random(rng);
    bias = AlignedFloats(static_cast<size_t>(node_bias_count(node)));
    bias.fill_random(rng);
    weight_grad = AlignedFloats(weight.size());
    bias_grad = AlignedFloats(bias.size());
    // BatchNorm's running mean (zeros), then its running variance (ones).
    state = AlignedFloats(static_cast<size_t>(node_state_floats(node)));
    for (size_t k = state.size() / 2; k < state.size(); ++k) state.data()[k] = 1.0f;
    saved = AlignedFloats(static_cast<size_t>(node_saved_floats(node, batch)));
    size_t scratch = 0;
    for (LayerStep s : {LayerStep::forward, LayerStep::weight_grad, LayerStep::input_grad}) {
      const size_t bytes = node_workspace_bytes(node, s, in, plan.choices[i][static_cast<int>(s)]);
      if (bytes > scratch) scratch = bytes;
    }
    workspace = AlignedFloats((scratch + sizeof(float) - 1) / sizeof(float));

    NodeTensors& t = tensors;
    t.x = TensorView::dense(x.data(), in, layout);
    if (node.second_input >= 0) {
      t.x2 = TensorView::dense(x2.data(), out, layout);
      t.dx2 = TensorView::dense(dx2.data(), out, layout);
    }
    t.y = TensorView::dense(y.data(), out, layout);
    t.dy = TensorView::dense(dy.data(), out, layout);
    t.dx = TensorView::dense(dx.data(), in, layout);
    t.weight = weight.data(), t.bias = bias.data();
    t.weight_grad = node.bias_only ? nullptr : weight_grad.data();
    t.bias_grad = bias_grad.data();
    t.state = state.data(), t.saved = saved.data();
    t.workspace = Workspace{workspace.data(), workspace.size() * sizeof(float)};
  }
};

// Samples of at least 20 µs keep the clock's own cost out of sub-microsecond steps.
template <class Work>
TimingSummary time_step(Work&& work, int repetitions) {
  const int calls = calls_for_sample(work, 20.0);
  return time_repeated(work, calls, repetitions, calls);
}

// The gather (or, for the input gradient, the scatter) and the product of a lowered convolution
// step, each alone; the scatter adds or overwrites as the step does. A flipped input gradient's
// gather is the rotation of the weight and the gather of dz (layers/conv_steps.cpp's order of
// the workspace: lowered dz, then the rotated weight).
void time_lowered_parts(const ExecContext& ctx, const Node& node, LayerStep step, const StepChoice& choice,
                        const NodeBuffers& b, bool accumulate, int repetitions, StepTiming* s) {
  const Shape in = b.tensors.x.shape, out = b.tensors.y.shape;
  if (node.kind != NodeKind::conv2d) return;
  const ConvAlgorithm algorithm = conv2d_algorithm(step, node.conv, in, choice.algorithm);
  if (algorithm != ConvAlgorithm::lowered && algorithm != ConvAlgorithm::flipped) return;
  const ConvShape cs{node.conv.layout, in.n, in.c, in.h, in.w, node.conv.out_channels, out.h, out.w, node.conv.window};
  const bool chw = cs.layout == Layout::chw;
  float* lowered = b.workspace.data();
  const ConvShape flipped = flipped_conv_shape(cs);
  s->gather = time_step(
      [&] {
        if (algorithm == ConvAlgorithm::flipped) {
          check(flip_conv_weight(*ctx.team, cs, b.weight.data(), lowered + conv_lowered_floats(flipped)),
                "timing a weight rotation");
          check(chw ? im2col(*ctx.team, flipped, b.dy.data(), lowered) : im2row(*ctx.team, flipped, b.dy.data(), lowered),
                "timing a gather");
        } else if (step == LayerStep::input_grad)
          check(chw ? col2im(*ctx.team, cs, lowered, b.dx.data(), accumulate)
                    : row2im(*ctx.team, cs, lowered, b.dx.data(), accumulate),
                "timing a scatter");
        else
          check(chw ? im2col(*ctx.team, cs, b.x.data(), lowered) : im2row(*ctx.team, cs, b.x.data(), lowered),
                "timing a gather");
      },
      repetitions);
  MatMulArgs p;
  step_product(node, step, in, out, choice, &p);
  const MatMulOperands operands(&p);
  s->product = time_step([&] { check(matmul(ctx, p, choice.matmul), "timing a product"); }, repetitions);
  s->has_parts = true;
}

void time_node(const Model& m, const TrainConfig& config, const Plan& plan, const ExecContext& ctx, int i,
               int repetitions, NodeTimings* result) {
  const NodePlan& np = plan.nodes[i];
  const Node node = node_as_run(plan, m, i);
  NodeBuffers buffers(m, plan, i, node);
  const NodeTensors& t = buffers.tensors;
  const Shape in = t.x.shape, out = t.y.shape;
  const int64_t macs = node_step_macs(node, m.node(node.input).sample) * plan.batch;
  auto add_step = [&](LayerStep step, const char* name, int64_t step_macs, bool accumulate, auto&& work) {
    work();  // also fills what later steps read: y and the saved statistics
    const StepChoice& choice = plan.choices[i][static_cast<int>(step)];
    StepTiming s;
    s.step = name;
    s.time = time_step(work, repetitions);
    s.macs = step_macs;
    // A weight gradient its update forms (weight_update_from_outer) runs the bias's gradient
    // alone here, with no product: no kernel is named beside it.
    if (step != LayerStep::weight_grad || !np.weight_update_from_outer)
      s.kernel = step_kernel(ctx, node, step, in, out, choice);
    time_lowered_parts(ctx, node, step, choice, buffers, accumulate, repetitions, &s);
    result->steps.push_back(s);
  };

  if (!np.aliases_input) {
    const StepChoice& choice = plan.choices[i][static_cast<int>(LayerStep::forward)];
    add_step(LayerStep::forward, "fw", macs, false,
             [&] { check(node_forward(ctx, node, true, t, choice), "timing a forward step"); });
  }
  if (!np.runs_backward || (np.aliases_input && np.grad_aliases_input)) return;
  const int fused = fused_activation_of(plan, m, i);
  if (fused > 0) {
    const ActivationParams& act = m.node(fused).activation;
    StepTiming s;
    s.step = "act_bw";
    s.time = time_step([&] { check(activation_backward(ctx, act, t.y, t.dy, t.dy), "timing an activation backward"); },
                       repetitions);
    result->steps.push_back(s);
  }
  // A batch-1 Linear layer's weight gradient is formed by its update (NodePlan::weight_update_from_outer),
  // so, as the trainer runs it, its weight-gradient step is the bias's gradient alone.
  const bool outer = np.weight_update_from_outer;
  if (trains_parameters(node) && !(outer && node_bias_count(node) == 0)) {
    const StepChoice& choice = plan.choices[i][static_cast<int>(LayerStep::weight_grad)];
    NodeTensors wt = t;
    if (outer) wt.weight_grad = nullptr;
    add_step(LayerStep::weight_grad, "wg", node.bias_only || outer ? 0 : macs, false,
             [&] { check(node_weight_grad(ctx, node, wt, false, choice), "timing a weight-gradient step"); });
  }
  if (np.needs_input_grad || np.needs_second_input_grad) {
    const StepChoice& choice = plan.choices[i][static_cast<int>(LayerStep::input_grad)];
    const bool sends[2] = {np.needs_input_grad, np.needs_second_input_grad};
    const bool accumulate[2] = {input_grad_accumulates(m, plan, i, 0),
                                np.needs_second_input_grad && input_grad_accumulates(m, plan, i, 1)};
    add_step(LayerStep::input_grad, "ig", np.needs_input_grad ? macs : 0, accumulate[0], [&] {
      for (int k = 0; k < 2; ++k)
        if (sends[k])
          check(node_input_grad(ctx, node, true, t, k, accumulate[k], choice), "timing an input-gradient step");
    });
  }

  const size_t weights = outer ? static_cast<size_t>(node_weight_count(node)) : np.weight_grad.bytes / sizeof(float);
  const size_t biases = np.bias_grad.bytes / sizeof(float);
  if (weights == 0 && biases == 0) return;
  OptimizerConfig opt = config.optimizer;
  opt.lr = 1e-6f;  // keeps the parameters finite over many timed updates; the cost is the same
  AlignedFloats weight_state(optimizer_state_floats(opt, weights));
  AlignedFloats bias_state(optimizer_state_floats(opt, biases));
  result->has_update = true;
  result->parameters = static_cast<int64_t>(weights + biases);
  // Step 2 onwards is the steady state (SGD's step 1 only copies the gradient into the momentum).
  result->update = time_step(
      [&] {
        if (outer)  // with its weight gradient, dz ⊗ x
          check(optimizer_step_outer(ctx, opt, 2, buffers.weight.data(), t.dy.f32(), t.x.f32(),
                                     node.linear.out_features, node.linear.in_features, weight_state.data()),
                "timing an update");
        else if (weights != 0)
          check(optimizer_step(ctx, opt, 2, buffers.weight.data(), buffers.weight_grad.data(), weight_state.data(),
                               weights),
                "timing an update");
        if (biases != 0)
          check(optimizer_step(ctx, opt, 2, buffers.bias.data(), buffers.bias_grad.data(), bias_state.data(), biases),
                "timing an update");
      },
      repetitions);
}

std::string shape_text(const Shape& s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

std::string window_text(const Window2d& w) {
  std::string text = "k" + std::to_string(w.kernel_h) + "x" + std::to_string(w.kernel_w);
  if (w.stride_h != 1 || w.stride_w != 1) text += " s" + std::to_string(w.stride_h);
  return text;
}

nlohmann::json shape_json(const Shape& s) { return {s.c, s.h, s.w}; }

}  // namespace

StepMacs planned_step_macs(const Model& model, const Plan& plan) {
  StepMacs macs;
  for (int i = 1; i < model.node_count(); ++i) {
    const Node& node = model.node(i);
    const int64_t step = node_step_macs(node, model.node(node.input).sample) * plan.batch;
    macs.forward += step;
    if (plan.nodes[i].runs_backward && trains_parameters(node) && !node.bias_only) macs.weight_grad += step;
    if (plan.nodes[i].runs_backward && plan.nodes[i].needs_input_grad) macs.input_grad += step;
  }
  return macs;
}

std::vector<NodeTimings> time_node_steps(const Model& model, const TrainConfig& config, const Plan& plan,
                                         const ExecContext& ctx, int repetitions) {
  std::vector<NodeTimings> nodes;
  for (int i = 1; i < model.node_count(); ++i) {
    if (plan.nodes[i].fused_into_previous) continue;  // runs inside its producer's steps
    NodeTimings result;
    result.node = i;
    time_node(model, config, plan, ctx, i, repetitions, &result);
    if (!result.steps.empty()) nodes.push_back(result);
  }
  return nodes;
}

TimingSummary time_loss(const Model& model, const TrainConfig& config, const Plan& plan, int repetitions) {
  const Shape out = batch_shape(model.node(model.output_node()).sample, plan.batch);
  Rng rng(99);
  AlignedFloats pred(static_cast<size_t>(out.elements())), target(pred.size()), grad(pred.size());
  pred.fill_random(rng);
  target.fill_random(rng);
  const std::vector<int32_t> labels(static_cast<size_t>(plan.batch), 0);
  const TensorView p = TensorView::dense(pred.data(), out, model.layout());
  const TensorView want = TensorView::dense(target.data(), out, model.layout());
  const TensorView dp = TensorView::dense(grad.data(), out, model.layout());
  float value = 0.0f;
  return time_step(
      [&] {
        switch (config.loss) {
          case LossKind::softmax_cross_entropy:
            check(softmax_cross_entropy(p, labels.data(), Reduction::mean, &value, dp), "timing the loss");
            break;
          case LossKind::mse: check(mse_loss(p, want, Reduction::mean, &value, dp), "timing the loss"); break;
          case LossKind::l1: check(l1_loss(p, want, Reduction::mean, &value, dp), "timing the loss"); break;
        }
      },
      repetitions);
}

std::string node_label(const Model& model, int i) {
  const Node& node = model.node(i);
  const Shape& in = model.node(node.input).sample;
  const std::string from = shape_text(in), to = shape_text(node.sample);
  switch (node.kind) {
    case NodeKind::linear:
      return "linear " + std::to_string(node.linear.in_features) + " -> " + std::to_string(node.linear.out_features);
    case NodeKind::conv2d: return "conv2d " + from + " -> " + to + " " + window_text(node.conv.window);
    case NodeKind::depthwise_conv2d:
      return "depthwise_conv2d " + from + " -> " + to + " " + window_text(node.depthwise.window);
    case NodeKind::activation: return std::string(activation_name(node.activation.kind)) + " " + to;
    case NodeKind::global_avg_pool: return "global_avg_pool " + from + " -> " + to;
    default: return std::string(node_kind_name(node.kind)) + " " + to;
  }
}

nlohmann::json to_json(const Model& model, const std::vector<NodeTimings>& nodes, double* total_median_us) {
  nlohmann::json out = nlohmann::json::array();
  *total_median_us = 0.0;
  for (const NodeTimings& n : nodes) {
    const Node& node = model.node(n.node);
    nlohmann::json entry = {{"node", n.node},
                            {"kind", node_kind_name(node.kind)},
                            {"label", node_label(model, n.node)},
                            {"input", shape_json(model.node(node.input).sample)},
                            {"output", shape_json(node.sample)}};
    for (const StepTiming& s : n.steps) {
      nlohmann::json step = {{"median_us", s.time.median_us}, {"min_us", s.time.min_us}, {"macs", s.macs}};
      if (s.macs > 0) step["macs_per_second"] = static_cast<double>(s.macs) / (s.time.median_us * 1e-6);
      if (!s.kernel.algorithm.empty()) step["algorithm"] = s.kernel.algorithm;
      if (!s.kernel.kernel.empty()) step["kernel"] = s.kernel.kernel;
      if (s.has_parts) {
        step["gather_us"] = s.gather.median_us;
        step["product_us"] = s.product.median_us;
        step["product_macs_per_second"] = static_cast<double>(s.macs) / (s.product.median_us * 1e-6);
      }
      entry[s.step] = step;
      *total_median_us += s.time.median_us;
    }
    if (n.has_update) {
      entry["update"] = {{"median_us", n.update.median_us}, {"min_us", n.update.min_us}, {"parameters", n.parameters}};
      *total_median_us += n.update.median_us;
    }
    out.push_back(entry);
  }
  return out;
}

}  // namespace utrain::bench
