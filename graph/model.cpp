#include "graph/model.h"

#include "graph/node_ops.h"

namespace utrain {

const char* node_kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::input: return "input";
    case NodeKind::linear: return "linear";
    case NodeKind::activation: return "activation";
    case NodeKind::conv2d: return "conv2d";
    case NodeKind::depthwise_conv2d: return "depthwise_conv2d";
    case NodeKind::conv_transpose2d: return "conv_transpose2d";
    case NodeKind::pool2d: return "pool2d";
    case NodeKind::global_avg_pool: return "global_avg_pool";
    case NodeKind::batch_norm2d: return "batch_norm2d";
    case NodeKind::layer_norm: return "layer_norm";
    case NodeKind::instance_norm2d: return "instance_norm2d";
    case NodeKind::add: return "add";
    case NodeKind::reshape: return "reshape";
  }
  return "unknown";
}

Model::Model(int32_t input_features) : Model(input_features, 1, 1) {}

Model::Model(int32_t channels, int32_t height, int32_t width, Layout layout) : layout_(layout) {
  nodes_[0].kind = NodeKind::input;
  nodes_[0].sample = Shape{1, channels, height, width};
  count_ = 1;
  if (channels <= 0 || height <= 0 || width <= 0)
    status_ = Status::error(StatusCode::invalid_argument, "model: input dimensions must be positive",
                            channels <= 0 ? channels : height <= 0 ? height : width, 1);
}

Model& Model::fail(const Status& s) {
  if (status_.ok()) status_ = s;
  return *this;
}

Node* Model::append(NodeKind kind) {
  if (!status_.ok()) return nullptr;
  if (count_ >= kMaxNodes) {
    status_ = Status::error(StatusCode::out_of_memory, "model: too many nodes", count_ + 1, kMaxNodes);
    return nullptr;
  }
  Node& node = nodes_[count_];
  node = Node{};
  node.kind = kind;
  node.input = static_cast<int16_t>(cursor_);
  node.sample = nodes_[cursor_].sample;
  cursor_ = count_++;
  return &node;
}

bool Model::needs_image(const char* what) {
  if (!status_.ok()) return false;
  if (nodes_[cursor_].sample.h == 1 && nodes_[cursor_].sample.w == 1 && nodes_[0].sample.h == 1 &&
      nodes_[0].sample.w == 1) {
    status_ = Status::error(StatusCode::invalid_argument, "needs an image input (Model(channels, height, width))")
                  .about(what);
    return false;
  }
  return true;
}

Model& Model::linear(int32_t out_features, bool bias) {
  Node* node = append(NodeKind::linear);
  if (node == nullptr) return *this;
  node->linear.in_features = static_cast<int32_t>(nodes_[node->input].sample.per_sample());
  node->linear.out_features = out_features;
  node->linear.has_bias = bias;
  node->sample = Shape{1, out_features, 1, 1};
  if (out_features <= 0)
    return fail(Status::error(StatusCode::invalid_argument, "model: linear out_features must be positive",
                              out_features, 1));
  // A Linear reads its input in memory order: an image must be flattened explicitly first, so
  // that the order of the features (CHW or HWC) is a visible choice.
  if (nodes_[node->input].sample.h != 1 || nodes_[node->input].sample.w != 1)
    return fail(Status::error(StatusCode::shape_mismatch, "model: linear after an image needs flatten() first"));
  return *this;
}

Model& Model::activation(Activation kind, float slope) {
  Node* node = append(NodeKind::activation);
  if (node == nullptr) return *this;
  node->activation = ActivationParams{kind, slope};
  if (kind == Activation::leaky_relu && !(slope > 0.0f))
    return fail(Status::error(StatusCode::invalid_argument, "model: LeakyReLU slope must be positive"));
  return *this;
}

Model& Model::conv2d(int32_t out_channels, const Window2d& window, bool bias) {
  if (!needs_image("model: conv2d")) return *this;
  Node* node = append(NodeKind::conv2d);
  if (node == nullptr) return *this;
  Conv2dParams& p = node->conv;
  p.in_channels = node->sample.c, p.out_channels = out_channels;
  p.window = window, p.has_bias = bias, p.layout = layout_;
  return fail(conv2d_output_shape(p, nodes_[node->input].sample, &node->sample));
}

Model& Model::depthwise_conv2d(const Window2d& window, bool bias) {
  if (!needs_image("model: depthwise_conv2d")) return *this;
  Node* node = append(NodeKind::depthwise_conv2d);
  if (node == nullptr) return *this;
  DepthwiseConv2dParams& p = node->depthwise;
  p.channels = node->sample.c, p.window = window, p.has_bias = bias, p.layout = layout_;
  return fail(depthwise_conv2d_output_shape(p, nodes_[node->input].sample, &node->sample));
}

