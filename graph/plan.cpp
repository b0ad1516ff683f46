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

int consumer_count(const Model& m, int i) {
  int count = 0;
  for (int j = i + 1; j < m.node_count(); ++j)
    count += (m.node(j).input == i) + (m.node(j).second_input == i);
  return count;
}

bool is_fusable_activation(const Model& m, int i) {
  const Node& node = m.node(i);
  if (node.kind != NodeKind::activation || node.input < 1) return false;
  const Node& producer = m.node(node.input);
  return node_can_fuse_activation(producer.kind) && consumer_count(m, node.input) == 1;
}

size_t floats_bytes(int64_t count) { return static_cast<size_t>(count) * sizeof(float); }

// Adds a fixed-lifetime buffer (parameters, gradients, optimizer and running state) after `*end`.
void place_permanent(BufferSlot* slot, size_t bytes, size_t* end) {
  if (bytes == 0) return;
  slot->offset = arena_bytes_after(*end, 0);
  slot->bytes = bytes;
  *end = slot->offset + bytes;
}

Shape batch_shape(const Shape& sample, int32_t batch) { return Shape{batch, sample.c, sample.h, sample.w}; }

// Collects the buffers whose lifetimes the allocator places.
struct TransientBuffers {
  LifetimeRequest requests[kMaxLifetimeRequests];
  BufferSlot* slots[kMaxLifetimeRequests];
  int count = 0;

  Status add(BufferSlot* slot, size_t bytes, int32_t first, int32_t last) {
    if (bytes == 0) return ok_status();
    if (count == kMaxLifetimeRequests)
      return Status::error(StatusCode::out_of_memory, "plan: too many buffers", count + 1, kMaxLifetimeRequests);
    requests[count] = LifetimeRequest{bytes, first, last, 0};
    slots[count++] = slot;
    return ok_status();
  }
};

// Where an interval of a buffer's use is widened to include `time`.
void extend(int32_t* first, int32_t* last, int32_t time) {
  if (*first < 0 || time < *first) *first = time;
  if (time > *last) *last = time;
}

