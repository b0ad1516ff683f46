#include "graph/trainer.h"

#include <string.h>

#include "layers/activation.h"
#include "layers/linear.h"
#include "layers/loss.h"
#include "layers/optimizer.h"

namespace utrain {

namespace {

TensorView batch_view(float* data, int32_t batch, const Shape& sample) {
  return TensorView::dense(data, Shape{batch, sample.c, sample.h, sample.w});
}

bool is_relu_like(Activation a) { return a == Activation::relu || a == Activation::leaky_relu; }

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
  for (auto& node_kernels : kernels_)
    for (const MatMulKernel*& k : node_kernels) k = nullptr;
  steps_ = updates_ = 0;
  return ok_status();
}

float* Trainer::at(const BufferSlot& slot) const {
  return slot.bytes == 0 ? nullptr : reinterpret_cast<float*>(base_ + slot.offset);
}

int Trainer::parameter_count() const {
  int count = 0;
  for (int i = 1; i < model_->node_count(); ++i)
    if (model_->node(i).kind == NodeKind::linear) count += model_->node(i).linear.has_bias ? 2 : 1;
  return count;
}

ParameterView Trainer::parameter(int index) const {
  int seen = 0;
  for (int i = 1; i < model_->node_count(); ++i) {
    const Node& node = model_->node(i);
    if (node.kind != NodeKind::linear) continue;
    if (seen++ == index)
      return ParameterView{i, false, at(plan_->nodes[i].weight),
                           static_cast<size_t>(linear_weight_count(node.linear))};
    if (node.linear.has_bias && seen++ == index)
      return ParameterView{i, true, at(plan_->nodes[i].bias), static_cast<size_t>(node.linear.out_features)};
  }
  return ParameterView{};
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
  for (int p = 0; p < parameter_count(); ++p) {
    const ParameterView v = parameter(p);
    const LinearParams& lp = model_->node(v.node).linear;
    InitKind kind = InitKind::pytorch_bias;
    if (!v.is_bias) {
      kind = InitKind::glorot_uniform;
      for (int j = v.node + 1; j < model_->node_count(); ++j)
        if (model_->node(j).input == v.node && model_->node(j).kind == NodeKind::activation &&
            is_relu_like(model_->node(j).activation.kind))
          kind = InitKind::he_uniform;
    }
    Rng rng(seed, static_cast<uint64_t>(p));
    UT_TRY(init_fill(kind, rng, v.values, v.count, lp.in_features, lp.out_features));
  }
  reset_optimizer();
  return ok_status();
}

Status Trainer::set_kernel(int node, Step step, const MatMulKernel* kernel) {
  UT_CHECK(model_ != nullptr, StatusCode::invalid_argument, "trainer: set_kernel() before init()");
  if (node < 1 || node >= model_->node_count() || model_->node(node).kind != NodeKind::linear)
    return Status::error(StatusCode::invalid_argument, "trainer: set_kernel() needs a Linear node", node, 1);
  kernels_[node][static_cast<int>(step)] = kernel;
  return ok_status();
}

// The Linear's parameters as run: with the following activation fused into its epilogue.
static LinearParams run_params(const Model& m, const Plan& plan, int i) {
  LinearParams p = m.node(i).linear;
  const int act = fused_activation_of(plan, m, i);
  if (act > 0) {
    p.act = m.node(act).activation.kind;
    p.act_slope = m.node(act).activation.slope;
  }
  return p;
}

Status Trainer::forward_pass(const float* input, int32_t batch) {
  for (int i = 1; i < model_->node_count(); ++i) {
    const Node& node = model_->node(i);
    const NodePlan& np = plan_->nodes[i];
    if (np.fused_into_previous) continue;
    const Node& src = model_->node(node.input);
    const float* x_data = node.input == 0 ? input : at(plan_->nodes[node.input].output);
    const TensorView x = batch_view(const_cast<float*>(x_data), batch, src.sample);
    const TensorView y = batch_view(at(np.output), batch, node.sample);
    if (node.kind == NodeKind::linear) {
      UT_TRY(linear_forward(ctx_, run_params(*model_, *plan_, i), x, at(np.weight), at(np.bias), y,
                            kernels_[i][static_cast<int>(Step::forward)]));
    } else {
      UT_TRY(activation_forward(node.activation, x, y));
    }
  }
  return ok_status();
}

Status Trainer::backward_pass(const float* input) {
  const int32_t batch = plan_->batch;
  const bool accumulate = steps_ % config_.accumulate_steps != 0;
  for (int i = model_->node_count() - 1; i >= 1; --i) {
    const Node& node = model_->node(i);
    const NodePlan& np = plan_->nodes[i];
    if (np.fused_into_previous || np.output_grad.bytes == 0) continue;
    const Node& src = model_->node(node.input);
    const float* x_data = node.input == 0 ? input : at(plan_->nodes[node.input].output);
    const TensorView x = batch_view(const_cast<float*>(x_data), batch, src.sample);
    const TensorView y = batch_view(at(np.output), batch, node.sample);
    const TensorView dy = batch_view(at(np.output_grad), batch, node.sample);
    const TensorView dx = batch_view(at(plan_->nodes[node.input].output_grad), batch, src.sample);
    if (node.kind == NodeKind::activation) {
      if (np.needs_input_grad) UT_TRY(activation_backward(node.activation, y, dy, dx));
      continue;
    }
    const LinearParams lp = run_params(*model_, *plan_, i);
    if (lp.act != Activation::none)  // dy -> dz in place, through the fused activation
      UT_TRY(activation_backward(ActivationParams{lp.act, lp.act_slope}, y, dy, dy));
    if (!node.frozen)
      UT_TRY(linear_weight_grad(ctx_, lp, x, dy, at(np.weight_grad), at(np.bias_grad), accumulate,
                                kernels_[i][static_cast<int>(Step::weight_grad)]));
    if (np.needs_input_grad)
      UT_TRY(linear_input_grad(ctx_, lp, dy, at(np.weight), dx, false,
                               kernels_[i][static_cast<int>(Step::input_grad)]));
  }
  return ok_status();
}

Status Trainer::update() {
  const float scale = 1.0f / static_cast<float>(config_.accumulate_steps);
  ++updates_;
  for (int i = 1; i < model_->node_count(); ++i) {
    const Node& node = model_->node(i);
    if (node.kind != NodeKind::linear || node.frozen) continue;
    const NodePlan& np = plan_->nodes[i];
    UT_TRY(optimizer_step(config_.optimizer, updates_, at(np.weight), at(np.weight_grad), at(np.weight_state),
                          np.weight.bytes / sizeof(float), scale));
    if (np.bias.bytes != 0)
      UT_TRY(optimizer_step(config_.optimizer, updates_, at(np.bias), at(np.bias_grad), at(np.bias_state),
                            np.bias.bytes / sizeof(float), scale));
  }
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
  UT_TRY(forward_pass(input, batch));

  const int out = model_->output_node();
  const Shape& sample = model_->node(out).sample;
  const TensorView pred = batch_view(at(plan_->nodes[out].output), batch, sample);
  const TensorView dpred = batch_view(at(plan_->nodes[out].output_grad), batch, sample);
  const TensorView want = batch_view(const_cast<float*>(target.values), batch, sample);
  float value = 0.0f;
  switch (config_.loss) {
    case LossKind::softmax_cross_entropy:
      UT_TRY(softmax_cross_entropy(pred, target.labels, Reduction::mean, &value, dpred));
      break;
    case LossKind::mse: UT_TRY(mse_loss(pred, want, Reduction::mean, &value, dpred)); break;
    case LossKind::l1: UT_TRY(l1_loss(pred, want, Reduction::mean, &value, dpred)); break;
  }
  if (loss != nullptr) *loss = value;

  UT_TRY(backward_pass(input));
  ++steps_;
  if (steps_ % config_.accumulate_steps == 0) UT_TRY(update());
  return ok_status();
}

Status Trainer::forward(const float* input, int32_t batch, const float** output) {
  UT_CHECK(base_ != nullptr, StatusCode::invalid_argument, "trainer: forward() before init()");
  UT_CHECK(input != nullptr && output != nullptr, StatusCode::invalid_argument,
           "trainer: input or output pointer is null");
  if (batch < 1 || batch > plan_->batch)
    return Status::error(StatusCode::invalid_argument, "trainer: forward() batch must be 1 .. the planned batch",
                         batch, plan_->batch);
  UT_TRY(forward_pass(input, batch));
  *output = at(plan_->nodes[model_->output_node()].output);
  return ok_status();
}

}  // namespace utrain
