#include "graph/plan.h"

#include "core/arena.h"
#include "graph/lifetime_allocator.h"

namespace utrain {

namespace {

// Step times: forward of node i at i, the loss at N, backward of node i at 2N - i (so the last
// node's backward comes first), the update at 2N.
struct Timeline {
  int32_t nodes;
  int32_t forward(int i) const { return i; }
  int32_t loss() const { return nodes; }
  int32_t backward(int i) const { return 2 * nodes - i; }
  int32_t end() const { return 2 * nodes; }
};

bool is_fusable_activation(const Model& m, int i) {
  const Node& node = m.node(i);
  if (node.kind != NodeKind::activation || node.input < 1) return false;
  if (m.node(node.input).kind != NodeKind::linear) return false;
  for (int j = 1; j < m.node_count(); ++j)  // the Linear's output must have no other reader
    if (j != i && m.node(j).input == node.input) return false;
  return true;
}

}  // namespace

int fused_activation_of(const Plan& plan, const Model& m, int i) {
  for (int j = i + 1; j < m.node_count(); ++j)
    if (plan.nodes[j].fused_into_previous && m.node(j).input == i) return j;
  return -1;
}

namespace {

// The node whose output buffer holds node i's output (a fused activation shares its Linear's).
int owner(const Plan& plan, const Model& m, int i) {
  return plan.nodes[i].fused_into_previous ? m.node(i).input : i;
}

bool trains_own_parameters(const Node& node) { return node.kind == NodeKind::linear && !node.frozen; }

// Adds a fixed-lifetime buffer (parameters, gradients, optimizer state) after `*end`.
void place_permanent(BufferSlot* slot, size_t bytes, size_t* end) {
  if (bytes == 0) return;
  slot->offset = arena_bytes_after(*end, 0);
  slot->bytes = bytes;
  *end = slot->offset + bytes;
}

Status plan_model(const Model& m, int32_t batch, const TrainConfig* training, Plan* plan) {
  UT_CHECK(plan != nullptr, StatusCode::invalid_argument, "plan: the plan pointer is null");
  UT_TRY(m.status());
  UT_CHECK(m.node_count() >= 2, StatusCode::invalid_argument, "plan: the model has no layers");
  if (batch < 1) return Status::error(StatusCode::invalid_argument, "plan: batch must be at least 1", batch, 1);
  *plan = Plan{};
  plan->training = training != nullptr;
  plan->batch = batch;
  const int n = m.node_count();
  const Timeline t{n};

  // Which nodes fuse, which must send a gradient to their input.
  bool upstream_trainable[Model::kMaxNodes] = {};
  for (int i = 1; i < n; ++i) {
    const Node& node = m.node(i);
    plan->nodes[i].fused_into_previous = is_fusable_activation(m, i);
    upstream_trainable[i] = trains_own_parameters(node) || upstream_trainable[node.input];
    plan->nodes[i].needs_input_grad = plan->training && upstream_trainable[node.input];
  }

  // Parameters, their gradients and optimizer state live for the whole run.
  size_t end = 0;
  PlanSummary& sum = plan->summary;
  for (int i = 1; i < n; ++i) {
    const Node& node = m.node(i);
    if (node.kind != NodeKind::linear) continue;
    NodePlan& np = plan->nodes[i];
    const size_t w = static_cast<size_t>(linear_weight_count(node.linear)) * sizeof(float);
    const size_t b = static_cast<size_t>(linear_bias_count(node.linear)) * sizeof(float);
    place_permanent(&np.weight, w, &end);
    place_permanent(&np.bias, b, &end);
    sum.parameters += w + b;
    if (!plan->training || node.frozen) continue;
    place_permanent(&np.weight_grad, w, &end);
    place_permanent(&np.bias_grad, b, &end);
    sum.gradients += w + b;
    const size_t ws = optimizer_state_floats(training->optimizer, w / sizeof(float)) * sizeof(float);
    const size_t bs = optimizer_state_floats(training->optimizer, b / sizeof(float)) * sizeof(float);
    place_permanent(&np.weight_state, ws, &end);
    place_permanent(&np.bias_state, bs, &end);
    sum.optimizer_state += ws + bs;
  }

  // Lifetimes of activations and of the gradients flowing back.
  int32_t out_first[Model::kMaxNodes], out_last[Model::kMaxNodes];
  int32_t grad_first[Model::kMaxNodes], grad_last[Model::kMaxNodes];
  for (int i = 0; i < n; ++i) out_first[i] = out_last[i] = grad_first[i] = grad_last[i] = -1;
  auto use_output = [&](int i, int32_t time) {
    if (time > out_last[i]) out_last[i] = time;
  };
  for (int i = 1; i < n; ++i) {
    if (plan->nodes[i].fused_into_previous) continue;
    const Node& node = m.node(i);
    out_first[i] = t.forward(i);
    use_output(i, t.forward(i));
    const int in = owner(*plan, m, node.input);
    if (in > 0) use_output(in, t.forward(i));
    if (!plan->training) continue;
    const bool runs_backward = upstream_trainable[i];
    // Linear's weight gradient reads its input; an activation (fused or not) reads its output.
    if (trains_own_parameters(node) && in > 0) use_output(in, t.backward(i));
    const bool has_fused_act = fused_activation_of(*plan, m, i) > 0;
    if (runs_backward && (node.kind == NodeKind::activation || has_fused_act)) use_output(i, t.backward(i));
    if (runs_backward) {
      grad_last[i] = t.backward(i);
      if (in > 0 && plan->nodes[i].needs_input_grad && (grad_first[in] < 0 || t.backward(i) < grad_first[in]))
        grad_first[in] = t.backward(i);
    }
  }
  const int out = owner(*plan, m, m.output_node());
  use_output(out, plan->training ? t.loss() : t.end());
  if (plan->training && upstream_trainable[out]) grad_first[out] = t.loss();

  LifetimeRequest requests[kMaxLifetimeRequests];
  BufferSlot* slots[kMaxLifetimeRequests];
  int count = 0;
  for (int i = 1; i < n; ++i) {
    if (out_first[i] < 0) continue;
    const size_t bytes = static_cast<size_t>(batch) * static_cast<size_t>(m.node(i).sample.per_sample()) * sizeof(float);
    requests[count] = LifetimeRequest{bytes, out_first[i], out_last[i], 0};
    slots[count++] = &plan->nodes[i].output;
    sum.activations += bytes;
    if (grad_first[i] >= 0) {
      requests[count] = LifetimeRequest{bytes, grad_first[i], grad_last[i], 0};
      slots[count++] = &plan->nodes[i].output_grad;
      sum.activation_grads += bytes;
    }
  }
  const size_t total = place_by_lifetime(requests, count, end, kArenaAlignment);
  for (int r = 0; r < count; ++r) *slots[r] = BufferSlot{requests[r].offset, requests[r].bytes};
  // A fused activation's output (and its gradient) is its Linear's buffer.
  for (int i = 1; i < n; ++i)
    if (plan->nodes[i].fused_into_previous) {
      plan->nodes[i].output = plan->nodes[m.node(i).input].output;
      plan->nodes[i].output_grad = plan->nodes[m.node(i).input].output_grad;
    }
  // The caller's block may be unaligned: the trainer may skip up to alignment - 1 bytes.
  sum.total_bytes = total + kArenaAlignment - 1;
  return ok_status();
}

}  // namespace

Status plan_training(const Model& model, const TrainConfig& config, Plan* plan) {
  UT_TRY(check_optimizer_config(config.optimizer));
  if (config.accumulate_steps < 1)
    return Status::error(StatusCode::invalid_argument, "plan: accumulate_steps must be at least 1",
                         config.accumulate_steps, 1);
  UT_TRY(model.status());
  if (config.loss == LossKind::softmax_cross_entropy && model.node_count() >= 2 && model.output_features() < 2)
    return Status::error(StatusCode::invalid_argument,
                         "plan: cross-entropy needs at least two output classes", model.output_features(), 2);
  return plan_model(model, config.batch, &config, plan);
}

Status plan_inference(const Model& model, int32_t batch, Plan* plan) {
  return plan_model(model, batch, nullptr, plan);
}

}  // namespace utrain