Status plan_model(const Model& m, int32_t batch, const TrainConfig* training, const StepChoice (*choices)[3],
                  Plan* plan) {
  UT_CHECK(plan != nullptr, StatusCode::invalid_argument, "plan: the plan pointer is null");
  UT_TRY(m.status());
  UT_CHECK(m.node_count() >= 2, StatusCode::invalid_argument, "plan: the model has no layers");
  if (batch < 1) return Status::error(StatusCode::invalid_argument, "plan: batch must be at least 1", batch, 1);
  *plan = Plan{};
  plan->training = training != nullptr;
  plan->update_in_backward = training != nullptr && training->accumulate_steps == 1;
  plan->batch = batch;
  const int n = m.node_count();
  const Timeline t{n};
  if (choices != nullptr)
    for (int i = 0; i < n; ++i)
      for (int s = 0; s < 3; ++s) plan->choices[i][s] = choices[i][s];

  for (int i = 1; i < n - 1; ++i)
    if (consumer_count(m, i) == 0)
      return Status::error(StatusCode::invalid_argument,
                           "plan: only the last node may be unread (a branch that ends nowhere)");

  // Fusion, aliasing, and which nodes run backward and send gradients.
  bool upstream_trainable[Model::kMaxNodes] = {};
  for (int i = 1; i < n; ++i) {
    const Node& node = m.node(i);
    NodePlan& np = plan->nodes[i];
    np.fused_into_previous = is_fusable_activation(m, i);
    np.aliases_input = node.kind == NodeKind::reshape;
    // A reshape shares its input's gradient too unless another reader also writes into it.
    np.grad_aliases_input = np.aliases_input && consumer_count(m, node.input) == 1;
    const bool second = node.second_input >= 0;
    upstream_trainable[i] = trains_parameters(node) || upstream_trainable[node.input] ||
                            (second && upstream_trainable[node.second_input]);
    np.needs_input_grad = plan->training && upstream_trainable[node.input];
    np.needs_second_input_grad = plan->training && second && upstream_trainable[node.second_input];
    np.runs_backward = plan->training && upstream_trainable[i] && !np.fused_into_previous;
  }

  // Parameters, their gradients, optimizer state and running statistics live for the whole run.
  size_t end = 0;
  PlanSummary& sum = plan->summary;
  for (int i = 1; i < n; ++i) {
    const Node& node = m.node(i);
    NodePlan& np = plan->nodes[i];
    const size_t w = floats_bytes(node_weight_count(node)), b = floats_bytes(node_bias_count(node));
    place_permanent(&np.weight, w, &end);
    place_permanent(&np.bias, b, &end);
    sum.parameters += w + b;
    const size_t running = floats_bytes(node_state_floats(node));
    place_permanent(&np.running, running, &end);
    sum.running_state += running;
    if (!plan->training || !trains_parameters(node)) continue;
    const size_t wt = node.bias_only ? 0 : w;  // the trained part of the weight
    np.weight_update_from_outer =
        plan->update_in_backward && batch == 1 && node.kind == NodeKind::linear && wt != 0;
    if (!plan->update_in_backward) {  // else placed with the step's buffers below
      place_permanent(&np.weight_grad, wt, &end);
      place_permanent(&np.bias_grad, b, &end);
    }
    sum.gradients += (np.weight_update_from_outer ? 0 : wt) + b;
    const size_t ws = floats_bytes(static_cast<int64_t>(optimizer_state_floats(training->optimizer, wt / sizeof(float))));
    const size_t bs = floats_bytes(static_cast<int64_t>(optimizer_state_floats(training->optimizer, b / sizeof(float))));
    place_permanent(&np.weight_state, ws, &end);
    place_permanent(&np.bias_state, bs, &end);
    sum.optimizer_state += ws + bs;
  }

  // Lifetimes of the activations and of the gradients flowing back, per owning buffer.
  int32_t out_first[Model::kMaxNodes], out_last[Model::kMaxNodes];
  int32_t grad_first[Model::kMaxNodes], grad_last[Model::kMaxNodes];
  for (int i = 0; i < n; ++i) out_first[i] = out_last[i] = grad_first[i] = grad_last[i] = -1;
  TransientBuffers buffers;
  for (int i = 1; i < n; ++i) {
    const Node& node = m.node(i);
    NodePlan& np = plan->nodes[i];
    if (np.fused_into_previous) continue;
    const int self = output_owner(*plan, m, i);
    extend(&out_first[self], &out_last[self], t.forward(i));
    const int inputs[2] = {node.input, node.second_input};
    for (int k = 0; k < 2; ++k)
      if (inputs[k] > 0) {
        const int in = output_owner(*plan, m, inputs[k]);
        extend(&out_first[in], &out_last[in], t.forward(i));
      }
    const Shape in_shape = batch_shape(m.node(node.input).sample, batch);
    const size_t fw_ws = node_workspace_bytes(node, LayerStep::forward, in_shape, plan->choices[i][0]);
    UT_TRY(buffers.add(&np.workspace, fw_ws, t.forward(i), t.forward(i)));
    sum.workspace += fw_ws;
    const size_t saved = floats_bytes(node_saved_floats(node, batch));
    UT_TRY(buffers.add(&np.saved, saved, t.forward(i), np.runs_backward ? t.backward(i) : t.forward(i)));
    sum.saved += saved;
    if (!np.runs_backward) continue;

    const bool fused = fused_activation_of(*plan, m, i) > 0;
    const bool sends = np.needs_input_grad || np.needs_second_input_grad;
    const BackwardReads reads = node_backward_reads(node, fused, trains_parameters(node), sends);
    if (reads.input && node.input > 0) {
      const int in = output_owner(*plan, m, node.input);
      extend(&out_first[in], &out_last[in], t.backward(i));
    }
    if (reads.output) extend(&out_first[self], &out_last[self], t.backward(i));
    size_t bw_ws = 0;
    if (trains_parameters(node) && !node.bias_only)  // a bias gradient alone needs no scratch
      bw_ws = node_workspace_bytes(node, LayerStep::weight_grad, in_shape, plan->choices[i][1]);
    if (np.needs_input_grad) {
      const size_t ig = node_workspace_bytes(node, LayerStep::input_grad, in_shape, plan->choices[i][2]);
      bw_ws = ig > bw_ws ? ig : bw_ws;
    }
    UT_TRY(buffers.add(&np.backward_workspace, bw_ws, t.backward(i), t.backward(i)));
    if (plan->update_in_backward && trains_parameters(node)) {
      const bool stored = !node.bias_only && !np.weight_update_from_outer;
      UT_TRY(buffers.add(&np.weight_grad, stored ? floats_bytes(node_weight_count(node)) : 0, t.backward(i),
                         t.backward(i)));
      UT_TRY(buffers.add(&np.bias_grad, floats_bytes(node_bias_count(node)), t.backward(i), t.backward(i)));
    }
    sum.workspace += bw_ws;
    // Its own output gradient is read now; its inputs' gradients are written now.
    const int g = grad_owner(*plan, m, i);
    extend(&grad_first[g], &grad_last[g], t.backward(i));
    const bool sends_to[2] = {np.needs_input_grad, np.needs_second_input_grad};
    for (int k = 0; k < 2; ++k)
      if (sends_to[k] && inputs[k] > 0) {
        const int in = grad_owner(*plan, m, inputs[k]);
        extend(&grad_first[in], &grad_last[in], t.backward(i));
      }
  }
  const int out = output_owner(*plan, m, m.output_node());
  extend(&out_first[out], &out_last[out], plan->training ? t.loss() : t.end());
  if (plan->training && upstream_trainable[m.output_node()]) {
    const int g = grad_owner(*plan, m, m.output_node());
    extend(&grad_first[g], &grad_last[g], t.loss());
  }

  for (int i = 1; i < n; ++i) {
    const size_t bytes = floats_bytes(batch * m.node(i).sample.per_sample());
    if (out_first[i] >= 0) {
      UT_TRY(buffers.add(&plan->nodes[i].output, bytes, out_first[i], out_last[i]));
      sum.activations += bytes;
    }
    if (grad_first[i] >= 0) {
      UT_TRY(buffers.add(&plan->nodes[i].output_grad, bytes, grad_first[i], grad_last[i]));
      sum.activation_grads += bytes;
    }
  }
  const size_t total = place_by_lifetime(buffers.requests, buffers.count, end, kArenaAlignment);
  for (int r = 0; r < buffers.count; ++r)
    *buffers.slots[r] = BufferSlot{buffers.requests[r].offset, buffers.requests[r].bytes};
  // Aliased nodes point at their owners' buffers (owners come first in node order).
  for (int i = 1; i < n; ++i) {
    NodePlan& np = plan->nodes[i];
    np.output = plan->nodes[output_owner(*plan, m, i)].output;
    np.output_grad = plan->nodes[grad_owner(*plan, m, i)].output_grad;
  }
  // The caller's block may be unaligned: the trainer may skip up to alignment - 1 bytes.
  sum.total_bytes = total + kArenaAlignment - 1;
  return ok_status();
}

}  // namespace