Model& Model::conv_transpose2d(int32_t out_channels, const Window2d& window, int32_t output_pad_h,
                               int32_t output_pad_w, bool bias) {
  if (!needs_image("model: conv_transpose2d")) return *this;
  Node* node = append(NodeKind::conv_transpose2d);
  if (node == nullptr) return *this;
  ConvTranspose2dParams& p = node->conv_transpose;
  p.in_channels = node->sample.c, p.out_channels = out_channels, p.window = window;
  p.output_pad_h = output_pad_h, p.output_pad_w = output_pad_w, p.has_bias = bias, p.layout = layout_;
  return fail(conv_transpose2d_output_shape(p, nodes_[node->input].sample, &node->sample));
}

Model& Model::max_pool2d(const Window2d& window) {
  if (!needs_image("model: max_pool2d")) return *this;
  Node* node = append(NodeKind::pool2d);
  if (node == nullptr) return *this;
  node->pool = Pool2dParams{PoolKind::max, window, true, layout_};
  return fail(pool2d_output_shape(node->pool, nodes_[node->input].sample, &node->sample));
}

Model& Model::avg_pool2d(const Window2d& window, bool count_include_pad) {
  if (!needs_image("model: avg_pool2d")) return *this;
  Node* node = append(NodeKind::pool2d);
  if (node == nullptr) return *this;
  node->pool = Pool2dParams{PoolKind::average, window, count_include_pad, layout_};
  return fail(pool2d_output_shape(node->pool, nodes_[node->input].sample, &node->sample));
}

Model& Model::global_avg_pool() {
  if (!needs_image("model: global_avg_pool")) return *this;
  Node* node = append(NodeKind::global_avg_pool);
  if (node == nullptr) return *this;
  node->sample.h = node->sample.w = 1;
  return *this;
}

Model& Model::batch_norm2d(float eps, float momentum) {
  Node* node = append(NodeKind::batch_norm2d);
  if (node == nullptr) return *this;
  node->batch_norm = BatchNorm2dParams{node->sample.c, eps, momentum, true, layout_};
  return fail(check_batch_norm2d_params(node->batch_norm));
}

Model& Model::layer_norm(float eps) {
  Node* node = append(NodeKind::layer_norm);
  if (node == nullptr) return *this;
  node->layer_norm = LayerNormParams{static_cast<int32_t>(node->sample.per_sample()), eps, true};
  return fail(check_layer_norm_params(node->layer_norm));
}

Model& Model::instance_norm2d(float eps) {
  Node* node = append(NodeKind::instance_norm2d);
  if (node == nullptr) return *this;
  node->instance_norm = InstanceNorm2dParams{node->sample.c, eps, true, layout_};
  return fail(check_instance_norm2d_params(node->instance_norm));
}

Model& Model::add(int other) {
  if (!status_.ok()) return *this;
  if (other < 0 || other >= count_)
    return fail(Status::error(StatusCode::invalid_argument, "model: add() names a node that does not exist", other,
                              count_ - 1));
  const Shape a = nodes_[cursor_].sample, b = nodes_[other].sample;
  if (!(a == b))
    return fail(Status::error(StatusCode::shape_mismatch, "model: add() of outputs with different shapes",
                              b.per_sample(), a.per_sample()));
  Node* node = append(NodeKind::add);
  if (node == nullptr) return *this;
  node->second_input = static_cast<int16_t>(other);
  return *this;
}

Model& Model::flatten() {
  if (!status_.ok()) return *this;
  return reshape(static_cast<int32_t>(nodes_[cursor_].sample.per_sample()), 1, 1);
}

Model& Model::reshape(int32_t channels, int32_t height, int32_t width) {
  if (!status_.ok()) return *this;
  const int64_t count = nodes_[cursor_].sample.per_sample();
  if (channels <= 0 || height <= 0 || width <= 0 || int64_t{channels} * height * width != count)
    return fail(Status::error(StatusCode::shape_mismatch, "model: reshape() must keep the values per sample",
                              int64_t{channels} * height * width, count));
  Node* node = append(NodeKind::reshape);
  if (node == nullptr) return *this;
  node->sample = Shape{1, channels, height, width};
  return *this;
}

Model& Model::from(int id) {
  if (!status_.ok()) return *this;
  if (id < 0 || id >= count_)
    return fail(Status::error(StatusCode::invalid_argument, "model: from() names a node that does not exist", id,
                              count_ - 1));
  cursor_ = id;
  return *this;
}

Model& Model::freeze() {
  if (!status_.ok()) return *this;
  Node& last = nodes_[count_ - 1];
  if (node_weight_count(last) + node_bias_count(last) == 0)
    return fail(Status::error(StatusCode::invalid_argument, "model: freeze() must follow a layer with parameters"));
  last.frozen = true;
  return *this;
}

Model& Model::train_bias_only() {
  if (!status_.ok()) return *this;
  Node& last = nodes_[count_ - 1];
  if (node_bias_count(last) == 0)
    return fail(Status::error(StatusCode::invalid_argument, "model: train_bias_only() must follow a layer with a bias"));
  last.bias_only = true;
  return *this;
}

int64_t Model::forward_macs() const {
  int64_t macs = 0;
  for (int i = 1; i < count_; ++i) macs += node_step_macs(nodes_[i], nodes_[nodes_[i].input].sample);
  return macs;
}

}  // namespace utrain
