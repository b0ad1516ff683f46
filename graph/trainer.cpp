#include "graph/trainer.h"

#include <string.h>

#include "graph/step_kernel.h"
#include "kernels/mm/matmul.h"
#include "layers/activation.h"
#include "layers/loss.h"
#include "layers/optimizer.h"

namespace utrain {

namespace {

bool is_relu_like(const Node& node) {
  return node.kind == NodeKind::activation &&
         (node.activation.kind == Activation::relu || node.activation.kind == Activation::leaky_relu);
}

// The first node reading node i, or -1.
int first_reader(const Model& m, int i) {
  for (int j = i + 1; j < m.node_count(); ++j)
    if (m.node(j).input == i || m.node(j).second_input == i) return j;
  return -1;
}

// Node i's output reaches a ReLU or LeakyReLU: its reader is one, or its reader is a norm layer
// whose reader is one.
bool relu_follows(const Model& m, int i) {
  int reader = first_reader(m, i);
  if (reader > 0 && node_is_norm(m.node(reader).kind)) reader = first_reader(m, reader);
  return reader > 0 && is_relu_like(m.node(reader));
}

}  // namespace

Status Trainer::init(const Model& model, const TrainConfig& config, const Plan& plan,
                     const ExecContext& ctx, void* memory, size_t bytes) {
  UT_TRY(model.status());
  UT_CHECK(ctx.team != nullptr, StatusCode::invalid_argument, "trainer: the context has no team");
  UT_CHECK(memory != nullptr, StatusCode::invalid_argument, "trainer: memory is null");
  if (bytes < plan.summary.total_bytes)
    return Status::error(StatusCode::out_of_memory, "trainer: memory is smaller than the plan's total",
                         static_cast<int64_t>(bytes), static_cast<int64_t>(plan.summary.total_bytes));
  if (plan.training && plan.batch != config.batch)
    return Status::error(StatusCode::invalid_argument, "trainer: the plan was made for another batch size",
                         config.batch, plan.batch);
  model_ = &model;
  config_ = config;
  plan_ = &plan;
  ctx_ = ctx;
  arena_ = Arena(memory, bytes);
  // One allocation holds the whole plan; its offsets are relative to this aligned base.
  const size_t layout = plan.summary.total_bytes - (kArenaAlignment - 1);
  base_ = static_cast<uint8_t*>(arena_.allocate(layout, kArenaAlignment));
  UT_CHECK(base_ != nullptr, StatusCode::out_of_memory, "trainer: the plan does not fit the memory");
  memset(base_, 0, layout);
  for (int i = 0; i < Model::kMaxNodes; ++i)
    for (int s = 0; s < 3; ++s) choices_[i][s] = plan.choices[i][s];
  choose_default_kernels();
  steps_ = updates_ = 0;
  return ok_status();
}

Shape Trainer::planned_shape(int i) const {
  const Shape& s = model_->node(i).sample;
  return Shape{plan_->batch, s.c, s.h, s.w};
}

void Trainer::choose_default_kernels() {
  for (int i = 1; i < model_->node_count(); ++i) {
    for (int s = 0; s < 3; ++s) {
      StepChoice& choice = choices_[i][s];
      MatMulArgs product;
      if (choice.matmul != nullptr || !step_product(run_node(i), static_cast<LayerStep>(s),
                                                    planned_shape(model_->node(i).input), planned_shape(i),
                                                    choice, &product))
        continue;
      choice.matmul = &default_matmul_kernel(normalize_matmul(product), ctx_.team->size(), ctx_.isas);
    }
  }
}

float* Trainer::at(const BufferSlot& slot) const {
  return slot.bytes == 0 ? nullptr : reinterpret_cast<float*>(base_ + slot.offset);
}

int Trainer::parameter_count() const {
  int count = 0;
  while (parameter(count).values != nullptr) ++count;
  return count;
}

ParameterView Trainer::parameter(int index) const {
  int seen = 0;
  for (int i = 1; i < model_->node_count(); ++i) {
    const Node& node = model_->node(i);
    const NodePlan& np = plan_->nodes[i];
    const size_t state = static_cast<size_t>(node_state_floats(node)) / 2;
    const ParameterView views[] = {
        {i, ParamRole::weight, at(np.weight), static_cast<size_t>(node_weight_count(node))},
        {i, ParamRole::bias, at(np.bias), static_cast<size_t>(node_bias_count(node))},
        {i, ParamRole::running_mean, at(np.running), state},
        {i, ParamRole::running_var, state == 0 ? nullptr : at(np.running) + state, state},
    };
    for (const ParameterView& v : views)
      if (v.count != 0 && seen++ == index) return v;
  }
  return ParameterView{};
}

ParameterView Trainer::gradient(int index) const {
  ParameterView v = parameter(index);
  if (v.values == nullptr || plan_->update_in_backward) return ParameterView{v.node, v.role, nullptr, v.count};
  const NodePlan& np = plan_->nodes[v.node];
  v.values = v.role == ParamRole::weight ? at(np.weight_grad) : v.role == ParamRole::bias ? at(np.bias_grad) : nullptr;
  return v;
}

void Trainer::reset_optimizer() {
  for (int i = 1; i < model_->node_count(); ++i) {
    const NodePlan& np = plan_->nodes[i];
    const BufferSlot* slots[] = {&np.weight_grad, &np.bias_grad, &np.weight_state, &np.bias_state};
    for (const BufferSlot* s : slots)
      if (s->bytes != 0) memset(at(*s), 0, s->bytes);
  }
  steps_ = updates_ = 0;
}

Status Trainer::initialize(uint64_t seed) {
  UT_CHECK(base_ != nullptr, StatusCode::invalid_argument, "trainer: initialize() before init()");
  const int count = parameter_count();
  for (int p = 0; p < count; ++p) {
    const ParameterView v = parameter(p);
    const Node& node = model_->node(v.node);
    WeightInit init;
    switch (v.role) {
      case ParamRole::weight: init = node_weight_init(node, relu_follows(*model_, v.node)); break;
      case ParamRole::bias: init = node_bias_init(node); break;
      case ParamRole::running_mean: init.kind = InitKind::zeros; break;
      case ParamRole::running_var: init.kind = InitKind::ones; break;
    }
    Rng rng(seed, static_cast<uint64_t>(p));
    UT_TRY(init_fill(init.kind, rng, v.values, v.count, init.fan_in, init.fan_out));
  }
  reset_optimizer();
  return ok_status();
}

Status Trainer::set_kernel(int node, LayerStep step, const MatMulKernel* kernel) {
  UT_CHECK(model_ != nullptr, StatusCode::invalid_argument, "trainer: set_kernel() before init()");
  const NodeKind k = node >= 1 && node < model_->node_count() ? model_->node(node).kind : NodeKind::input;
  if (k != NodeKind::linear && k != NodeKind::conv2d && k != NodeKind::conv_transpose2d)
    return Status::error(StatusCode::invalid_argument,
                         "trainer: a matrix-multiply kernel needs a Linear or convolution node", node, 1);
  choices_[node][static_cast<int>(step)].matmul = kernel;
  return ok_status();
}

Status Trainer::set_kernel(int node, LayerStep step, const DepthwiseKernel* kernel) {
  UT_CHECK(model_ != nullptr, StatusCode::invalid_argument, "trainer: set_kernel() before init()");
  if (node < 1 || node >= model_->node_count() || model_->node(node).kind != NodeKind::depthwise_conv2d)
    return Status::error(StatusCode::invalid_argument, "trainer: a depthwise kernel needs a depthwise node", node, 1);
  choices_[node][static_cast<int>(step)].depthwise = kernel;
  return ok_status();
}

Status Trainer::set_probe(const StepProbe* probe) {
  if (probe != nullptr && (probe->begin == nullptr || probe->end == nullptr))
    return Status::error(StatusCode::invalid_argument, "trainer: a probe needs both begin and end");
  probe_ = probe != nullptr ? *probe : StepProbe{};
  return ok_status();
}

template <typename Part>
Status Trainer::probed(int node, TrainPhase phase, Part part) {
  if (probe_.begin == nullptr) return part();
  probe_.begin(probe_.user, node, phase);
  const Status status = part();
  probe_.end(probe_.user, node, phase);
  return status;
}

const char* Trainer::kernel_name(int node, LayerStep step) const {
  if (model_ == nullptr || node < 1 || node >= model_->node_count()) return nullptr;
  return step_kernel_name(ctx_, run_node(node), step, planned_shape(model_->node(node).input), planned_shape(node),
                          choices_[node][static_cast<int>(step)]);
}

Node Trainer::run_node(int i) const { return node_as_run(*plan_, *model_, i); }

TensorView Trainer::output_view(int i, const float* input, int32_t batch) const {
  const Shape& s = model_->node(i).sample;
  const int owner = output_owner(*plan_, *model_, i);
  const float* data = owner == 0 ? input : at(plan_->nodes[owner].output);
  return TensorView::dense(data, Shape{batch, s.c, s.h, s.w}, model_->layout());
}

TensorView Trainer::grad_view(int i, int32_t batch) const {
  const Shape& s = model_->node(i).sample;
  return TensorView::dense(at(plan_->nodes[i].output_grad), Shape{batch, s.c, s.h, s.w}, model_->layout());
}

NodeTensors Trainer::tensors(int i, const float* input, int32_t batch, bool backward) const {
  const Node& node = model_->node(i);
  const NodePlan& np = plan_->nodes[i];
  NodeTensors t;
  t.x = output_view(node.input, input, batch);
  if (node.second_input >= 0) t.x2 = output_view(node.second_input, input, batch);
  t.y = output_view(i, input, batch);
  t.weight = at(np.weight), t.bias = at(np.bias), t.state = at(np.running), t.saved = at(np.saved);
  t.workspace = backward ? Workspace{at(np.backward_workspace), np.backward_workspace.bytes}
                         : Workspace{at(np.workspace), np.workspace.bytes};
  if (backward) {
    t.dy = grad_view(i, batch);
    if (np.needs_input_grad) t.dx = grad_view(node.input, batch);
    if (np.needs_second_input_grad) t.dx2 = grad_view(node.second_input, batch);
    t.weight_grad = at(np.weight_grad), t.bias_grad = at(np.bias_grad);
  }
  return t;
}

Status Trainer::forward_pass(const float* input, int32_t batch, bool training) {
  for (int i = 1; i < model_->node_count(); ++i) {
    const NodePlan& np = plan_->nodes[i];
    if (np.fused_into_previous || np.aliases_input) continue;
    UT_TRY(probed(i, TrainPhase::forward, [&] {
      // The kernels chosen at init() are for the planned batch; another batch chooses per call.
      const StepChoice& choice = (batch == plan_->batch ? choices_ : plan_->choices)[i][static_cast<int>(LayerStep::forward)];
      return node_forward(ctx_, run_node(i), training, tensors(i, input, batch, false), choice);
    }));
  }
  return ok_status();
}

Status Trainer::backward_pass(const float* input) {
  const int32_t batch = plan_->batch;
  const bool accumulate = steps_ % config_.accumulate_steps != 0;
  // Whether a gradient buffer (by owner) already holds a contribution this step: the first
  // writer overwrites, later ones (other readers of the same output) add.
  bool written[Model::kMaxNodes] = {};
  for (int i = model_->node_count() - 1; i >= 1; --i) {
    const NodePlan& np = plan_->nodes[i];
    if (!np.runs_backward || (np.aliases_input && np.grad_aliases_input)) continue;
    const Node node = run_node(i);
    NodeTensors t = tensors(i, input, batch, true);
    const int fused = fused_activation_of(*plan_, *model_, i);
    if (fused > 0)  // dy -> dz in place, through the fused activation
      UT_TRY(probed(i, TrainPhase::activation_backward,
                    [&] { return activation_backward(ctx_, model_->node(fused).activation, t.y, t.dy, t.dy); }));
    // A bias-only layer's weight, and one updated from its outer-product gradient, have no
    // gradient buffer (t.weight_grad is null), so the step computes the bias gradient alone, if
    // there is a bias.
    if (trains_parameters(node) && (t.weight_grad != nullptr || t.bias_grad != nullptr)) {
      UT_TRY(probed(i, TrainPhase::weight_grad, [&] {
        return node_weight_grad(ctx_, node, t, accumulate, choices_[i][static_cast<int>(LayerStep::weight_grad)]);
      }));
      t.fresh_param_grads = !accumulate && !node.bias_only && t.weight_grad != nullptr && t.bias_grad != nullptr;
    }
    if (np.needs_input_grad || np.needs_second_input_grad)
      UT_TRY(probed(i, TrainPhase::input_grad, [&] { return input_grads(i, node, t, written); }));
    if (plan_->update_in_backward) UT_TRY(update_node(i, &t));  // after the input gradient read the weights
  }
  return ok_status();
}

Status Trainer::input_grads(int i, const Node& node, const NodeTensors& t, bool* written) {
  const NodePlan& np = plan_->nodes[i];
  const int inputs[2] = {node.input, node.second_input};
  const bool sends[2] = {np.needs_input_grad, np.needs_second_input_grad};
  for (int k = 0; k < 2; ++k) {
    if (!sends[k]) continue;
    const int owner = grad_owner(*plan_, *model_, inputs[k]);
    UT_TRY(node_input_grad(ctx_, node, true, t, k, written[owner],
                           choices_[i][static_cast<int>(LayerStep::input_grad)]));
    written[owner] = true;
  }
  return ok_status();
}

Status Trainer::update_node(int i, const NodeTensors* t) {
  const float scale = 1.0f / static_cast<float>(config_.accumulate_steps);
  const NodePlan& np = plan_->nodes[i];
  if (np.weight_grad.bytes == 0 && np.bias_grad.bytes == 0 && !np.weight_update_from_outer) return ok_status();
  return probed(i, TrainPhase::update, [&] {
    if (np.weight_update_from_outer) {  // dW = dzᵀ·x for the one sample: dz[out] ⊗ x[in]
      UT_CHECK(t != nullptr, StatusCode::invalid_argument, "trainer: an outer-product update runs inside the backward step");
      const LinearParams& lp = model_->node(i).linear;
      UT_TRY(optimizer_step_outer(ctx_, config_.optimizer, updates_, at(np.weight), t->dy.f32(), t->x.f32(),
                                  lp.out_features, lp.in_features, at(np.weight_state), scale));
    }
    if (np.weight_grad.bytes != 0)
      UT_TRY(optimizer_step(ctx_, config_.optimizer, updates_, at(np.weight), at(np.weight_grad), at(np.weight_state),
                            np.weight_grad.bytes / sizeof(float), scale));
    if (np.bias_grad.bytes != 0)
      UT_TRY(optimizer_step(ctx_, config_.optimizer, updates_, at(np.bias), at(np.bias_grad), at(np.bias_state),
                            np.bias_grad.bytes / sizeof(float), scale));
    return ok_status();
  });
}

Status Trainer::update() {
  for (int i = 1; i < model_->node_count(); ++i) UT_TRY(update_node(i));
  return ok_status();
}

Status Trainer::train_step(const float* input, Target target, float* loss) {
  UT_CHECK(base_ != nullptr, StatusCode::invalid_argument, "trainer: train_step() before init()");
  UT_CHECK(plan_->training, StatusCode::invalid_argument, "trainer: the plan is an inference plan");
  UT_CHECK(input != nullptr, StatusCode::invalid_argument, "trainer: input is null");
  const bool classes = config_.loss == LossKind::softmax_cross_entropy;
  UT_CHECK(classes ? target.labels != nullptr : target.values != nullptr, StatusCode::invalid_argument,
           classes ? "trainer: cross-entropy needs class labels" : "trainer: this loss needs target values");
  const int32_t batch = plan_->batch;
  UT_TRY(forward_pass(input, batch, true));

  const int out = model_->output_node();
  const TensorView pred = output_view(out, input, batch);
  const TensorView dpred = grad_view(out, batch);
  TensorView want = pred;
  want.data = const_cast<float*>(target.values);
  float value = 0.0f;
  UT_TRY(probed(out, TrainPhase::loss, [&] {
    switch (config_.loss) {
      case LossKind::softmax_cross_entropy:
        return softmax_cross_entropy(pred, target.labels, Reduction::mean, &value, dpred);
      case LossKind::mse: return mse_loss(pred, want, Reduction::mean, &value, dpred);
      case LossKind::l1: return l1_loss(pred, want, Reduction::mean, &value, dpred);
    }
    return ok_status();
  }));
  if (loss != nullptr) *loss = value;

  const bool updates = (steps_ + 1) % config_.accumulate_steps == 0;
  if (updates) ++updates_;  // the step count Adam's bias correction sees
  UT_TRY(backward_pass(input));
  ++steps_;
  if (updates && !plan_->update_in_backward) UT_TRY(update());
  return ok_status();
}

Status Trainer::forward(const float* input, int32_t batch, const float** output) {
  UT_CHECK(base_ != nullptr, StatusCode::invalid_argument, "trainer: forward() before init()");
  UT_CHECK(input != nullptr && output != nullptr, StatusCode::invalid_argument,
           "trainer: input or output pointer is null");
  if (batch < 1 || batch > plan_->batch)
    return Status::error(StatusCode::invalid_argument, "trainer: forward() batch must be 1 .. the planned batch",
                         batch, plan_->batch);
  UT_TRY(forward_pass(input, batch, false));
  *output = output_view(model_->output_node(), input, batch).f32();
  return ok_status();
}

}  // namespace utrain