bool trains_parameters(const Node& node) {
  return !node.frozen && node_weight_count(node) + node_bias_count(node) > 0;
}

int fused_activation_of(const Plan& plan, const Model& m, int i) {
  for (int j = i + 1; j < m.node_count(); ++j)
    if (plan.nodes[j].fused_into_previous && m.node(j).input == i) return j;
  return -1;
}

Node node_as_run(const Plan& plan, const Model& m, int i) {
  Node node = m.node(i);
  const int act = fused_activation_of(plan, m, i);
  if (act < 0) return node;
  const ActivationParams& a = m.node(act).activation;
  if (node.kind == NodeKind::linear) node.linear.act = a.kind, node.linear.act_slope = a.slope;
  if (node.kind == NodeKind::conv2d) node.conv.act = a.kind, node.conv.act_slope = a.slope;
  if (node.kind == NodeKind::depthwise_conv2d) node.depthwise.act = a.kind, node.depthwise.act_slope = a.slope;
  if (node.kind == NodeKind::batch_norm2d) node.batch_norm.act = a.kind, node.batch_norm.act_slope = a.slope;
  return node;
}

int output_owner(const Plan& plan, const Model& m, int i) {
  while (i > 0 && (plan.nodes[i].fused_into_previous || plan.nodes[i].aliases_input)) i = m.node(i).input;
  return i;
}

int grad_owner(const Plan& plan, const Model& m, int i) {
  while (i > 0 && (plan.nodes[i].fused_into_previous || plan.nodes[i].grad_aliases_input)) i = m.node(i).input;
  return i;
}

Status plan_training(const Model& model, const TrainConfig& config, Plan* plan, const StepChoice (*choices)[3]) {
  UT_TRY(check_optimizer_config(config.optimizer));
  if (config.accumulate_steps < 1)
    return Status::error(StatusCode::invalid_argument, "plan: accumulate_steps must be at least 1",
                         config.accumulate_steps, 1);
  UT_TRY(model.status());
  if (config.loss == LossKind::softmax_cross_entropy && model.node_count() >= 2 && model.output_features() < 2)
    return Status::error(StatusCode::invalid_argument,
                         "plan: cross-entropy needs at least two output classes", model.output_features(), 2);
  return plan_model(model, config.batch, &config, choices, plan);
}

Status plan_inference(const Model& model, int32_t batch, Plan* plan, const StepChoice (*choices)[3]) {
  return plan_model(model, batch, nullptr, choices, plan);
}

}  // namespace utrain
